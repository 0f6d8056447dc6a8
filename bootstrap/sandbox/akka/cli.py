"""The stand-in akka's command line: flags and words in, the documented CLI's output, errors and exit status out.

What it copies from the Akka CLI reference (https://doc.akka.io/reference/cli/akka-cli/akka.html, "Options
inherited from parent commands"): every command takes `--timeout duration`, "client command timeout (default
10s)", a Go duration (`60s`, `1m30s`, `500ms`); a platform slower than that fails the command with the gRPC
client's "context deadline exceeded" and a non-zero exit, however long its caller would have waited.
`projects get` prints the project's regions in a REGIONS column, comma-separated; `secrets list` shows each
secret's name and type; `--literal` (`secrets create generic`) may be repeated, or carry several pairs separated by
commas.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bootstrap.sandbox.akka.model import AkkaError, Platform, locked_state, save, state_path

GLOBAL_VALUE_FLAGS = {"--config", "--context", "-o", "--output", "--timeout", "--cache-file", "--page-mode"}
GLOBAL_SWITCHES = {"--disable-prompt", "-q", "--quiet", "-v", "--verbose", "--use-grpc-web"}
SWITCHES = GLOBAL_SWITCHES | {"--config-only", "--secret-only", "--force-global", "--force-regional"}
SCOPE = {"--project", "--owner", "--region"}
DEFAULT_TIMEOUT = 10.0  # seconds: `--timeout duration   client command timeout (default 10s)`
DEADLINE_EXCEEDED = "rpc error: code = DeadlineExceeded desc = context deadline exceeded"
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_GO_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h)")
_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


@dataclass
class Answer:
    """What one command printed and how it ended; `late` and `garbage` are what an injected fault asks of the
    executable once the platform has done the work (hang, then print bytes that are not UTF-8)."""

    out: str = ""
    err: str = ""
    code: int = 0
    late: float = 0.0
    garbage: bool = False


class RunLocally(Exception):
    """The fault this command meets hangs or signals its own process: the executable must run it itself."""


def run(args: list[str], env: Mapping[str, str], *, caller: int, began: float, local: bool) -> Answer:
    """Run one command against the state. `caller`: the pid of the process that ran akka; `began`: when the
    executable started its work, so that the call log can say how long the stand-in took (`began`, `ended`). Not
    `local` (the server), a fault that must happen in the executable's own process raises RunLocally, and the
    state is left as it was."""
    path = state_path(env)
    try:
        with locked_state(path) as state:
            cli = Cli(Platform(state, env), caller=caller, local=local, save=lambda: save(path, state))
            out = cli.run(args)
            if calls := state.get("calls"):
                calls[-1].update(began=began, ended=time.time())
    except AkkaError as err:
        return Answer(err=f"Error: {err}\n", code=err.code)
    return Answer(out=f"{out}\n" if out else "", late=cli.late, garbage=cli.garbage)


def go_quoted(text: str) -> str:
    """Go's strconv.Quote, which fmt's %q prints (https://pkg.go.dev/strconv#Quote): "a double-quoted Go string
    literal" using "Go escape sequences (\\t, \\n, \\xFF, \\u0100) for control characters and non-printable
    characters as defined by IsPrint"; `"` and `\\` are always backslashed (src/strconv/quote.go, appendEscapedRune)."""
    out = []
    for c in text:
        if c in ('"', "\\"):
            out.append("\\" + c)
        elif c.isprintable():
            out.append(c)
        elif c in _GO_ESCAPES:
            out.append(_GO_ESCAPES[c])
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}")
    return '"' + "".join(out) + '"'


def go_duration(text: str) -> float:
    """Seconds in a Go duration (time.ParseDuration): `10s`, `1m30s`, `500ms`, `0`; else the flag's error."""
    body = text[1:] if text[:1] in "+-" else text
    if body == "0":
        return 0.0
    parts = list(_GO_PART.finditer(body))
    if not body or "".join(m.group(0) for m in parts) != body:
        raise AkkaError(f'invalid argument "{text}" for "--timeout" flag: time: invalid duration "{text}"')
    seconds = sum(float(m.group(1)) * _GO_UNITS[m.group(2)] for m in parts)
    return -seconds if text.startswith("-") else seconds


def split(args: list[str]) -> tuple[list[str], dict[str, Any]]:
    """Words and flags, as cobra parses them: `--flag value` or `--flag=value`; `--literal` may repeat."""
    words: list[str] = []
    flags: dict[str, Any] = {}
    rest = iter(args)
    for arg in rest:
        if not arg.startswith("-"):
            words.append(arg)
            continue
        name, eq, value = arg.partition("=")
        if name in ("-h", "--help"):
            flags["--help"] = True
            continue
        if name in SWITCHES:
            flags[name] = True
            continue
        if not eq:
            following = next(rest, None)
            if following is None:
                raise AkkaError(f"flag needs an argument: {name}")
            value = following
        if name == "--literal":  # repeatable: every pair counts
            flags.setdefault(name, []).extend(value.split(","))
        else:
            flags[name] = value
    return words, flags


class Cli:
    """One command: parsed, checked against the flags its command takes, answered from the platform."""

    def __init__(self, platform: Platform, *, caller: int, local: bool, save: Callable[[], None]) -> None:
        self.platform, self.caller, self.local, self.save = platform, caller, local, save
        self.late = 0.0  # seconds to hang once the command has done its work
        self.garbage = False  # print bytes that are not UTF-8 once the command has done its work
        self.timeout = DEFAULT_TIMEOUT

    def run(self, args: list[str]) -> str:
        words, flags = split(args)
        self.platform.log(words, flags, self.caller)
        if "--timeout" in flags:
            self.timeout = go_duration(flags["--timeout"])
        if not words or words == ["help"]:
            return "Akka control\n\nUsage:\n  akka [command]"
        if words == ["version"]:
            return f"Akka CLI version: {self.platform.state.get('version')}"
        key = " ".join(words[:2])
        self._inject(key, flags)
        modern = self.platform.modern
        handler = {
            "auth current-login": self.current_login,
            "config get": self.config_get,
            "config set": self.config_set,
            "projects get": self.projects_get,
            "docker add-credentials": self.add_credentials,
            "docker list-credentials": self.list_credentials,
            "docker remove-credentials": self.remove_credentials if modern else None,
            "docker delete-credentials": self.delete_credentials if not modern else None,
            "secrets create": self.secrets_create,
            "secrets list": self.secrets_list,
            "secrets delete": self.secrets_delete,
        }.get(key)
        if words == ["docker"] or (flags.get("--help") and words[:1] == ["docker"]):
            return self.docker_help()
        if handler is None:
            raise AkkaError(f'unknown command "{" ".join(words[1:2]) or words[0]}" for "akka {words[0]}"')
        return handler(words[2:], flags)

    def _inject(self, key: str, flags: dict[str, Any]) -> None:
        fault = self.platform.fault(key)
        if fault is None:
            return
        if not self.local and (fault.get("signal") or fault.get("sleep")):
            raise RunLocally(key)
        if fault.get("signal"):  # interrupt regboot while this command runs (it still completes)
            os.kill(self.caller, getattr(signal, f"SIG{fault['signal']}"))
        if fault.get("sleep"):
            self.save()  # first: a caller that kills the hung command must find the fault used, or its retry hangs too
            time.sleep(fault["sleep"])
        self.late = float(fault.get("late", 0))
        self.garbage = bool(fault.get("garbage"))
        if float(fault.get("latency", 0)) > self.timeout:
            raise AkkaError(DEADLINE_EXCEEDED)
        if fault.get("message"):
            # "{password}" in a message echoes the password back, like a careless CLI might
            password = flags.get("--docker-password", "")
            message = fault["message"].replace("{password:go}", go_quoted(password)).replace("{password}", password)
            raise AkkaError(message, fault.get("exit", 1))

    def _allow(self, flags: dict[str, Any], allowed: set[str]) -> None:
        for name in flags:
            if name not in allowed | GLOBAL_VALUE_FLAGS | GLOBAL_SWITCHES | {"--help"}:
                raise AkkaError(f"unknown flag: {name}")

    def _args(self, words: list[str], count: int) -> None:
        if len(words) != count:
            raise AkkaError(f"accepts {count} arg(s)")

    def _project(self, flags: dict[str, Any], *, regional: bool = False) -> dict[str, Any]:
        find = self.platform.regional if regional else self.platform.project
        return find(flags.get("--project"), flags.get("--owner"), flags.get("--region"))

    # --- commands --------------------------------------------------------------------------------------------
    def current_login(self, words: list[str], flags: dict[str, Any]) -> str:
        return f"EMAIL{' ' * 28}ORGANIZATION\n{self.platform.user():<33}sandbox"

    def config_get(self, words: list[str], flags: dict[str, Any]) -> str:
        return str(self.platform.state.get("config", {}).get(words[0] if words else "", ""))

    def config_set(self, words: list[str], flags: dict[str, Any]) -> str:
        self._args(words, 2)
        self.platform.state.setdefault("config", {})[words[0]] = words[1]
        return f"'{words[0]}' set to '{words[1]}'"

    def projects_get(self, words: list[str], flags: dict[str, Any]) -> str:
        self._allow(flags, {"--owner"})
        if not words:
            raise AkkaError("requires a project name")
        project = self._project({**flags, "--project": words[0]})
        width = max(24, len(words[0]) + 3)  # a table's columns are as wide as their widest cell, plus a gap
        return f"{'NAME':<{width}}REGIONS\n{words[0]:<{width}}{','.join(project.get('regions', []))}"

    def docker_help(self) -> str:
        remove = (
            "  remove-credentials Remove credentials for a container registry."
            if self.platform.modern
            else "  delete-credentials Delete credentials for a container registry."
        )
        return (
            "Manage credentials for container registries.\n\nUsage:\n  akka docker [command]\n\n"
            "Available Commands:\n"
            "  add-credentials    Add or update credentials for a container registry.\n"
            "  list-credentials   List credentials for container registries.\n" + remove
        )

    def add_credentials(self, words: list[str], flags: dict[str, Any]) -> str:
        allowed = {"--docker-server", "--docker-username", "--docker-email", "--docker-password"} | SCOPE - {"--region"}
        if self.platform.modern:
            allowed |= {"--secret-name", "--region", "--config-only", "--secret-only"}
        self._allow(flags, allowed)
        for required in ("--docker-server", "--docker-password"):
            if not flags.get(required):
                raise AkkaError(f'required flag(s) "{required[2:]}" not set')
        name = flags.get("--secret-name", "docker-credentials")
        self.platform.add_credentials(
            self._project(flags),
            name,
            flags["--docker-password"],
            server=flags["--docker-server"],
            username=flags.get("--docker-username", ""),
            email=flags.get("--docker-email", ""),
            region=flags.get("--region", ""),
        )
        return f"Credentials {name} for {flags['--docker-server']} added."

    def list_credentials(self, words: list[str], flags: dict[str, Any]) -> str:
        modern = self.platform.modern
        self._allow(flags, {"--project", "--owner"} | ({"--region"} if modern else set()))
        creds = self._project(flags).get("credentials", {})
        if modern:
            rows = [["NAME", "STATUS", "SERVER", "EMAIL", "USERNAME"]]
            rows += [[n, c["status"], c["server"], c["email"], c["username"]] for n, c in creds.items()]
        else:
            rows = [["ID", "SERVER", "USERNAME", "EMAIL"]]
            rows += [[c["id"], c["server"], c["username"], c["email"]] for c in creds.values()]
        return tabulate(rows)

    def remove_credentials(self, words: list[str], flags: dict[str, Any]) -> str:
        self._allow(flags, SCOPE)
        self._args(words, 1)
        self.platform.remove_credentials(self._project(flags), words[0])
        return f"Credentials {words[0]} removed."

    def delete_credentials(self, words: list[str], flags: dict[str, Any]) -> str:
        self._allow(flags, {"--project", "--owner"})
        self._args(words, 1)
        self.platform.delete_credentials(self._project(flags), words[0])
        return f"Credentials {words[0]} deleted."

    def secrets_create(self, words: list[str], flags: dict[str, Any]) -> str:
        self._allow(flags, SCOPE | {"--literal", "--force-global", "--force-regional"})
        if words[:1] != ["generic"]:
            raise AkkaError(f'unknown command "{words[0] if words else ""}" for "akka secrets create"')
        if len(words) != 2:
            raise AkkaError("accepts 1 arg(s)")
        pairs = flags.get("--literal", [])
        if not pairs or any("=" not in pair for pair in pairs):
            raise AkkaError("at least one --literal KEY=VALUE is required")
        project = self._project(flags, regional=True)
        self.platform.create_secret(project, words[1], [pair.partition("=")[0] for pair in pairs])
        return f"Secret {words[1]} created."

    def secrets_list(self, words: list[str], flags: dict[str, Any]) -> str:
        self._allow(flags, SCOPE)
        secrets = self._project(flags, regional=True).get("secrets", {})
        return tabulate([["NAME", "TYPE"], *[[n, s["type"]] for n, s in secrets.items()]])

    def secrets_delete(self, words: list[str], flags: dict[str, Any]) -> str:
        self._allow(flags, SCOPE)
        self._args(words, 1)
        self.platform.delete_secret(self._project(flags, regional=True), words[0])
        return f"Secret {words[0]} deleted."


def tabulate(rows: list[list[str]]) -> str:
    """Like Go's tabwriter: columns padded to the widest cell plus three spaces; empty cells stay empty."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("".join(c.ljust(w + 3) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)

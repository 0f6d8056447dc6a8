"""A stand-in `akka` CLI, faithful to the documented one for the commands regboot uses.

State lives in the JSON file named by AKKA_SANDBOX_STATE (locked while a command runs, so concurrent calls
serialise like the real service would). The platform never needs the password back, so only its SHA-256 is
kept: nothing secret is written to disk, and a test can still check exactly what the platform holds.

State keys a test may set: `logged_in`, `version` ("3.2.0"; below 3.0.4 behaves like the old CLI),
`config.project`, `projects` (each with its `regions`), `service_tokens` and `removal_takes_secret` (see below), and
`fail` = {"docker add-credentials": {"message": "...", "times": 1, "exit": 1, "sleep": 0, "late": 0, "latency": 0,
"signal": "INT", "after": 0}} to make a command fail (`after`: once that many runs of it have passed), hang
before it acts (`sleep`: the process itself stuck, which no deadline of its own ends), hang after it acted and
saved (`late`: the platform did it, the answer never came), answer slowly (`latency`: seconds the platform takes,
counted against the command's own `--timeout` instead of being slept), or interrupt its caller ("{password}" in a
message echoes the password; "{password:go}" echoes it Go-quoted, as a Go program's `%q` or strconv.Quote prints
it: a test-only knob for a careless CLI).

What it copies from the Akka CLI reference (https://doc.akka.io/reference/cli/akka-cli/akka.html, "Options
inherited from parent commands"): every command takes `--timeout duration`, "client command timeout (default
10s)", a Go duration (`60s`, `1m30s`, `500ms`); a platform slower than that fails the command with the gRPC
client's "context deadline exceeded" and a non-zero exit, however long its caller would have waited.

Removing credentials: the platform's page (reference/000_41ce20c2b4da5e60.txt, "Removing credentials") says
`delete-credentials` "will only remove the credentials from the configuration for the project, it will not delete
the underlying secret", which is the default here. The current reference says only that `akka docker
remove-credentials SECRET` "removes a set of Docker credentials from the project"
(https://doc.akka.io/reference/cli/akka-cli/akka_docker_remove-credentials.html), and the current page on external
registries says "the secret, and project configuration, are both managed by the akka docker command": a CLI may
take the secret with the credentials. `removal_takes_secret: true` makes `remove-credentials` do so, after which
`akka secrets delete` of that name answers "not found".

Regions (https://doc.akka.io/operations/regions/index.html): "projects in Akka can span across regions", and
secrets are among the region resources. The reference gives `secrets get`, `docker add-credentials`,
`list-credentials` and `remove-credentials` a `--region` flag, "region to use if project has more than one region"
(e.g. https://doc.akka.io/reference/akka-cli/akka_secrets_get.html); `secrets list` and `secrets delete` on such a
project without it fail with "... has more than one region, please specify one with --region". Docker credentials
may also be global (their `--force-global`/`--force-regional` flags), so those commands accept a missing
`--region`. `projects get` prints the project's regions in a REGIONS column, comma-separated.

Service tokens (https://doc.akka.io/operations/integrating-cicd/index.html): CI sets AKKA_TOKEN and AKKA_PROJECT;
"a service token is a token tied to a single project, that allows authenticating and performing actions on that
project". `akka auth current-login` "shows details for the currently logged in user"
(https://doc.akka.io/reference/akka-cli/akka_auth_current-login.html), and a project service token has no user:
here it fails saying so, while the token's own project can be read and changed. `service_tokens` maps the SHA-256
of each valid token to its project; any other AKKA_TOKEN is refused as unauthenticated by every command.

Generic secrets (https://doc.akka.io/reference/akka-cli/akka_secrets_create_generic.html): `akka secrets create
generic SECRET_NAME --literal KEY=VALUE` "creates or updates a generic secret", so creating a name that exists
replaces it: an upsert, never an "already exists" refusal (the platform offers no create-if-absent). `--literal` may
be repeated, or carry several pairs separated by commas. Neither the CLI nor the console shows a secret's values
(https://doc.akka.io/operations/projects/secrets.html, "Listing secrets": "they only show content keys"), so only the
keys are kept here; `secrets list` shows each name and its type.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bootstrap.sandbox import latency

# What the real CLI, a Go program, reads to reach the platform through a corporate network: net/http's
# ProxyFromEnvironment takes HTTP_PROXY, HTTPS_PROXY and NO_PROXY "or the lowercase versions thereof", and
# crypto/x509 loads extra roots from SSL_CERT_FILE / SSL_CERT_DIR on Linux (pkg.go.dev/net/http#ProxyFromEnvironment,
# pkg.go.dev/crypto/x509#SystemCertPool). Each call records them, so a test can see what akka was handed.
NETWORK_ENV = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "SSL_CERT_FILE")
GLOBAL_VALUE_FLAGS = {"--config", "--context", "-o", "--output", "--timeout", "--cache-file", "--page-mode"}
GLOBAL_SWITCHES = {"--disable-prompt", "-q", "--quiet", "-v", "--verbose", "--use-grpc-web"}
MODERN = (3, 0, 4)
DEFAULT_TIMEOUT = 10.0  # seconds: `--timeout duration   client command timeout (default 10s)`
DEADLINE_EXCEEDED = "rpc error: code = DeadlineExceeded desc = context deadline exceeded"
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_GO_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h)")


def default_state(project: str = "demo-project") -> dict[str, Any]:
    return {
        "version": "3.2.0",
        "logged_in": True,
        "user": "platform-engineer@example.com",
        "config": {"project": project},
        "projects": {project: {"owner": "", "regions": ["gcp-us-east1"], "credentials": {}, "secrets": {}}},
        "fail": {},
        "calls": [],
    }


def install(bin_dir: Path, state_file: Path, *, project: str = "demo-project", state: dict | None = None) -> Path:
    """Write an executable `akka` into bin_dir and a fresh state file; return the executable's path."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    exe = bin_dir / "akka"
    # -S: the suite starts thousands of these, and site's .pth processing costs about what a command does. What
    # site would have given is added by hand: this package's root and, from PYTHONPATH, the tests' socket guard.
    # The clock starts before the imports: what the stand-in records is all of its own time but the interpreter's
    # start (a few ms), which a Go binary pays too.
    root = Path(__file__).resolve().parents[2]
    exe.write_text(
        f"#!{sys.executable} -S\n"
        "import time\nbegan = time.time()\n"
        f"import sys\nsys.path.append({str(root)!r})\n"
        "try:\n    import sitecustomize  # noqa: F401  (the tests' loopback guard, when PYTHONPATH names it)\n"
        "except ImportError:\n    pass\n"
        "from bootstrap.sandbox.akka import main\nraise SystemExit(main(began=began))\n"
    )
    exe.chmod(0o755)
    if state is not None or not state_file.exists():
        state_file.write_text(json.dumps(state or default_state(project), indent=2))
    return exe


class CliError(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _state_path() -> Path:
    return Path(os.environ.get("AKKA_SANDBOX_STATE") or Path.home() / ".akka-sandbox" / "state.json")


@contextmanager
def _locked_state() -> Iterator[dict[str, Any]]:
    path = _state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(path.with_suffix(".lock")):
        state = json.loads(path.read_text()) if path.exists() else default_state()
        try:
            yield state
        except CliError:  # a command that failed is still in the call log, and has used up its injected fault
            _save(path, state)
            raise
        _save(path, state)


def _sha256(data: bytes) -> Any:
    import hashlib  # only the commands that take a secret pay for loading OpenSSL

    return hashlib.sha256(data)


@contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """One command at a time, as the platform serialises them. fcntl rather than filelock: importing filelock
    costs more than a command does, and the stand-in, an executable script, is POSIX-only anyway."""
    import fcntl

    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _save(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state))  # no indent: json's C encoder only serves the compact form
    tmp.replace(path)


def _version(state: dict[str, Any]) -> tuple[int, ...]:
    return tuple(int(p) for p in state.get("version", "3.2.0").split(".")[:3])


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


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
        raise CliError(f'invalid argument "{text}" for "--timeout" flag: time: invalid duration "{text}"')
    seconds = sum(float(m.group(1)) * _GO_UNITS[m.group(2)] for m in parts)
    return -seconds if text.startswith("-") else seconds


def main(argv: list[str] | None = None, *, began: float | None = None) -> int:
    """Run one command. `began`: when the process started its work (the executable's first line), so that the call
    log can say how long the stand-in itself took (`began`, `ended`): a benchmark separates that from regboot's
    time, since a Python process costs more to start than the Go CLI it stands in for."""
    began = time.time() if began is None else began
    args = list(sys.argv[1:] if argv is None else argv)
    if _reaches_platform(args):
        latency.travel()  # REGBOOT_SANDBOX_LATENCY_MS: the platform's round trip, before the state lock
    try:
        with _locked_state() as state:
            cli = Cli(state)
            out = cli.run(args)
            if calls := state.get("calls"):
                calls[-1].update(began=began, ended=time.time())
    except CliError as err:
        print(f"Error: {err}", file=sys.stderr)
        return err.code
    time.sleep(cli.late)  # saved and unlocked: what a caller that gives up now misses is only the answer
    if out:
        print(out)
    if cli.garbage:  # a CLI built for another locale, or a terminal control sequence: bytes that are not UTF-8
        sys.stdout.flush()
        sys.stdout.buffer.write(b"\xff\xfe\xc3(\x80 stored\n")
    return 0


def _reaches_platform(args: list[str]) -> bool:
    """Whether the real CLI would ask the platform: not for help, its version, or its own configuration ("stored
    in a file on your local system, by default at .akka/config.yaml", https://doc.akka.io/reference/cli/akka-cli/
    akka_config.html)."""
    words = [a for a in args if not a.startswith("-")]
    return bool(words) and words[0] not in ("config", "version", "help") and not {"--help", "-h"} & set(args)


class Cli:
    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.modern = _version(state) >= MODERN
        self.late = 0.0  # seconds to hang once the command has done its work
        self.garbage = False  # print bytes that are not UTF-8 once the command has done its work
        self.timeout = DEFAULT_TIMEOUT

    # --- parsing -------------------------------------------------------------------------------------------
    def run(self, args: list[str]) -> str:
        words, flags = self._split(args)
        self._log(words, flags)
        if "--timeout" in flags:
            self.timeout = go_duration(flags["--timeout"])
        if not words or words == ["help"]:
            return "Akka control\n\nUsage:\n  akka [command]"
        if words == ["version"]:
            return f"Akka CLI version: {self.state.get('version')}"
        key = " ".join(words[:2])
        self._inject(key, flags)
        handler = {
            "auth current-login": self.current_login,
            "config get": self.config_get,
            "config set": self.config_set,
            "projects get": self.projects_get,
            "docker add-credentials": self.add_credentials,
            "docker list-credentials": self.list_credentials,
            "docker remove-credentials": self.remove_credentials if self.modern else None,
            "docker delete-credentials": self.delete_credentials if not self.modern else None,
            "secrets create": self.secrets_create,
            "secrets list": self.secrets_list,
            "secrets delete": self.secrets_delete,
        }.get(key)
        if words == ["docker"] or (flags.get("--help") and words[:1] == ["docker"]):
            return self.docker_help()
        if handler is None:
            raise CliError(f'unknown command "{" ".join(words[1:2]) or words[0]}" for "akka {words[0]}"')
        return handler(words[2:], flags)

    def _split(self, args: list[str]) -> tuple[list[str], dict[str, Any]]:
        words: list[str] = []
        flags: dict[str, Any] = {}
        i = 0
        while i < len(args):
            arg = args[i]
            if arg.startswith("-"):
                name, eq, value = arg.partition("=")
                if name in ("-h", "--help"):
                    flags["--help"] = True
                elif name in GLOBAL_SWITCHES or name in (
                    "--config-only",
                    "--secret-only",
                    "--force-global",
                    "--force-regional",
                ):
                    flags[name] = True
                elif name == "--literal":  # repeatable: every pair counts
                    if not eq:
                        if i + 1 >= len(args):
                            raise CliError(f"flag needs an argument: {name}")
                        i += 1
                        value = args[i]
                    flags.setdefault(name, []).extend(value.split(","))
                else:
                    if not eq:
                        if i + 1 >= len(args):
                            raise CliError(f"flag needs an argument: {name}")
                        i += 1
                        value = args[i]
                    flags[name] = value
            else:
                words.append(arg)
            i += 1
        return words, flags

    def _allow(self, flags: dict[str, Any], allowed: set[str]) -> None:
        for name in flags:
            if name not in allowed | GLOBAL_VALUE_FLAGS | GLOBAL_SWITCHES | {"--help"}:
                raise CliError(f"unknown flag: {name}")

    def _log(self, words: list[str], flags: dict[str, Any]) -> None:
        shown = {k: ("<password>" if k == "--docker-password" else v) for k, v in flags.items()}
        # a proxy URL may carry user:password@, which has no place in a state file
        network = {k: re.sub(r"//[^/@]*@", "//***@", os.environ[k]) for k in NETWORK_ENV if k in os.environ}
        # the names (never the values) of regboot's own variables the CLI was handed
        given = sorted(k for k in os.environ if k.startswith("REGBOOT_"))
        self.state.setdefault("calls", []).append(
            {"command": words, "flags": shown, "pid": os.getppid(), "network": network, "regboot_env": given}
        )

    def _inject(self, key: str, flags: dict[str, Any]) -> None:
        fault = self.state.get("fail", {}).get(key)
        if not fault or fault.get("times", 1) <= 0:
            return
        if fault.get("after", 0) > 0:
            fault["after"] -= 1
            return
        fault["times"] = fault.get("times", 1) - 1
        if fault.get("signal"):  # interrupt regboot while this command runs (it still completes)
            os.kill(os.getppid(), getattr(signal, f"SIG{fault['signal']}"))
        if fault.get("sleep"):
            # Saved first: a caller that kills the hung command must find the fault used up, or its retry hangs too.
            _save(_state_path(), self.state)
            time.sleep(fault["sleep"])
        self.late = float(fault.get("late", 0))
        self.garbage = bool(fault.get("garbage"))
        if float(fault.get("latency", 0)) > self.timeout:
            raise CliError(DEADLINE_EXCEEDED)
        if fault.get("message"):
            # "{password}" in a message echoes the password back, like a careless CLI might
            password = flags.get("--docker-password", "")
            message = fault["message"].replace("{password:go}", go_quoted(password)).replace("{password}", password)
            raise CliError(message, fault.get("exit", 1))

    def _login(self) -> None:
        if self._token_project() is None and not self.state.get("logged_in"):
            raise CliError("you are not logged in, please run 'akka auth login'")

    def _token_project(self) -> str | None:
        """The project the AKKA_TOKEN service token is tied to; None when no token is set."""
        token = os.environ.get("AKKA_TOKEN")
        if not token:
            return None
        project = self.state.get("service_tokens", {}).get(_sha256(token.encode()).hexdigest())
        if project is None:
            raise CliError("rpc error: code = Unauthenticated desc = invalid or expired token")
        return str(project)

    def _regional(self, flags: dict[str, Any]) -> dict[str, Any]:
        """The project, for a command on region resources: with several regions, --region must say which."""
        project = self._project(flags)
        if not flags.get("--region") and len(project.get("regions", [])) > 1:
            raise CliError(
                f"project {self._project_name(flags)!r} has more than one region, please specify one with --region"
            )
        return project

    def _project_name(self, flags: dict[str, Any]) -> str:
        return flags.get("--project") or os.environ.get("AKKA_PROJECT") or self.state.get("config", {}).get("project")

    def _project(self, flags: dict[str, Any]) -> dict[str, Any]:
        self._login()
        name = self._project_name(flags)
        if not name:
            raise CliError("no project specified, pass --project or run 'akka config set project NAME'")
        tied_to = self._token_project()
        project = self.state.get("projects", {}).get(name) if tied_to in (None, name) else None
        if project is None or (flags.get("--owner") and project.get("owner") != flags["--owner"]):
            raise CliError(f"project {name!r} not found")
        region = flags.get("--region")
        if region and region not in project.get("regions", []):
            raise CliError(f"region {region!r} is not a region of project {name!r}")
        return project

    # --- commands --------------------------------------------------------------------------------------------
    def current_login(self, words: list[str], flags: dict[str, Any]) -> str:
        self._login()
        if self._token_project() is not None:
            raise CliError("rpc error: code = NotFound desc = no user for the current login: it is a service token")
        return f"EMAIL{' ' * 28}ORGANIZATION\n{self.state.get('user', ''):<33}sandbox"

    def config_get(self, words: list[str], flags: dict[str, Any]) -> str:
        return str(self.state.get("config", {}).get(words[0] if words else "", ""))

    def config_set(self, words: list[str], flags: dict[str, Any]) -> str:
        if len(words) != 2:
            raise CliError("accepts 2 arg(s)")
        self.state.setdefault("config", {})[words[0]] = words[1]
        return f"'{words[0]}' set to '{words[1]}'"

    def projects_get(self, words: list[str], flags: dict[str, Any]) -> str:
        self._allow(flags, {"--owner"})
        if not words:
            raise CliError("requires a project name")
        project = self._project({**flags, "--project": words[0]})
        width = max(24, len(words[0]) + 3)  # a table's columns are as wide as their widest cell, plus a gap
        return f"{'NAME':<{width}}REGIONS\n{words[0]:<{width}}{','.join(project.get('regions', []))}"

    def docker_help(self) -> str:
        remove = (
            "  remove-credentials Remove credentials for a container registry."
            if self.modern
            else "  delete-credentials Delete credentials for a container registry."
        )
        return (
            "Manage credentials for container registries.\n\nUsage:\n  akka docker [command]\n\n"
            "Available Commands:\n"
            "  add-credentials    Add or update credentials for a container registry.\n"
            "  list-credentials   List credentials for container registries.\n" + remove
        )

    def add_credentials(self, words: list[str], flags: dict[str, Any]) -> str:
        allowed = {
            "--docker-server",
            "--docker-username",
            "--docker-email",
            "--docker-password",
            "--project",
            "--owner",
        }
        if self.modern:
            allowed |= {"--secret-name", "--region", "--config-only", "--secret-only"}
        self._allow(flags, allowed)
        for required in ("--docker-server", "--docker-password"):
            if not flags.get(required):
                raise CliError(f'required flag(s) "{required[2:]}" not set')
        project = self._project(flags)
        name = flags.get("--secret-name", "docker-credentials")
        creds = project.setdefault("credentials", {})
        ident = creds.get(name, {}).get("id") or f"cred-{len(creds) + 1:04d}"
        creds[name] = {
            "id": ident,
            "server": flags["--docker-server"],
            "username": flags.get("--docker-username", ""),
            "email": flags.get("--docker-email", ""),
            "region": flags.get("--region", ""),
            "status": "OK",
            "password_sha256": _sha256(flags["--docker-password"].encode()).hexdigest(),
        }
        project.setdefault("secrets", {})[name] = {"type": "docker-registry"}
        return f"Credentials {name} for {flags['--docker-server']} added."

    def list_credentials(self, words: list[str], flags: dict[str, Any]) -> str:
        self._allow(flags, {"--project", "--owner"} | ({"--region"} if self.modern else set()))
        creds = self._project(flags).get("credentials", {})
        if self.modern:
            rows = [["NAME", "STATUS", "SERVER", "EMAIL", "USERNAME"]]
            rows += [[n, c["status"], c["server"], c["email"], c["username"]] for n, c in creds.items()]
        else:
            rows = [["ID", "SERVER", "USERNAME", "EMAIL"]]
            rows += [[c["id"], c["server"], c["username"], c["email"]] for c in creds.values()]
        return _tabulate(rows)

    def remove_credentials(self, words: list[str], flags: dict[str, Any]) -> str:
        self._allow(flags, {"--project", "--owner", "--region"})
        if len(words) != 1:
            raise CliError("accepts 1 arg(s)")
        project = self._project(flags)
        creds = project.get("credentials", {})
        if words[0] not in creds:
            raise CliError(f"credentials {words[0]!r} not found")
        del creds[words[0]]
        if self.state.get("removal_takes_secret"):
            project.get("secrets", {}).pop(words[0], None)
        return f"Credentials {words[0]} removed."

    def delete_credentials(self, words: list[str], flags: dict[str, Any]) -> str:
        self._allow(flags, {"--project", "--owner"})
        if len(words) != 1:
            raise CliError("accepts 1 arg(s)")
        creds = self._project(flags).get("credentials", {})
        for name, cred in list(creds.items()):
            if cred["id"] == words[0]:
                del creds[name]
                return f"Credentials {words[0]} deleted."
        raise CliError(f"credentials with ID {words[0]!r} not found")

    def secrets_create(self, words: list[str], flags: dict[str, Any]) -> str:
        self._allow(flags, {"--project", "--owner", "--region", "--literal", "--force-global", "--force-regional"})
        if words[:1] != ["generic"]:
            raise CliError(f'unknown command "{words[0] if words else ""}" for "akka secrets create"')
        if len(words) != 2:
            raise CliError("accepts 1 arg(s)")
        pairs = flags.get("--literal", [])
        if not pairs or any("=" not in pair for pair in pairs):
            raise CliError("at least one --literal KEY=VALUE is required")
        project = self._regional(flags)
        keys = sorted({pair.partition("=")[0] for pair in pairs})
        project.setdefault("secrets", {})[words[1]] = {"type": "generic", "keys": keys}
        return f"Secret {words[1]} created."

    def secrets_list(self, words: list[str], flags: dict[str, Any]) -> str:
        self._allow(flags, {"--project", "--owner", "--region"})
        secrets = self._regional(flags).get("secrets", {})
        return _tabulate([["NAME", "TYPE"], *[[n, s["type"]] for n, s in secrets.items()]])

    def secrets_delete(self, words: list[str], flags: dict[str, Any]) -> str:
        self._allow(flags, {"--project", "--owner", "--region"})
        if len(words) != 1:
            raise CliError("accepts 1 arg(s)")
        project = self._regional(flags)
        if words[0] not in project.get("secrets", {}):
            raise CliError(f"secret {words[0]!r} not found")
        if any(n == words[0] for n in project.get("credentials", {})):
            raise CliError(f"secret {words[0]!r} is in use by docker credentials; remove them first")
        del project["secrets"][words[0]]
        return f"Secret {words[0]} deleted."


def _tabulate(rows: list[list[str]]) -> str:
    """Like Go's tabwriter: columns padded to the widest cell plus three spaces; empty cells stay empty."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("".join(c.ljust(w + 3) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


if __name__ == "__main__":
    raise SystemExit(main())

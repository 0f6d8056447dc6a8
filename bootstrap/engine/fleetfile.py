"""The fleet file of `regboot apply -f`: read (YAML or TOML), checked whole before any call, turned into requests.

Keys are onboard's long option names without the dashes; `defaults` apply to every entry whose provider knows
the key. Every problem is collected, with its entry number and key, so one run shows them all (exit 2).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bootstrap.consumer import DEFAULT_SECRET_NAME, Consumer
from bootstrap.credentials import Secret
from bootstrap.engine import Request
from bootstrap.errors import RegbootError, UsageError
from bootstrap.plugins import registry
from bootstrap.provider import Param, Provider
from bootstrap.settings import Settings

VERSION = 1
# What every provider takes besides its own options: onboard's shared options that a file may set.
PLATFORM_KEYS = {
    "secret-name": "Platform secret that holds the credential.",
    "email": "Email to store with the credential.",
    "akka-project": "Akka project (default: the CLI's).",
    "akka-region": "Akka region.",
    "akka-owner": "Owner of the Akka project.",
    "no-verify": "Skip proving the credential can pull.",
    "verify-timeout": "Seconds verification may wait.",
}
STRINGS = ("secret-name", "email", "akka-project", "akka-region", "akka-owner")
PASSWORD_KEYS = {
    "password-env": "Environment variable that holds the password or token.",
    "password-file": "File that holds the password or token (one trailing newline is dropped).",
}
# Flags that let a run take something from another use: a reviewed file does not carry them.
REFUSED = {
    "password": "a literal password is refused in a file; use password-env or password-file",
    "reassign": "reassign is not taken from a file; run `regboot onboard --reassign` once for that consumer",
}


@dataclass(frozen=True)
class Problem:
    entry: int | None  # 1-based; None: the file itself or its defaults
    key: str
    message: str

    def text(self) -> str:
        where = f"entry {self.entry}" if self.entry else "file"
        return f"{where}, {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class FleetInvalid(UsageError):
    code = "fleet_invalid"

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        lines = "\n".join(f"  {p.text()}" for p in problems)
        super().__init__(
            f"{path} does not validate ({len(problems)} problem{'s' if len(problems) > 1 else ''}); nothing was "
            f"touched:\n{lines}",
            fix="Fix the file (schema: docs/fleet.schema.json) and run again.",
        )
        self.data = {"problems": [{"entry": p.entry, "key": p.key, "message": p.message} for p in problems]}


@dataclass(frozen=True)
class Entry:
    """One credential of the fleet, checked: the request onboard would get."""

    number: int
    request: Request

    @property
    def key(self) -> tuple[str | None, str | None, str]:
        c = self.request.consumer
        return c.project, c.region, c.secret_name


@dataclass
class Fleet:
    path: Path
    entries: list[Entry] = field(default_factory=list)


def load(path: Path, settings: Settings) -> Fleet:
    """Read and check the whole file; raise FleetInvalid listing every problem. Makes no call anywhere."""
    document = _parse(path)
    problems: list[Problem] = []
    if document.get("version") != VERSION:
        problems.append(Problem(None, "version", f"must be {VERSION}, got {document.get('version')!r}"))
    for key in sorted(set(document) - {"version", "defaults", "credentials"}):
        problems.append(Problem(None, key, "unknown key; the file has version, defaults and credentials"))
    defaults = document.get("defaults") or {}
    if not isinstance(defaults, dict):
        problems.append(Problem(None, "defaults", "must be a mapping of option names to values"))
        defaults = {}
    known = set(PLATFORM_KEYS) | set(PASSWORD_KEYS) | {_key(p) for cls in _providers() for p in cls.options}
    for key in sorted(set(defaults) - known):
        problems.append(Problem(None, f"defaults.{key}", REFUSED.get(key, "unknown key")))
    items = document.get("credentials")
    if not isinstance(items, list) or not items:
        problems.append(Problem(None, "credentials", "must be a non-empty list of entries"))
        items = []
    fleet = Fleet(path)
    seen: dict[tuple[str | None, str | None, str], int] = {}
    for number, item in enumerate(items, 1):
        entry = _entry(number, item, defaults, settings, problems)
        if entry is None:
            continue
        if entry.key in seen:
            project, region, secret = entry.key
            problems.append(
                Problem(
                    number,
                    "secret-name",
                    f"the same consumer as entry {seen[entry.key]} (Akka project {project or '(the CLI default)'}, "
                    f"region {region or '(any)'}, secret {secret}); give one of them another secret-name",
                )
            )
            continue
        seen[entry.key] = number
        fleet.entries.append(entry)
    if problems:
        raise FleetInvalid(path, problems)
    return fleet


def _parse(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as err:
        raise UsageError(
            f"cannot read {path}: {err.strerror}", fix="Give the path of the fleet file with -f."
        ) from None
    try:
        if path.suffix == ".toml":
            document: Any = tomllib.loads(text)
        else:
            import yaml  # only `apply` needs it

            document = yaml.safe_load(text)
    except Exception as err:  # YAML and TOML syntax errors: say where, not how the parser failed inside
        where = getattr(err, "problem_mark", None) or ""
        problem = Problem(None, "", f"not valid {_kind(path)}: {_first_line(err)} {where}".strip())
        raise FleetInvalid(path, [problem]) from None
    if not isinstance(document, dict):
        raise FleetInvalid(path, [Problem(None, "", "must be a mapping with version, defaults and credentials")])
    return document


def _entry(
    number: int, item: Any, defaults: dict[str, Any], settings: Settings, problems: list[Problem]
) -> Entry | None:
    if not isinstance(item, dict):
        problems.append(Problem(number, "", "must be a mapping of option names to values"))
        return None
    name = item.get("provider")
    cls = registry().providers.get(name) if isinstance(name, str) else None
    if cls is None:
        known = ", ".join(sorted(registry().providers))
        problems.append(Problem(number, "provider", f"{name!r} is not an installed provider ({known})"))
        return None
    params = {_key(p): p for p in cls.options if p.name != "reassign"}
    allowed = set(params) | set(PLATFORM_KEYS) | (set(PASSWORD_KEYS) if cls.takes_password else set())
    given = {k: v for k, v in item.items() if k != "provider"}
    for key in sorted(set(given) - allowed):
        problems.append(Problem(number, key, REFUSED.get(key, f"unknown key for {name}")))
    values = {k: v for k, v in defaults.items() if k in allowed} | {k: v for k, v in given.items() if k in allowed}
    before = len(problems)
    options = _options(number, params, values, problems)
    password = _password(number, cls, values, settings.env, problems)
    common = {k: _scalar(number, k, values[k], problems) for k in STRINGS if k in values}
    verify = values.get("no-verify", False)
    if not isinstance(verify, bool):
        problems.append(Problem(number, "no-verify", "must be true or false"))
    timeout = values.get("verify-timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 3600
    ):
        problems.append(Problem(number, "verify-timeout", "must be a number of seconds between 1 and 3600"))
    try:
        consumer = Consumer(
            secret_name=common.get("secret-name") or DEFAULT_SECRET_NAME,
            project=common.get("akka-project") or settings.akka_project,
            region=common.get("akka-region"),
            owner=common.get("akka-owner"),
            email=common.get("email") or "",
        )
    except RegbootError as err:
        problems.append(Problem(number, _named(err.message, allowed), err.message))
    if len(problems) > before:
        return None
    try:  # the provider's own checks, on options already complete and typed
        target = cls.check(options)
    except RegbootError as err:
        problems.append(Problem(number, _named(err.message, allowed), err.message))
        return None
    request = Request(
        provider=cls,
        target=target,
        consumer=consumer,
        password=password,
        verify=not verify,
        verify_timeout=float(timeout) if timeout is not None else None,
    )
    return Entry(number, request)


def _options(number: int, params: dict[str, Param], values: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for key, param in params.items():
        value = values.get(key)
        if value is None:
            if param.required:
                problems.append(Problem(number, key, "required"))
            else:
                options[param.name] = [] if param.multiple else param.default
            continue
        if param.flag:
            if not isinstance(value, bool):
                problems.append(Problem(number, key, "must be true or false"))
            options[param.name] = bool(value)
        elif param.multiple:
            listed = value if isinstance(value, list) else [value]
            options[param.name] = [_scalar(number, key, v, problems) for v in listed]
        else:
            options[param.name] = _scalar(number, key, value, problems)
        if param.choices and options[param.name] not in param.choices:
            problems.append(Problem(number, key, f"must be one of {', '.join(param.choices)}"))
    return options


def _password(
    number: int, cls: type[Provider], values: dict[str, Any], env: Mapping[str, str], problems: list[Problem]
) -> Secret | None:
    if not cls.takes_password:
        return None
    named = [k for k in PASSWORD_KEYS if k in values]
    if len(named) != 1:
        problems.append(Problem(number, "password-env", "give exactly one of password-env and password-file"))
        return None
    key = named[0]
    where = _scalar(number, key, values[key], problems)
    if key == "password-env":
        value = env.get(where, "")
        if not value:
            problems.append(Problem(number, key, f"the environment variable {where} is not set or empty"))
            return None
    else:
        try:
            value = Path(where).expanduser().read_text()
        except OSError as err:
            problems.append(Problem(number, key, f"cannot read {where}: {err.strerror}"))
            return None
        value = value[:-1] if value.endswith("\n") else value
        if not value:
            problems.append(Problem(number, key, f"{where} is empty"))
            return None
    if "\0" in value:
        problems.append(Problem(number, key, "the password contains a NUL byte"))
        return None
    return Secret(value)


def _scalar(number: int, key: str, value: Any, problems: list[Problem]) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.append(Problem(number, key, f"must be a string, got {type(value).__name__}"))
        return ""
    return str(value)


def _named(message: str, keys: set[str]) -> str:
    """The key a provider's or consumer's check names in its message (`invalid --gcp-project ...`)."""
    if "secret name" in message:
        return "secret-name"
    longest_first = sorted(keys, key=len, reverse=True)
    flagged = next((k for k in longest_first if f"--{k}" in message), None)
    return flagged or next((k for k in longest_first if k.replace("-", " ") in message), "")


def _key(param: Param) -> str:
    return param.name.replace("_", "-")


def _providers() -> list[type[Provider]]:
    return list(registry().providers.values())


def _kind(path: Path) -> str:
    return "TOML" if path.suffix == ".toml" else "YAML"


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]


def schema() -> dict[str, Any]:
    """The file's JSON Schema, from the installed providers' options (published as docs/fleet.schema.json)."""

    def prop(help: str, param: Param | None = None) -> dict[str, Any]:
        if param is not None and param.flag:
            return {"type": "boolean", "description": help}
        if param is not None and param.multiple:
            return {"type": "array", "items": {"type": "string"}, "description": help}
        if param is not None and param.choices:
            return {"enum": list(param.choices), "description": help}
        return {"type": "string", "description": help}

    common = {k: prop(v) for k, v in PLATFORM_KEYS.items()}
    common["no-verify"] = {"type": "boolean", "description": PLATFORM_KEYS["no-verify"]}
    common["verify-timeout"] = {"type": "number", "exclusiveMinimum": 0, "maximum": 3600}
    entries = []
    for cls in sorted(_providers(), key=lambda c: c.name):
        own = {_key(p): prop(p.help, p) for p in cls.options if p.name != "reassign"}
        extra = {k: prop(v) for k, v in PASSWORD_KEYS.items()} if cls.takes_password else {}
        entry: dict[str, Any] = {
            "type": "object",
            "description": cls.summary,
            "properties": {"provider": {"const": cls.name}, **own, **common, **extra},
            # required options may come from defaults: load() checks them after merging
            "required": ["provider"],
            "additionalProperties": False,
        }
        entries.append(entry)
    defaults = {k: v for e in entries for k, v in e["properties"].items() if k != "provider"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/registry-bootstrap/regboot/docs/fleet.schema.json",
        "title": "regboot apply -f: the fleet file, version 1",
        "description": "Every registry credential of a fleet. See docs/fleet.md.",
        "type": "object",
        "required": ["version", "credentials"],
        "additionalProperties": False,
        "properties": {
            "version": {"const": VERSION},
            "defaults": {
                "type": "object",
                "description": "Apply to every entry whose provider takes the key.",
                "properties": dict(sorted(defaults.items())),
                "additionalProperties": False,
            },
            "credentials": {"type": "array", "minItems": 1, "items": {"oneOf": entries}},
        },
    }

"""Everything regboot takes from its environment, read and checked once when a command starts.

`Settings.read` is the one reader of the environment's variables: a bad value is a usage error before any call, and
the rest of the code takes typed values from the `Settings` it is handed, never from `os.environ`. The environment
itself rides along (`env`) for what regboot starts (akka, az) and for the SDKs' own credential discovery.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bootstrap.clock import Clock, current
from bootstrap.credentials import Secret
from bootstrap.endpoints import Endpoint, endpoint
from bootstrap.errors import UsageError

CALL_TIMEOUT = 30.0  # seconds one cloud or registry request may take; REGBOOT_CALL_TIMEOUT overrides it
AKKA_TIMEOUT = 60.0  # seconds one akka command may take; REGBOOT_AKKA_TIMEOUT overrides it
REGISTRY_ENDPOINT = "REGBOOT_REGISTRY_ENDPOINT"


@dataclass(frozen=True)
class Settings:
    env: Mapping[str, str] = field(repr=False)  # for akka, az and the SDKs' discovery; holds secrets, never shown
    state_dir: Path
    clock: Clock
    call_timeout: float
    akka_timeout: float
    akka_binary: str  # a name looked up on PATH, or a path
    akka_project: str | None
    akka_token: bool  # AKKA_TOKEN is set: a service token logs the CLI in, not `akka auth login`
    registry_endpoint: str | None  # where registry calls go instead (emulators, a mirror): scheme://host[:port]
    endpoints: Mapping[str, Endpoint]  # every REGBOOT_*_ENDPOINT given, by variable
    # SSL_CERT_FILE and SSL_CERT_DIR, which httpx reads itself: verification makes one TLS context per pair
    ca: tuple[str | None, str | None] = (None, None)
    password: Secret | None = field(default=None, repr=False)  # REGBOOT_PASSWORD

    @classmethod
    def read(cls, env: Mapping[str, str]) -> Settings:
        """The settings `env` gives; a bad value is a UsageError naming its variable."""
        endpoints = {}
        for name, value in env.items():
            if name.startswith("REGBOOT_") and name.endswith("_ENDPOINT") and value.strip():
                found = endpoint(name, value)
                assert found is not None  # a non-blank value is an endpoint or a usage error
                endpoints[name] = found
        registry = endpoints.get(REGISTRY_ENDPOINT)
        return cls(
            env=dict(env),
            state_dir=state_dir(env),
            clock=current(env),
            call_timeout=_seconds(env, "REGBOOT_CALL_TIMEOUT", CALL_TIMEOUT, most=600),
            akka_timeout=_akka_timeout(env),
            akka_binary=env.get("REGBOOT_AKKA_BIN") or "akka",
            akka_project=env.get("AKKA_PROJECT") or None,
            akka_token=bool(env.get("AKKA_TOKEN")),
            # a registry serves /v2/ at its root, so only scheme, host and port count
            registry_endpoint=f"{'http' if registry.plain else 'https'}://{registry.netloc}" if registry else None,
            endpoints=endpoints,
            ca=(env.get("SSL_CERT_FILE") or None, env.get("SSL_CERT_DIR") or None),
            password=Secret(env["REGBOOT_PASSWORD"]) if env.get("REGBOOT_PASSWORD") else None,
        )

    def endpoint(self, variable: str, default: str | None = None) -> Endpoint | None:
        """The endpoint `variable` gave, else `default` (a cloud's own URL); None when neither is there."""
        return self.endpoints.get(variable) or (endpoint(variable, default) if default else None)


def state_dir(env: Mapping[str, str]) -> Path:
    """REGBOOT_STATE_DIR (a sandbox sets its own, so a rehearsal never waits on a real run), else the XDG state
    directory's regboot/."""
    if env.get("REGBOOT_STATE_DIR"):
        return Path(env["REGBOOT_STATE_DIR"])
    base = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "state")
    return Path(base) / "regboot"


def _seconds(env: Mapping[str, str], variable: str, default: float, *, most: float) -> float:
    value = (env.get(variable) or "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= most:  # also false for nan
        raise UsageError(
            f"{variable}={value!r} is not a number of seconds between 0 and {most:g}",
            fix=f"Give seconds, e.g. {variable}={default:g}, or unset it.",
        )
    return seconds


def _akka_timeout(env: Mapping[str, str]) -> float:
    try:
        seconds = float(env.get("REGBOOT_AKKA_TIMEOUT") or AKKA_TIMEOUT)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < math.inf:  # it also becomes akka's own --timeout, a Go duration
        raise UsageError("REGBOOT_AKKA_TIMEOUT is not a positive number of seconds")
    return seconds


def terminal_columns() -> int | None:
    """COLUMNS when set to a number: the width the user asked tables to fit."""
    value = os.environ.get("COLUMNS", "")
    return int(value) if value.isdigit() else None


def no_color() -> bool:
    """NO_COLOR present, whatever its value (https://no-color.org)."""
    return "NO_COLOR" in os.environ


def plugin_specs() -> list[str]:
    """REGBOOT_PLUGINS: `name=module` pairs, so that a plugin can be tried without packaging it."""
    return [spec for spec in os.environ.get("REGBOOT_PLUGINS", "").split(",") if spec.strip()]

"""Endpoint overrides from the environment (emulators, sovereign clouds): plain http only on loopback."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from bootstrap.errors import UsageError


@dataclass(frozen=True)
class Endpoint:
    url: str  # without a trailing slash
    netloc: str  # host[:port]
    plain: bool  # http://: an emulator, talked to without TLS and without credentials


def endpoint(env: Mapping[str, str], variable: str, default: str | None = None) -> Endpoint | None:
    """The endpoint `variable` names (or `default`); None when neither is set. Bad values are usage errors."""
    value = (env.get(variable) or default or "").strip().rstrip("/")
    if not value:
        return None
    parts = urlsplit(value if "://" in value else f"https://{value}")
    bad = UsageError(
        f"{variable}={value!r} is not an http(s) endpoint URL",
        fix="Give a URL like https://host[:port], or http://127.0.0.1:PORT for an emulator.",
    )
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise bad
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise bad from None
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise UsageError(
            f"{variable}={value} is plain http but not on loopback",
            fix="Plain http:// is only for local emulators; use https:// for anything else.",
        )
    return Endpoint(f"{parts.scheme}://{parts.netloc}{parts.path}", parts.netloc, parts.scheme == "http")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

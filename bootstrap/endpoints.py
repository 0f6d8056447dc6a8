"""Endpoint overrides (emulators, sovereign clouds), checked: an http(s) URL, no credentials in it, plain http only
on loopback."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from bootstrap.errors import UsageError


@dataclass(frozen=True)
class Endpoint:
    url: str  # without a trailing slash
    netloc: str  # host[:port]
    plain: bool  # http://: an emulator, talked to without TLS and without credentials


def endpoint(variable: str, given: str) -> Endpoint | None:
    """The endpoint `variable` was `given`; None when it is blank. Bad values are usage errors."""
    value = given.strip().rstrip("/")
    if not value:
        return None
    parts = urlsplit(value if "://" in value else f"https://{value}")
    bad = UsageError(
        f"{variable}={value!r} is not an http(s) endpoint URL",
        fix="Give a URL like https://host[:port], or http://127.0.0.1:PORT for an emulator.",
    )
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise bad
    if "@" in parts.netloc:  # a credential in the URL would be printed with it, and sent where it should not go
        raise UsageError(
            f"{variable} holds a user or password in its URL",
            fix="Give the endpoint without user:password@; regboot brings its own credentials.",
        )
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

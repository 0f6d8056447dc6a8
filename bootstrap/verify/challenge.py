"""Read `WWW-Authenticate` challenges (RFC 9110 §11.6.1) the lenient way registries need."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# An unterminated quote runs to the end: a garbled header should still yield what it plainly says.
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"?', re.DOTALL)
_BARE = re.compile(r"[^,\s]*")
_EQUALS = re.compile(r"\s*=\s*")


@dataclass(frozen=True)
class Challenge:
    """One challenge: its scheme, lower-cased ("bearer", "basic"), and its parameters (names lower-cased)."""

    scheme: str
    params: dict[str, str] = field(default_factory=dict)


def parse(headers: Iterable[str]) -> list[Challenge]:
    """Every challenge in the given header values; commas inside quoted values, case and stray spacing are fine."""
    found: list[Challenge] = []
    for header in headers:
        found += _parse_one(header)
    return found


def pick(challenges: list[Challenge]) -> Challenge | None:
    """The challenge a registry client answers: Bearer when offered (it scopes the credential), else Basic."""
    for scheme in ("bearer", "basic"):
        for challenge in challenges:
            if challenge.scheme == scheme:
                return challenge
    return None


def _parse_one(header: str) -> list[Challenge]:
    found: list[Challenge] = []
    pos, end = 0, len(header)
    after_scheme = False  # a bare token right after a scheme (no comma between) is a token68, not a scheme
    while pos < end:
        if header[pos] in " \t,":
            after_scheme = after_scheme and header[pos] != ","
            pos += 1
            continue
        name = _TOKEN.match(header, pos)
        if name is None:  # garbage: skip to the next separator
            pos, after_scheme = _next_comma(header, pos), False
            continue
        pos = name.end()
        equals = _EQUALS.match(header, pos)
        if equals and not header.startswith("=", equals.end()):
            value, pos = _value(header, equals.end())
            if found:  # a parameter before any scheme is garbage
                found[-1].params.setdefault(name.group().lower(), value)
        elif equals or after_scheme:  # token68 (`Negotiate abc==`): nothing a registry client needs
            pos = _next_comma(header, pos)
        else:
            found.append(Challenge(name.group().lower()))
            after_scheme = True
            continue
        after_scheme = False
    return found


def _value(header: str, pos: int) -> tuple[str, int]:
    quoted = _QUOTED.match(header, pos)
    if quoted:
        return re.sub(r"\\(.)", r"\1", quoted.group(1)), quoted.end()
    bare = _BARE.match(header, pos)
    assert bare is not None  # `*` always matches
    return bare.group(), bare.end()


def _next_comma(header: str, pos: int) -> int:
    comma = header.find(",", pos)
    return len(header) if comma < 0 else comma + 1

"""The credential handed to a platform, and `Secret`, a password that never prints itself."""

from __future__ import annotations

import base64
import hmac
import json
import re
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import quote, quote_plus

_LIVE: set[str] = set()  # every secret value this process has held, in every shape it may be echoed in, for `scrub`
_PEM = re.compile(r"-----BEGIN [A-Z ]+-----(.*?)-----END [A-Z ]+-----", re.S)
_SHORTEST = 4  # scrubbing shorter values would mangle ordinary text and hide nothing
_SHORTEST_PEM_LINE = 16  # a key's last line may be short; shorter than this it is a few bytes of the key


def remember(value: str) -> None:
    """Scrub `value` from everything shown from now on, and the shapes another program may echo it in: JSON- or
    Go-escaped (a JSON key Go-quoted: its `\\n` become `\\\\n`), escaped twice, URL-encoded, base64, and each line
    of a PEM body on its own (a partial echo)."""
    if len(value) < _SHORTEST:
        return
    escaped = json.dumps(value)[1:-1]  # Go's %q escapes a key file's ", \\ and line breaks exactly as JSON does
    shapes = {value, escaped, json.dumps(value, ensure_ascii=False)[1:-1], json.dumps(escaped)[1:-1]}
    shapes |= {quote(value, safe=""), quote_plus(value), base64.b64encode(value.encode()).decode()}
    for body in _PEM.findall(value):
        shapes |= {line for line in re.split(r"\\n|\n", body) if len(line.strip()) >= _SHORTEST_PEM_LINE}
    _LIVE.update(shapes)


def scrub(text: str) -> str:
    """Replace any secret value this process has seen with ***: the last guard before text reaches a person."""
    # a copy: `regboot apply` runs entries on threads, and another may add a secret meanwhile
    for value in sorted(_LIVE.copy(), key=len, reverse=True):
        text = text.replace(value, "***")
    return text


class Secret:
    """A password or key. Renders as *** however it is printed, logged or formatted; refuses to be pickled
    or JSON-encoded. The only way to the value is `reveal()`, and the only caller of it is the platform call
    (and verification, which sends it to the registry the credential is for)."""

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str) -> None:
        object.__setattr__(self, "_value", value)
        remember(value)

    def reveal(self) -> str:
        return self._value

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("Secret is immutable")

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(Secret)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class RegistryCredential:
    """What the platform needs to pull: server, username, password (+ email).

    Making one also scrubs base64(username:password) from all output from then on: the Basic Authorization header
    and a docker config's `auth` carry the password in that shape, which the `Secret` alone cannot know of.
    """

    server: str
    username: str
    password: Secret
    email: str = ""

    def __post_init__(self) -> None:
        remember(base64.b64encode(f"{self.username}:{self.password.reveal()}".encode()).decode())

    def public(self) -> dict[str, str]:
        """Everything but the password, for results and logs."""
        return {"server": self.server, "username": self.username, "email": self.email}

"""The credential handed to a platform, and `Secret`, a password that never prints itself."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import NoReturn

_LIVE: set[str] = set()  # every secret value this process has held, for `scrub`


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
        if len(value) >= 4:  # scrubbing shorter values would mangle ordinary text and hide nothing
            _LIVE.add(value)

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
    """What the platform needs to pull: server, username, password (+ email)."""

    server: str
    username: str
    password: Secret
    email: str = ""

    def public(self) -> dict[str, str]:
        """Everything but the password, for results and logs."""
        return {"server": self.server, "username": self.username, "email": self.email}

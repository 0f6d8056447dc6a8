"""Platforms: where credentials are installed. Today only Akka, through its CLI."""

from __future__ import annotations

from dataclasses import dataclass

from bootstrap.errors import OperationError


@dataclass(frozen=True)
class PlatformEntry:
    """One credential as the platform lists it (never with its password)."""

    name: str  # the secret name; the credential ID on CLIs before 3.0.4
    server: str
    username: str
    email: str = ""
    status: str = ""


class Unanswered(OperationError):
    """The platform was asked to store a credential and never answered: it may hold it or not."""

    code = "platform_unanswered"

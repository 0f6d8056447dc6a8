"""A world the scenarios run in: the sandbox (emulators on loopback) or the real services (tests/scenarios/live.py).

Scenario code asks a world only what both can answer, so what runs in CI against the sandbox is the very code a
maintainer runs live."""

from __future__ import annotations

from dataclasses import dataclass, field

PROVIDERS = ("gcr", "gar", "acr", "dockerhub", "private")
GOOGLE = ("gcr", "gar")
STATIC = ("dockerhub", "private")


@dataclass(frozen=True)
class Static:
    """A credential the user holds (Docker Hub, a private registry), and a repository it may pull."""

    username: str
    password: str = field(repr=False)  # a live token: never in a failure's report
    pull_server: str  # where its v2 API answers (Docker Hub: registry-1.docker.io, not index.docker.io)
    repository: str


@dataclass
class World:
    """What regboot is pointed at: an Akka project, and per provider the options that name its registry."""

    kind: str  # "sandbox" or "live"
    env: dict[str, str] = field(repr=False)  # set in the test's environment; may hold live settings
    akka: tuple[str, ...]  # --akka-project P [--akka-region R]
    targets: dict[str, tuple[str, ...]]  # provider -> options naming its registry (and static usernames)
    statics: dict[str, Static] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # provider -> why it cannot run here

    def target(self, provider: str) -> tuple[str, ...]:
        return self.targets[provider]

    def identity(self, provider: str, name: str) -> tuple[str, ...]:
        """The options that name this run's identity: the same name as its secret, so a sweep can pair them."""
        if provider in GOOGLE:
            return ("--service-account", name)
        if provider == "acr":
            return ("--service-principal", name)
        return ()

    def identities(self) -> list[str]:
        """The names of every cloud identity in the configured projects (service account ids, app names)."""
        raise NotImplementedError

    def writes(self) -> list[str] | None:
        """Every write the clouds and the platform have seen since the last `forget_writes`; None: cannot tell."""
        return None

    def forget_writes(self) -> None:
        """Start counting writes from now."""

"""An example provider plugin: a registry robot account whose token its owner holds (Harbor, Quay, GitLab...).

It imports from `bootstrap.api` only, as every plugin should: the rest of regboot may change behind that surface.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from bootstrap.api import (
    Change,
    Held,
    Identity,
    Inspection,
    Minted,
    Onboarding,
    Param,
    PlatformEntry,
    Provider,
    RegistryCredential,
    StatusRow,
    Step,
    Taken,
    UsageError,
    VerifyTarget,
    check_server,
    check_username,
    hookimpl,
)


@dataclass(frozen=True)
class Robot:
    """The options, checked: the registry host and the robot account's name."""

    server: str
    robot: str


class RobotAccount(Provider):
    name = "example"
    summary = "A registry robot account whose token you hold (example plugin)."
    options = (
        Param("server", "Registry host, e.g. registry.example.com.", required=True),
        Param("robot", "The robot account's name.", required=True),
    )
    takes_password: ClassVar[bool] = True  # the token comes from --password-stdin or REGBOOT_PASSWORD
    target: Robot

    @classmethod
    def check(cls, options: Mapping[str, Any]) -> Robot:
        """Refuse bad input before anything runs (exit 2), once: the instance keeps what this returns as its
        `target`, the server as regboot compares servers."""
        server = check_server(options.get("server") or "")
        return Robot(server.bare, check_username(options.get("robot") or ""))

    def inspect(self) -> Inspection:
        robot = Identity("robot account", self.target.robot)
        return Inspection(identity=robot, granted=True, held=[Held("the token you hold")])

    def login(self, found: Inspection) -> tuple[str, str]:
        return f"https://{self.target.server}", self.target.robot

    def onboarding(self, found: Inspection) -> Onboarding:
        """Nothing to make: what a robot may pull is set in the registry, and the token is its owner's. The one step
        hands the token in; the engine plans, takes and records it."""
        use = Step("use", "credential", self.target.robot, "the token you hand in")
        return Onboarding([], Change(use, self._use))

    def _use(self, identity: Identity) -> Taken:
        if self.run.password is None:
            raise UsageError("no token given", fix="Pipe it in with --password-stdin or set REGBOOT_PASSWORD.")
        server, robot = self.login(Inspection())
        return Taken(Minted(RegistryCredential(server, robot, self.run.password, self.consumer.email), Held("given")))

    def verification(self, minted: Minted) -> VerifyTarget | None:
        return VerifyTarget(minted.credential.server)

    def status(self, entry: PlatformEntry) -> StatusRow:
        return StatusRow(self.name, identity=entry.username, grant="(held by you)")


@hookimpl
def register_providers(register: Any) -> None:
    register(RobotAccount)

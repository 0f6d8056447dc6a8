"""An example provider plugin: a Harbor project's robot account, whose secret its owner holds.

It shows what the built-in providers do not: options of a registry's own (`--harbor-project`, `--robot`), a naming
rule of its own (Harbor names a project's robot `robot$<project>+<robot>`: the default prefix, the project and the
name given at creation, https://goharbor.io/docs/2.5.0/working-with-projects/project-configuration/create-robot-accounts/),
a server rule of its own (Harbor serves its registry at the host's root, so a server with a path is refused), and
reading those options back from a platform entry, so that `status`, `rotate --secret-name` and `offboard
--secret-name` find the robot without flags. It imports from `bootstrap.api` only, as every plugin should: the rest
of regboot may change behind that surface.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from bootstrap import api

PREFIX = "robot$"  # Harbor's default robot name prefix (an administrator may change it)
_NAME = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")  # a Harbor project's name; robots are named alike here
_ROBOT = re.compile(re.escape(PREFIX) + rf"(?P<project>{_NAME.pattern})\+(?P<robot>{_NAME.pattern})")


@dataclass(frozen=True)
class Robot:
    """The options, checked: the Harbor host and the robot's full name, as `docker login` takes them."""

    host: str  # host[:port], lower case
    username: str  # robot$<project>+<robot>


class HarborRobot(api.Provider):
    name = "example"
    summary = "A Harbor project's robot account, whose secret you hold (example plugin)."
    options = (
        api.Param("server", "Harbor host, e.g. harbor.example.com.", required=True),
        api.Param("harbor_project", "The Harbor project the robot account belongs to.", required=True),
        api.Param(
            "robot", "The robot account's name in that project, without Harbor's robot$<project>+.", required=True
        ),
    )
    takes_password: ClassVar[bool] = True  # the robot's secret comes from --password-stdin or REGBOOT_PASSWORD
    target: Robot

    @classmethod
    def check(cls, options: Mapping[str, Any]) -> Robot:
        """Refuse bad input before anything runs (exit 2), once: the instance keeps what this returns as its
        `target`."""
        server = api.check_server(options.get("server") or "")
        if server.written != server.netloc:
            raise api.UsageError(
                f"invalid --server {server.text!r}: Harbor serves its registry at the host's root",
                fix="Give the Harbor host alone, e.g. harbor.example.com.",
            )
        project, robot = options.get("harbor_project") or "", options.get("robot") or ""
        for flag, value in (("--harbor-project", project), ("--robot", robot)):
            if not _NAME.fullmatch(value):
                raise api.UsageError(
                    f"invalid {flag} {value!r}", fix="Use lowercase letters and digits, with . _ - between."
                )
        return Robot(server.bare, f"{PREFIX}{project}+{robot}")

    def inspect(self) -> api.Inspection:
        robot = api.Identity("robot account", self.target.username)
        return api.Inspection(identity=robot, granted=True, held=[api.Held("the secret you hold")])

    def login(self, found: api.Inspection) -> tuple[str, str]:
        return f"https://{self.target.host}", self.target.username

    def onboarding(self, found: api.Inspection) -> api.Onboarding:
        """Nothing to make: what a robot may pull is set in Harbor, and its secret is its owner's. The one step hands
        the secret in; the engine plans, takes and records it."""
        use = api.Step("use", "credential", self.target.username, "the secret you hand in")
        return api.Onboarding([], api.Change(use, self._hand_in))

    def _hand_in(self, identity: api.Identity) -> api.Taken:
        if self.run.password is None:
            raise api.UsageError("no secret given", fix="Pipe it in with --password-stdin or set REGBOOT_PASSWORD.")
        server, username = self.login(api.Inspection())
        credential = api.RegistryCredential(server, username, self.run.password, self.consumer.email)
        return api.Taken(api.Minted(credential, api.Held("given")))

    def verification(self, minted: api.Minted) -> api.VerifyTarget | None:
        return api.VerifyTarget(minted.credential.server)

    def status(self, entry: api.PlatformEntry) -> api.StatusRow:
        return api.StatusRow(self.name, identity=entry.username, grant="(set in Harbor)")

    @classmethod
    def claims(cls, entry: api.PlatformEntry) -> bool:
        """A platform entry is a Harbor robot's when its username is a robot's name."""
        return _ROBOT.fullmatch(entry.username) is not None

    @classmethod
    def options_for(cls, entry: api.PlatformEntry, *, command: str) -> dict[str, Any]:
        """The robot's name holds its project: commands by --secret-name alone need no flags."""
        matched = _ROBOT.fullmatch(entry.username)
        if matched is None:
            return super().options_for(entry, command=command)  # says which flags to give
        return {"server": entry.server, "harbor_project": matched["project"], "robot": matched["robot"]}


@api.hookimpl
def register_providers(register: Any) -> None:
    register(HarborRobot)

"""Docker Hub and any private registry: the user already holds a username and a password or token."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from bootstrap.api import (
    PLAIN_HTTP_HELP,
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
    Server,
    StatusRow,
    Step,
    Taken,
    UsageError,
    VerifyTarget,
    check_plain_http,
    check_server,
    check_username,
    hookimpl,
)

DOCKER_HUB = "https://index.docker.io/v1/"
DOCKER_HUB_API = "https://registry-1.docker.io"  # where Docker Hub's v2 API answers; index.docker.io is v1


@dataclass(frozen=True)
class Login:
    """Where, and as whom, the credential the user holds logs in."""

    server: str
    username: str


class StaticProvider(Provider):
    """Credentials the user holds: nothing to create in a cloud; rotating installs the new password handed in."""

    takes_password: ClassVar[bool] = True
    home: ClassVar[str] = ""  # the server when the options name none
    target: Login

    @classmethod
    def check(cls, options: Mapping[str, Any]) -> Login:
        username = check_username(options.get("username") or "")
        server = check_server(options.get("server") or "").text if "server" in options else cls.home
        if "allow_plain_http" in options:  # onboard and rotate, which send the password; offboard sends none
            check_plain_http(server, allowed=bool(options["allow_plain_http"]))
        return Login(server, username)

    @property
    def server(self) -> str:
        return self.target.server

    @property
    def username(self) -> str:
        return self.target.username

    def inspect(self) -> Inspection:
        return Inspection(identity=Identity("user", self.username), granted=True, held=[Held("the password you hold")])

    def login(self, found: Inspection) -> tuple[str, str]:
        return self.server, self.username

    def onboarding(self, found: Inspection) -> Onboarding:
        """Nothing to make: what the user may pull is the registry's business, and the password is theirs."""
        use = Step("use", "credential", f"{self.username} at {self.server}", "the password you hand in")
        return Onboarding([], Change(use, self._use))

    def _use(self, identity: Identity) -> Taken:
        if self.run.password is None:
            raise UsageError("no password given", fix="Pipe it in with --password-stdin or set REGBOOT_PASSWORD.")
        email = self.consumer.email
        return Taken(Minted(RegistryCredential(self.server, self.username, self.run.password, email), Held("given")))

    def verification(self, minted: Minted) -> VerifyTarget | None:
        """A password the user holds works now or never: no propagation, a refusal is final."""
        return VerifyTarget(minted.credential.server)

    def status(self, entry: PlatformEntry) -> StatusRow:
        return StatusRow(self.name, identity=self.username, grant="(held by you)")

    @classmethod
    def options_for(cls, entry: PlatformEntry, *, command: str) -> dict[str, Any]:
        return {"server": entry.server, "username": entry.username}


class DockerHub(StaticProvider):
    name = "dockerhub"
    summary = "Docker Hub: install your username and password or personal access token."
    options = (Param("username", "Docker Hub username.", required=True),)
    home = DOCKER_HUB

    @classmethod
    def options_for(cls, entry: PlatformEntry, *, command: str) -> dict[str, Any]:
        return {"username": entry.username}

    def verification(self, minted: Minted) -> VerifyTarget | None:
        return VerifyTarget(DOCKER_HUB, api=DOCKER_HUB_API)

    @classmethod
    def claims(cls, entry: PlatformEntry) -> bool:
        return Server.parse(entry.server).docker_hub


class Private(StaticProvider):
    name = "private"
    summary = "Any private registry: install the username and password or token you hold for it."
    options = (
        Param("server", "Registry URL, e.g. https://registry.example.com/v1/ .", required=True),
        Param("username", "Username at that registry.", required=True),
        Param("allow_plain_http", PLAIN_HTTP_HELP, flag=True, identifies=False),
    )
    fallback = True

    @classmethod
    def claims(cls, entry: PlatformEntry) -> bool:
        return True


@hookimpl
def register_providers(register: Any) -> None:
    register(DockerHub)
    register(Private)

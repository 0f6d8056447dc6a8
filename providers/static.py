"""Docker Hub and any private registry: the user already holds a username and a password or token."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from bootstrap.credentials import RegistryCredential
from bootstrap.errors import UsageError
from bootstrap.platforms import PlatformEntry
from bootstrap.plugins.hookspecs import hookimpl
from bootstrap.provider import Held, Identity, Inspection, Minted, Param, Provider, StatusRow
from bootstrap.result import Step
from bootstrap.steps import Change, Onboarding, Taken
from bootstrap.verify import PLAIN_HTTP_HELP, VerifyTarget, check_plain_http

DOCKER_HUB = "https://index.docker.io/v1/"
DOCKER_HUB_API = "https://registry-1.docker.io"  # where Docker Hub's v2 API answers; index.docker.io is v1
# Wide enough for _json_key, GitLab's gitlab+deploy-token-1 and Harbor's robot$project+name; no spaces or ':'.
_USERNAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._@+$-]{0,254}")
_HOST = re.compile(r"(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")


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
        server = check_server(options.get("server") or "") if "server" in options else cls.home
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
        host = urlsplit(entry.server if "//" in entry.server else f"//{entry.server}").hostname or ""
        return host in ("index.docker.io", "docker.io", "registry-1.docker.io")


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


def check_server(value: str) -> str:
    """A registry address: `https://host[:port][/path]` or `host[:port][/path]`; no credentials, query or spaces."""
    bad = UsageError(
        f"invalid --server {value!r}",
        fix="Give the registry URL, e.g. https://registry.example.com/v1/ or registry.example.com:5000.",
    )
    if not value or len(value) > 2048 or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        raise bad
    try:
        parts = urlsplit(value if "://" in value else f"https://{value}")
        port = parts.port
    except ValueError:  # an unclosed [ (IPv6 literal) or a bad port
        raise bad from None
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise bad
    if "@" in parts.netloc:
        raise UsageError(
            f"invalid --server {value!r}: it carries credentials",
            fix="Give the registry URL without user:password; the password goes to --password-stdin.",
        )
    host = parts.hostname
    if not (_HOST.fullmatch(host) or _ip(host)) or (port is not None and not 0 < port < 65536):
        raise bad
    return value


def check_username(value: str) -> str:
    if not _USERNAME.fullmatch(value):
        raise UsageError(
            f"invalid --username {value!r}", fix="Use letters, digits and . _ @ + $ - (at most 255 characters)."
        )
    return value


def _ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@hookimpl
def register_providers(register: Any) -> None:
    register(DockerHub)
    register(Private)

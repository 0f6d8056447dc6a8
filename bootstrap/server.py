"""A registry server as users and the platform write it, and the one set of rules for comparing and rendering it.

`Server.parse` never fails (a platform entry may hold any text); `check_server` is what a command line must give.
Two servers are the same registry when they differ only in scheme, letter case or trailing slashes: what
`https://Registry.example.com/v1/` and `registry.example.com/v1` name is one registry. A port or a path is part of
the server (`host:5000` is not `host`), and Docker Hub's aliases are told apart from each other: the platform holds
one of them as written, and a credential for `docker.io` is not one for `https://index.docker.io/v1/`.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bootstrap.errors import UsageError

SCHEMES = ("https", "http")
# The names Docker Hub answers to: its v1 index (what `docker login` writes), the short name, and the v2 API host.
DOCKER_HUB_HOSTS = ("index.docker.io", "docker.io", "registry-1.docker.io")
# Wide enough for _json_key, GitLab's gitlab+deploy-token-1 and Harbor's robot$project+name; no spaces or ':'.
_USERNAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._@+$-]{0,254}")
_HOST = re.compile(r"(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")


@dataclass(frozen=True, eq=False)
class Server:
    """One registry server: `text` as written (what the platform is given, and `str()`), and its parts."""

    text: str
    scheme: str  # "https", "http", or "" when none was written
    written: str  # the rest: host[:port][/path] without trailing slashes, letter case as written

    @classmethod
    def parse(cls, text: str) -> Server:
        for scheme in SCHEMES:
            if text.lower().startswith(f"{scheme}://"):
                return cls(text, scheme, text[len(scheme) + 3 :].rstrip("/"))
        return cls(text, "", text.rstrip("/"))

    @property
    def netloc(self) -> str:
        """[user@]host[:port] as written."""
        return self.written.partition("/")[0]

    @property
    def host(self) -> str:
        """The host name alone, lower case: no user, no port, no IPv6 brackets."""
        host = self.netloc.lower().rpartition("@")[2]
        if host.startswith("["):
            return host[1:].partition("]")[0]
        return host.partition(":")[0]

    @property
    def bare(self) -> str:
        """`host[:port][/path]` in lower case: what comparisons use, and what a registry family's hosts are matched
        against."""
        return self.written.lower()

    @property
    def api_base(self) -> str:
        """Where the registry's `/v2/` lives: the scheme (https unless written) and host; any path is dropped."""
        return f"{self.scheme or 'https'}://{self.netloc}"

    @property
    def docker_hub(self) -> bool:
        return self.host in DOCKER_HUB_HOSTS

    def unreadable(self) -> str | None:
        """Why the text is no address at all (an unclosed IPv6 bracket), or None."""
        try:
            urlsplit(self.text if "//" in self.text else f"//{self.text}")
        except ValueError as err:
            return str(err)
        return None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Server) and self.bare == other.bare

    def __hash__(self) -> int:
        return hash(self.bare)

    def __str__(self) -> str:
        return self.text


def same_server(a: str, b: str) -> bool:
    """Whether two servers as written name the same registry (see the module's rules)."""
    return Server.parse(a) == Server.parse(b)


def check_server(value: str, what: str = "--server") -> Server:
    """A registry address a user may give: `https://host[:port][/path]` or `host[:port][/path]`, http only when
    written; no credentials, query, fragment, spaces or control characters. `what` names it in the error."""
    bad = UsageError(
        f"invalid {what} {value!r}",
        fix="Give the registry URL, e.g. https://registry.example.com/v1/ or registry.example.com:5000.",
    )
    if not value or len(value) > 2048 or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        raise bad
    try:
        parts = urlsplit(value if "://" in value else f"https://{value}")
        port = parts.port
    except ValueError:  # an unclosed [ (IPv6 literal) or a bad port
        raise bad from None
    if parts.scheme not in SCHEMES or not parts.hostname or parts.query or parts.fragment:
        raise bad
    if "@" in parts.netloc:
        raise UsageError(
            f"invalid {what} {value!r}: it carries credentials",
            fix="Give the registry URL without user:password; the password goes to --password-stdin.",
        )
    host = parts.hostname
    if not (_HOST.fullmatch(host) or _ip(host)) or (port is not None and not 0 < port < 65536):
        raise bad
    return Server.parse(value)


def check_username(value: str) -> str:
    """A registry username: letters, digits and . _ @ + $ -, at most 255 characters (Basic auth forbids ':')."""
    if not _USERNAME.fullmatch(value):
        raise UsageError(
            f"invalid --username {value!r}", fix="Use letters, digits and . _ @ + $ - (at most 255 characters)."
        )
    return value


def _ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True

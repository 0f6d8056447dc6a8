"""The consumer: one platform credential, named by (platform project, region, secret name)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Any

from bootstrap.errors import UsageError

DEFAULT_SECRET_NAME = "docker-credentials"
DEFAULT_IDENTITY = "akka-docker-reader"  # the platform docs' name for the identity behind the default secret
_SECRET_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_PLAIN = re.compile(r"[A-Za-z0-9][-A-Za-z0-9_.]*")


@dataclass(frozen=True)
class Consumer:
    """Who will hold the credential. `project` is None until the platform resolves its configured project."""

    secret_name: str = DEFAULT_SECRET_NAME
    project: str | None = None
    region: str | None = None
    owner: str | None = None
    email: str = ""
    platform: str = "akka"

    def __post_init__(self) -> None:
        if len(self.secret_name) > 63 or not _SECRET_NAME.fullmatch(self.secret_name):
            raise UsageError(
                f"invalid secret name {self.secret_name!r}",
                fix="Use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit.",
            )
        for flag, value in (
            ("--akka-project", self.project),
            ("--akka-region", self.region),
            ("--akka-owner", self.owner),
        ):
            if value is not None and (len(value) > 128 or not _PLAIN.fullmatch(value)):
                raise UsageError(f"invalid {flag} {value!r}", fix="Use letters, digits, '-', '_' and '.'.")
        if self.email and (len(self.email) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", self.email)):
            raise UsageError(f"invalid --email {self.email!r}", fix="Give an address like team@example.com.")

    def resolved(self, project: str) -> Consumer:
        return replace(self, project=project)

    def public(self) -> dict[str, Any]:
        """Who the consumer is, for results: every field but the email, in the order results have always shown."""
        return {name: getattr(self, name) for name in ("platform", "project", "region", "owner", "secret_name")}

    @property
    def identity_name(self) -> str:
        """The identity this consumer gets when none is named: the platform docs' `akka-docker-reader` for the default
        secret name, else one derived from the consumer, stable across reruns and distinct per consumer, so that
        consumers in one cloud project never collide: `akka-<secret>` cut to fit, and four hex digits of a hash of
        the consumer label; 6-30 lowercase characters, which every cloud's naming rules accept."""
        if self.secret_name == DEFAULT_SECRET_NAME:
            return DEFAULT_IDENTITY
        digest = hashlib.sha256(self.label.encode()).hexdigest()[:4]
        return f"{f'akka-{self.secret_name}'[:25].rstrip('-')}-{digest}"

    @property
    def label(self) -> str:
        """How an identity records which platform credential it serves, e.g. `akka:shop/*/docker-credentials`."""
        return f"{self.platform}:{self.project or '?'}/{self.region or '*'}/{self.secret_name}"

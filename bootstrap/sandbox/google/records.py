"""The Google resources the emulator keeps: projects, service accounts, keys, repositories and IAM policies."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

EMPTY_POLICY_ETAG = b"\x00\x20\x01"  # "ACAB": what Google answers for a resource that never had a policy


def new_etag() -> bytes:
    return b"\x07" + secrets.token_bytes(7)  # 8 bytes like the real ones ("BwY..."): base64 on the REST wire


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Policy:
    """An IAM policy: role -> members, a version and an etag that changes on every write."""

    bindings: dict[str, list[str]] = field(default_factory=dict)
    version: int = 0
    etag: bytes = EMPTY_POLICY_ETAG
    granted_at: dict[tuple[str, str], float] = field(default_factory=dict)  # (role, member) -> clock at grant

    def grants(self, member: str, role: str) -> bool:
        return member in self.bindings.get(role, ())

    def members(self) -> set[str]:
        return {m for members in self.bindings.values() for m in members}


@dataclass
class Project:
    project_id: str
    number: str
    display_name: str
    policy: Policy
    create_time: datetime = field(default_factory=now)
    disabled_services: set[str] = field(default_factory=set)  # e.g. iam.googleapis.com in a new project

    @property
    def name(self) -> str:
        return f"projects/{self.project_id}"


@dataclass
class ServiceAccount:
    project: str
    account_id: str
    unique_id: str
    display_name: str = ""
    description: str = ""
    disabled: bool = False
    created_at: float = 0.0  # model clock, for propagation

    @property
    def email(self) -> str:
        return f"{self.account_id}@{self.project}.iam.gserviceaccount.com"

    @property
    def name(self) -> str:
        return f"projects/{self.project}/serviceAccounts/{self.email}"

    @property
    def member(self) -> str:
        return f"serviceAccount:{self.email}"


@dataclass
class ServiceAccountKey:
    account: ServiceAccount
    key_id: str
    key_type: str  # USER_MANAGED | SYSTEM_MANAGED
    valid_after: datetime
    valid_before: datetime
    public_key_data: bytes
    private_key_data: str = ""  # the key-file JSON text; kept only for user-managed keys
    disabled: bool = False
    created_at: float = 0.0  # model clock, for key propagation

    @property
    def name(self) -> str:
        return f"{self.account.name}/keys/{self.key_id}"


@dataclass
class Repository:
    project: str
    location: str
    repository_id: str
    format: str = "DOCKER"
    description: str = ""
    policy: Policy = field(default_factory=Policy)
    create_time: datetime = field(default_factory=now)

    @property
    def name(self) -> str:
        return f"projects/{self.project}/locations/{self.location}/repositories/{self.repository_id}"

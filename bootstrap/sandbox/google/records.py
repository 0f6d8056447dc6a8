"""The Google resources the emulator keeps: projects, service accounts, keys, repositories and IAM policies.

A resource's name (and an account's email and unique id) are fields, not properties: the service assigns them once,
in the operation that creates the resource, and stores them; the API reference marks them "Output only"
(https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts: "IAM uses these values to create an
email address that identifies the service account"), and moto's models likewise assign an ARN in their create.
"""

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
    name: str  # projects/P
    project_id: str
    number: str
    display_name: str
    policy: Policy
    create_time: datetime = field(default_factory=now)
    disabled_services: set[str] = field(default_factory=set)  # e.g. iam.googleapis.com in a new project


@dataclass
class ServiceAccount:
    name: str  # projects/P/serviceAccounts/EMAIL
    project: str
    email: str
    unique_id: str
    display_name: str = ""
    description: str = ""
    disabled: bool = False
    created_at: float = 0.0  # model clock, for propagation

    @property
    def member(self) -> str:
        """How IAM policies name the account (not a field of the account: a policy's way of naming principals)."""
        return f"serviceAccount:{self.email}"


@dataclass
class ServiceAccountKey:
    name: str  # the account's name + /keys/KEY_ID
    account: ServiceAccount
    key_id: str
    key_type: str  # USER_MANAGED | SYSTEM_MANAGED
    valid_after: datetime
    valid_before: datetime
    public_key_data: bytes
    private_key_data: str = ""  # the key-file JSON text; kept only for user-managed keys
    disabled: bool = False
    created_at: float = 0.0  # model clock, for key propagation


@dataclass
class Repository:
    name: str  # projects/P/locations/L/repositories/R
    project: str
    location: str
    repository_id: str
    format: str = "DOCKER"
    description: str = ""
    policy: Policy = field(default_factory=Policy)
    create_time: datetime = field(default_factory=now)

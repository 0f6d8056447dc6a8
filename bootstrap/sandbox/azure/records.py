"""The things the Azure sandbox keeps: registries, role assignments, apps, passwords and service principals.

A resource's id and a registry's login server are fields, not properties: ARM assigns them once, when it creates the
resource, and stores them; the SDK's models mark them read-only (azure-mgmt-containerregistry's `Resource.id` and
`RegistryProperties.login_server` are `rest_field(visibility=["read"])`: "populated by the server"), as moto's models
assign an ARN in their create.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

ACR = "Microsoft.ContainerRegistry/registries"
LEGACY_MODE = "LegacyRegistryPermissions"
ABAC_MODE = "AbacRepositoryPermissions"


def utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@dataclass
class Registry:
    id: str  # /subscriptions/S/resourceGroups/RG/providers/Microsoft.ContainerRegistry/registries/NAME
    name: str
    subscription: str
    resource_group: str
    login_server: str  # name.azurecr.io
    location: str = "westeurope"
    abac: bool = False
    sku: str = "Standard"
    created_at: float = field(default_factory=time.time)

    @property
    def role_assignment_mode(self) -> str:
        return ABAC_MODE if self.abac else LEGACY_MODE


@dataclass
class RoleAssignment:
    id: str  # the scope + /providers/Microsoft.Authorization/roleAssignments/NAME
    name: str
    scope: str
    role_id: str  # the role definition's GUID
    principal_id: str
    principal_type: str
    created_by: str
    condition: str | None = None
    condition_version: str | None = None
    description: str | None = None
    created_at: float = field(default_factory=time.time)

    def same_grant(self, scope: str, role_id: str, principal_id: str) -> bool:
        return (self.scope.lower(), self.role_id, self.principal_id.lower()) == (
            scope.lower(),
            role_id,
            principal_id.lower(),
        )


@dataclass
class Password:
    key_id: str
    secret: str
    display_name: str | None
    start: float
    end: float
    created_at: float = field(default_factory=time.time)

    @property
    def hint(self) -> str:
        return self.secret[:3]

    def current(self, now: float) -> bool:
        return self.start <= now < self.end


@dataclass
class Application:
    id: str
    app_id: str
    display_name: str
    notes: str | None = None
    description: str | None = None
    sign_in_audience: str = "AzureADMyOrg"
    tags: list[str] = field(default_factory=list)
    passwords: list[Password] = field(default_factory=list)
    created_at: float = field(default_factory=time.time)


@dataclass
class ServicePrincipal:
    id: str
    app_id: str
    display_name: str
    account_enabled: bool = True
    notes: str | None = None
    tags: list[str] = field(default_factory=list)
    created_at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class User:
    """The signed-in caller: who the stand-in `az` hands tokens to."""

    id: str
    upn: str = "sandbox.admin@regboot.example"

"""Azure built-in role definitions the sandbox knows, and which of them let a principal pull from a registry."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
ACR_PUSH = "8311e382-0749-4cb8-b61a-304f252e45ec"
REPOSITORY_READER = "b93aa761-3e63-49ed-ac28-beffa264f7ac"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"

# The permission a legacy registry checks on pull, and the data action an ABAC registry checks instead.
PULL_ACTION = "Microsoft.ContainerRegistry/registries/pull/read"
PULL_DATA_ACTION = "Microsoft.ContainerRegistry/registries/repositories/content/read"


@dataclass(frozen=True)
class RoleDefinition:
    id: str
    name: str
    description: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    data_actions: tuple[str, ...] = ()
    not_data_actions: tuple[str, ...] = field(default=())

    def allows(self, action: str) -> bool:
        return _covered(action, self.actions, self.not_actions)

    def allows_data(self, data_action: str) -> bool:
        return _covered(data_action, self.data_actions, self.not_data_actions)

    def grants_pull(self, abac: bool) -> bool:
        """Whether this role lets its holder pull: an ABAC registry honours only repository data actions,
        a legacy one also the registry-wide pull permission (which Owner, Contributor and Reader include)."""
        if self.allows_data(PULL_DATA_ACTION):
            return True
        return not abac and self.allows(PULL_ACTION)


def _covered(action: str, granted: tuple[str, ...], excluded: tuple[str, ...]) -> bool:
    def hit(patterns: tuple[str, ...]) -> bool:
        return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in patterns)

    return hit(granted) and not hit(excluded)


BUILT_IN_ROLES = {
    r.id: r
    for r in (
        RoleDefinition(ACR_PULL, "AcrPull", "acr pull", actions=(PULL_ACTION,)),
        RoleDefinition(
            ACR_PUSH, "AcrPush", "acr push", actions=(PULL_ACTION, "Microsoft.ContainerRegistry/registries/push/write")
        ),
        RoleDefinition(
            REPOSITORY_READER,
            "Container Registry Repository Reader",
            "Allows read access to Azure Container Registry repositories, including ABAC-conditioned ones.",
            data_actions=(PULL_DATA_ACTION, "Microsoft.ContainerRegistry/registries/repositories/metadata/read"),
        ),
        RoleDefinition(
            OWNER, "Owner", "Grants full access to manage all resources, including assigning roles.", actions=("*",)
        ),
        RoleDefinition(
            CONTRIBUTOR,
            "Contributor",
            "Grants full access to manage all resources, but does not allow you to assign roles.",
            actions=("*",),
            not_actions=(
                "Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/elevateAccess/Action",
            ),
        ),
        RoleDefinition(
            READER, "Reader", "View all resources, but does not allow you to make any changes.", actions=("*/read",)
        ),
        RoleDefinition(
            USER_ACCESS_ADMINISTRATOR,
            "User Access Administrator",
            "Lets you manage user access.",
            actions=("*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"),
        ),
    )
}

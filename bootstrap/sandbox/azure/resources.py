"""The Azure sandbox's resources and the caller's rights over them: subscriptions, resource groups, container
registries, resource-provider registrations, and which ARM actions the caller may take at a scope."""

from __future__ import annotations

import fnmatch
import re

from bootstrap.sandbox.azure import errors
from bootstrap.sandbox.azure.errors import CloudError
from bootstrap.sandbox.azure.records import ACR, Registry, User
from bootstrap.sandbox.azure.subscriptions import ResourceProviders

_REGISTRY_NAME = re.compile(r"^[a-zA-Z0-9]{5,50}$")


def covers(outer: str, inner: str) -> bool:
    """Whether a grant at scope `outer` applies at scope `inner` (same scope or beneath it)."""
    outer, inner = outer.lower().rstrip("/"), inner.lower().rstrip("/")
    return inner == outer or inner.startswith(outer + "/")


class Resources:
    """What ARM holds in one tenant; part of AzureModel, which sets these attributes."""

    subscription: str
    subscriptions: dict[str, str]
    resource_providers: ResourceProviders
    resource_groups: dict[tuple[str, str], str]
    registries: dict[str, Registry]
    arm_denied_actions: set[str]
    user: User

    # --- seeding -------------------------------------------------------------------------------------
    def add_subscription(self, subscription: str, name: str = "regboot sandbox") -> str:
        self.subscriptions[subscription.lower()] = name
        return subscription.lower()

    def add_resource_group(self, name: str, *, subscription: str | None = None) -> str:
        sub = (subscription or self.subscription).lower()
        if sub not in self.subscriptions:
            raise ValueError(f"unknown subscription {sub}")
        return self.resource_groups.setdefault((sub, name.lower()), name)

    def add_registry(
        self,
        name: str,
        *,
        resource_group: str = "regboot-sandbox",
        abac: bool = False,
        subscription: str | None = None,
        location: str = "westeurope",
    ) -> Registry:
        if not _REGISTRY_NAME.match(name):
            raise ValueError(f"registry name {name!r}: 5-50 letters and digits")
        if name.lower() in self.registries:
            raise ValueError(f"registry {name!r} already exists (names are global)")
        rg = self.add_resource_group(resource_group, subscription=subscription)
        sub = (subscription or self.subscription).lower()
        resource_id = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{ACR}/{name}"
        registry = Registry(resource_id, name, sub, rg, f"{name.lower()}.azurecr.io", location, abac)
        self.registries[name.lower()] = registry
        return registry

    # --- the caller's ARM permissions ----------------------------------------------------------------
    def require(self, action: str, scope: str) -> None:
        if any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in self.arm_denied_actions):
            raise errors.authorization_failed(self.user.upn, self.user.id, action, scope)

    def caller_permissions(self, scope: str) -> list[dict[str, list[str]]]:
        self.resolve_scope(scope)
        return [
            {"actions": ["*"], "notActions": sorted(self.arm_denied_actions), "dataActions": [], "notDataActions": []}
        ]

    # --- scopes and registries -----------------------------------------------------------------------
    def resolve_scope(self, scope: str) -> str:
        """The canonical spelling of a scope the sandbox models, or the cloud's error for one that does not exist."""
        parts = [p for p in scope.split("/") if p]
        words = [p.lower() for p in parts[0::2]]  # the fixed words between the names
        if words == ["subscriptions"]:
            return f"/subscriptions/{self._subscription(parts[1])}"
        if words == ["subscriptions", "resourcegroups"]:
            return f"/subscriptions/{self._subscription(parts[1])}/resourceGroups/{self._resource_group(*parts[1:4:2])}"
        if (
            words == ["subscriptions", "resourcegroups", "providers", "registries"]
            and parts[5].lower() == "microsoft.containerregistry"
        ):
            return self.get_registry(parts[1], parts[3], parts[7], check=False).id
        raise CloudError(
            400, "InvalidScope", f"regboot sandbox: scope '{scope}' is not a subscription, resource group or registry"
        )

    def _subscription(self, subscription: str) -> str:
        if subscription.lower() not in self.subscriptions:
            raise CloudError(404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be found.")
        return subscription.lower()

    def _resource_group(self, subscription: str, name: str) -> str:
        rg = self.resource_groups.get((self._subscription(subscription), name.lower()))
        if rg is None:
            raise CloudError(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")
        return rg

    def list_registries(
        self, subscription: str, resource_group: str | None = None, *, lagging: bool = False
    ) -> list[Registry]:
        sub = self._subscription(subscription)
        self.resource_providers.require(sub, "Microsoft.ContainerRegistry")
        scope = f"/subscriptions/{sub}"
        if resource_group is not None:
            scope += f"/resourceGroups/{self._resource_group(sub, resource_group)}"
        self.require("Microsoft.ContainerRegistry/registries/read", scope)
        return [] if lagging else [r for r in self.registries.values() if covers(scope, r.id)]

    def get_registry(
        self, subscription: str, resource_group: str, name: str, *, lagging: bool = False, check: bool = True
    ) -> Registry:
        self.resource_providers.require(self._subscription(subscription), "Microsoft.ContainerRegistry")
        rg = self._resource_group(subscription, resource_group)
        registry = self.registries.get(name.lower())
        if (
            registry is None
            or lagging
            or registry.subscription != subscription.lower()
            or registry.resource_group != rg
        ):
            raise CloudError(
                404,
                "ResourceNotFound",
                f"The Resource 'Microsoft.ContainerRegistry/registries/{name}' under resource group "
                f"'{resource_group}' was not found. For more details please go to "
                "https://aka.ms/ARMResourceNotFoundFix",
            )
        if check:
            self.require("Microsoft.ContainerRegistry/registries/read", registry.id)
        return registry

    # --- resource providers --------------------------------------------------------------------------
    def set_resource_provider(self, namespace: str, *, registered: bool, subscription: str | None = None) -> str:
        """Seed a subscription's registration for `namespace` (e.g. unregistered, as on a new subscription)."""
        sub = self._subscription(subscription or self.subscription)
        self.resource_providers.set_registered(sub, namespace, registered)
        return self.resource_providers.state(sub, namespace)

    def resource_provider(self, subscription: str, namespace: str) -> str:
        """The subscription's registration state for `namespace`."""
        return self.resource_providers.state(self._subscription(subscription), namespace)

    def register_resource_provider(self, subscription: str, namespace: str) -> str:
        """`az provider register`: takes `{namespace}/register/action` on the subscription; done at once here."""
        sub = self._subscription(subscription)
        self.require(f"{namespace}/register/action", f"/subscriptions/{sub}")
        self.resource_providers.set_registered(sub, namespace, True)
        return self.resource_providers.state(sub, namespace)

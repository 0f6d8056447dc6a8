"""Which subscription holds the registry, when neither --subscription nor AZURE_SUBSCRIPTION_ID says.

As `az` users expect: the az CLI's default subscription when az is the credential in use; failing that, every
subscription the credential can list, searched for the registry by name (registry names are globally unique).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bootstrap.api import PreconditionError

if TYPE_CHECKING:
    from providers.azure.cloud import Azure


def find_subscription(azure: Azure, registry: str) -> str:
    default = azure.cli_default_subscription()
    if default and _holds(azure, default, registry):
        return default
    listed = azure.subscriptions()
    for subscription, _ in listed:
        if subscription.lower() != default and _holds(azure, subscription, registry):
            return subscription.lower()
    searched = [f"{name} ({s})" if name else s for s, name in listed]
    if default and default not in {s.lower() for s, _ in listed}:
        searched.insert(0, default)
    raise PreconditionError(
        f"container registry {registry} not found in any subscription your Azure login can see: "
        f"{', '.join(searched) or 'none'}",
        fix="Check --registry (the name, not the login server), or pass --subscription ID.",
        code="unknown_registry",
    )


def _holds(azure: Azure, subscription: str, registry: str) -> bool:
    """Whether `registry` is in `subscription`; one where registries cannot be listed holds none for us."""
    from providers.azure.cloud import UNREGISTERED, code_of, status_of

    def unlistable(err: Exception) -> bool:
        return status_of(err) in (401, 403, 404) or code_of(err) == UNREGISTERED

    from providers.azure import registries

    try:
        found = azure.arm(
            f"registries in subscription {subscription}",
            lambda: registries.registries(azure, subscription),
            allow=unlistable,
        )
    except Exception as err:
        if unlistable(err):
            return False
        raise
    return any(r.name.lower() == registry.lower() for r in found)

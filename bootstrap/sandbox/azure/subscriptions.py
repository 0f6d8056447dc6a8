"""Which resource providers each subscription of the Azure sandbox is registered for.

ARM serves a resource type only to a subscription registered for its namespace; a new subscription is not
registered for most, Microsoft.ContainerRegistry among them, while Microsoft.Authorization and Microsoft.Resources
are always registered ("Resolve errors for resource provider registration",
https://learn.microsoft.com/azure/azure-resource-manager/templates/error-register-resource-provider). Until it is,
every call under the namespace answers 409 `MissingSubscriptionRegistration` (errors.missing_subscription_registration).
Registering is the action `{namespace}/register/action` on the subscription (`az provider register --namespace N`).

The sandbox's subscriptions start registered for everything, since most tests are about something else; a test
unregisters a namespace to rehearse a new subscription.
"""

from __future__ import annotations

from bootstrap.sandbox.azure import errors

ALWAYS_REGISTERED = {"microsoft.authorization", "microsoft.resources"}
NAMESPACES = {n.lower(): n for n in ("Microsoft.ContainerRegistry", "Microsoft.Authorization", "Microsoft.Resources")}


def canonical(namespace: str) -> str:
    return NAMESPACES.get(namespace.lower(), namespace)


class ResourceProviders:
    """The (subscription, namespace) pairs that are not registered; every other pair is."""

    def __init__(self) -> None:
        self._unregistered: set[tuple[str, str]] = set()

    def set_registered(self, subscription: str, namespace: str, registered: bool) -> None:
        key = (subscription.lower(), namespace.lower())
        if registered:
            self._unregistered.discard(key)
        elif key[1] in ALWAYS_REGISTERED:
            raise ValueError(f"{canonical(namespace)} is always registered")
        else:
            self._unregistered.add(key)

    def registered(self, subscription: str, namespace: str) -> bool:
        return (subscription.lower(), namespace.lower()) not in self._unregistered

    def state(self, subscription: str, namespace: str) -> str:
        return "Registered" if self.registered(subscription, namespace) else "NotRegistered"

    def require(self, subscription: str, namespace: str) -> None:
        """Refuse a call under `namespace` the way ARM does while the subscription is not registered for it."""
        if not self.registered(subscription, namespace):
            raise errors.missing_subscription_registration(canonical(namespace))

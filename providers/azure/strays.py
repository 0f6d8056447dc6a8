"""acr strays: apps regboot made for a consumer of an Akka project that no platform credential uses any more.

Graph cannot filter applications on `notes`, where an app records its consumer, so regboot tags every app it creates
and searches by the tag (`tags/any(t:t eq 'regboot')`); apps made before the tag existed are found by the default
names regboot gives (`startswith(displayName,'akka-')`). Both are filters the application resource documents; the
consumer is then read from each app's notes.
"""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bootstrap.api import Held, PlatformEntry, Run, Stray
from providers.azure.targets import APP_TAG, Cloud, cloud_of

if TYPE_CHECKING:
    from providers.azure.cloud import Azure
    from providers.azure.graph import App, Password

LEGACY_PREFIX = "akka-"  # the default names: `akka-docker-reader`, `akka-<secret>-<hash>`
_REGISTRIES = "/providers/microsoft.containerregistry/registries/"


def find(entries: list[PlatformEntry], project: str, run: Run) -> list[Stray]:
    """In the directories of the clouds the platform's ACR entries point at, the apps that record a consumer of Akka
    project `project` and whose app id no entry holds."""
    from providers.azure.cloud import Azure

    by_cloud: dict[Cloud, list[PlatformEntry]] = {}
    for entry in entries:
        if cloud := cloud_of(entry.server):
            by_cloud.setdefault(cloud, []).append(entry)
    in_use = {e.username.lower() for e in entries}
    found: list[Stray] = []
    for cloud, claimed in by_cloud.items():
        azure = Azure(cloud, run.settings.env.get("AZURE_SUBSCRIPTION_ID", ""), run.settings, run.ui)
        try:
            found += _in_directory(azure, claimed, project, in_use)
        finally:
            azure.close()
    return found


def _in_directory(azure: Azure, claimed: list[PlatformEntry], project: str, in_use: set[str]) -> list[Stray]:
    from providers.azure.provider import SERVES

    queries = (f"tags/any(t:t eq '{APP_TAG}')", f"startswith(displayName,'{LEGACY_PREFIX}')")
    apps = {a.id: a for query in queries for a in _apps(azure, query)}
    subscriptions = _subscriptions(azure, claimed)
    found = []
    for app in apps.values():
        notes = app.notes or ""
        serves = notes.removeprefix(SERVES)
        if serves == notes or not serves.startswith(f"akka:{project}/") or app.app_id.lower() in in_use:
            continue
        registry, subscription = _granted_on(azure, app.app_id, subscriptions) or (
            # No grant left to say where it pulled from: any registry names the app to offboard.
            claimed[0].server.removeprefix("https://").split(".", 1)[0],
            "",
        )
        found.append(
            Stray(
                "acr",
                f"{app.display_name} ({app.app_id})",
                serves,
                tuple(_live(app.password_credentials)),
                _fix(registry, subscription, app.display_name or app.app_id, serves),
            )
        )
    return found


def _apps(azure: Azure, query: str) -> list[App]:
    return azure.graph("applications", lambda g: g.apps(query))


def _subscriptions(azure: Azure, claimed: list[PlatformEntry]) -> list[str]:
    """Where the entries' registries are: the only subscriptions whose grants status reads."""
    from providers.azure.provider import _subscription_holding

    if azure.subscription:
        return [azure.subscription]
    names = {e.server.removeprefix("https://").split(".", 1)[0] for e in claimed}
    return sorted({s for s in (_subscription_holding(azure, name) for name in names) if s})


def _granted_on(azure: Azure, app_id: str, subscriptions: list[str]) -> tuple[str, str] | None:
    """(registry, subscription) of a registry role the app's service principal holds, if any."""
    sps = azure.graph("service principals", lambda g: g.principals(f"appId eq '{app_id}'"))
    if not sps:
        return None
    for subscription in subscriptions:
        for scope in _scopes_granted(azure, subscription, sps[0].id):
            if _REGISTRIES in scope.lower():
                return scope.rstrip("/").rsplit("/", 1)[-1], subscription
    return None


def _scopes_granted(azure: Azure, subscription: str, principal_id: str) -> list[str]:
    """The scopes of the principal's role assignments in `subscription`, the subscription itself and beneath it."""
    azure.subscription = subscription
    authorization = azure.authorization
    assignments = azure.arm(
        "role assignments",
        lambda: list(
            authorization.role_assignments.list_for_scope(
                f"/subscriptions/{subscription}", filter=f"principalId eq '{principal_id}'"
            )
        ),
    )
    return [a.scope for a in assignments]


def _live(passwords: tuple[Password, ...]) -> list[Held]:
    from providers.azure.provider import _held

    now = datetime.now(UTC)
    return [h for h in map(_held, passwords) if not h.expires or h.expires > now]


def _fix(registry: str, subscription: str, principal: str, serves: str) -> str:
    """The offboard that removes the app, its grant and its passwords, and nothing on the platform."""
    region, secret = serves.split("/")[-2:]
    command = ["regboot", "offboard", "acr", "--registry", registry]
    command += ["--subscription", subscription] if subscription else []
    command += ["--service-principal", principal, "--secret-name", secret]
    command += ["--akka-region", region] if region != "*" else []
    return shlex.join([*command, "-y"])

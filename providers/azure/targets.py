"""What an Azure onboarding aims at, from validated options: cloud, subscription, registry, identity, expiry."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bootstrap.api import DEFAULT_IDENTITY, Server, UsageError

DEFAULT_PRINCIPAL = DEFAULT_IDENTITY
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
REPOSITORY_READER = "b93aa761-3e63-49ed-ac28-beffa264f7ac"  # what an ABAC-mode registry honours instead
# On every app regboot creates: Graph filters apps by tags but not by notes, so `status` finds its apps by the tag.
APP_TAG = "regboot"
ROLE_NAMES = {ACR_PULL: "AcrPull", REPOSITORY_READER: "Container Registry Repository Reader"}
# Fixed namespace: the same (scope, role, principal) always gives the same assignment name, so a rerun finds it.
ASSIGNMENTS = uuid.UUID("6f0c1bd4-5a8e-4c59-9a55-2d3c7e1f0a21")


@dataclass(frozen=True)
class Cloud:
    name: str
    arm: str
    graph: str
    authority: str
    registry_suffix: str


def token_scope(audience: str) -> str:
    """What a token for one of a cloud's APIs (its `arm` or `graph` URL) is asked for: the API's `.default` scope."""
    return f"{audience.rstrip('/')}/.default"


CLOUDS = {
    "AzureCloud": Cloud(
        "AzureCloud",
        "https://management.azure.com",
        "https://graph.microsoft.com",
        "login.microsoftonline.com",
        ".azurecr.io",
    ),
    "AzureChinaCloud": Cloud(
        "AzureChinaCloud",
        "https://management.chinacloudapi.cn",
        "https://microsoftgraph.chinacloudapi.cn",
        "login.chinacloudapi.cn",
        ".azurecr.cn",
    ),
    "AzureUSGovernment": Cloud(
        "AzureUSGovernment",
        "https://management.usgovcloudapi.net",
        "https://graph.microsoft.us",
        "login.microsoftonline.us",
        ".azurecr.us",
    ),
}


def cloud_of(server: str) -> Cloud | None:
    """The cloud whose registries' login servers end like `server`'s host, if any."""
    host = Server.parse(server).bare
    return next((c for c in CLOUDS.values() if host.endswith(c.registry_suffix)), None)


_REGISTRY = re.compile(r"[A-Za-z0-9]{5,50}")
_GROUP = re.compile(r"[-\w._()]{1,90}")
_PRINCIPAL = re.compile(r"[A-Za-z0-9][-A-Za-z0-9_. ]{0,119}")
_DURATION = re.compile(r"(\d{1,5})([hdwy])")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1), "y": timedelta(days=365)}


@dataclass(frozen=True)
class Target:
    cloud: Cloud
    subscription: str  # "" until the provider has found it
    registry: str
    resource_group: str | None
    principal: str  # "" until the consumer's default is known (Acr names it)
    expires_in: timedelta
    app_id: str | None = None  # by --secret-name alone: the platform entry names the app, not its name
    reassign: bool = False  # let the app serve this consumer even if it records another one


def check(options: Mapping[str, Any], env: Mapping[str, str]) -> Target:
    registry = options.get("registry") or ""
    if not _REGISTRY.fullmatch(registry):
        raise UsageError(
            f"invalid --registry {registry!r}",
            fix="Give the registry's name (5-50 letters and digits), not its login server.",
        )
    group = options.get("resource_group")
    if group is not None and (not _GROUP.fullmatch(group) or group.endswith(".")):
        raise UsageError(f"invalid --resource-group {group!r}", fix="Use letters, digits, '-', '_', '.', '(' or ')'.")
    principal = options.get("service_principal") or ""  # none: the consumer's own default, named by Acr
    if principal and (not _PRINCIPAL.fullmatch(principal) or principal != principal.strip()):
        raise UsageError(
            f"invalid --service-principal {principal!r}", fix="Use up to 120 letters, digits, spaces, '-', '_' and '.'."
        )
    cloud_name = options.get("cloud") or "AzureCloud"
    if cloud_name not in CLOUDS:
        raise UsageError(f"invalid --cloud {cloud_name!r}", fix=f"Use one of {', '.join(CLOUDS)}.")
    return Target(
        CLOUDS[cloud_name],
        subscription(options.get("subscription") or env.get("AZURE_SUBSCRIPTION_ID") or ""),
        registry,
        group,
        principal,
        duration(options.get("expires_in") or "365d"),
        options.get("app_id"),
        bool(options.get("reassign")),
    )


def subscription(given: str) -> str:
    """A subscription id as a GUID; "" when none is given (the provider finds it: az's default, or the one the
    registry is in)."""
    if not given:
        return ""
    try:
        return str(uuid.UUID(given))
    except ValueError:
        raise UsageError(
            f"invalid subscription {given!r}",
            fix="Pass --subscription ID or set AZURE_SUBSCRIPTION_ID (a GUID; `az account list -o table`).",
        ) from None


def duration(text: str) -> timedelta:
    match = _DURATION.fullmatch(text.strip())
    span = _UNITS[match.group(2)] * int(match.group(1)) if match else timedelta(0)
    if not timedelta(hours=1) <= span <= timedelta(days=3650):
        raise UsageError(f"invalid --expires-in {text!r}", fix="Give a duration like 90d, 12w or 1y (1 h to 10 y).")
    return span


def assignment_name(scope: str, role: str, principal_id: str) -> str:
    return str(uuid.uuid5(ASSIGNMENTS, f"{scope.lower()}|{role}|{principal_id.lower()}"))

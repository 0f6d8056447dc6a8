"""ARM's reads of container registries and subscriptions, the three regboot makes (Registries - Get, Registries -
List, Subscriptions - List), as plain GETs through the management pipeline regboot builds for role assignments
anyway, instead of azure-mgmt-containerregistry: importing that library cost about 50 ms of every acr run, for
three GETs. The paths and api-version are the library's (azure-mgmt-containerregistry 15, `registries.get` and
`registries.list`); a failure raises what the library raises, `map_error` then `HttpResponseError` in ARM's error
format (its generated `_operations.py`), so callers and their retries see the same errors.
https://learn.microsoft.com/rest/api/containerregistry/registries/get
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from providers.azure.cloud import Azure

API_VERSION = "2025-11-01"  # azure-mgmt-containerregistry 15's
SUBSCRIPTIONS_API_VERSION = "2022-12-01"
_ABAC = "abacrepositorypermissions"  # roleAssignmentMode of a registry that needs Repository Reader to pull


@dataclass(frozen=True)
class Registry:
    id: str
    name: str
    login_server: str
    abac: bool  # role assignments follow repository permissions: the pull role is another one

    @classmethod
    def parse(cls, body: dict[str, Any]) -> Registry:
        properties = body.get("properties") or {}
        mode = str(properties.get("roleAssignmentMode") or "")
        return cls(body["id"], body["name"], properties.get("loginServer") or "", mode.lower() == _ABAC)


def registry(azure: Azure, group: str, name: str) -> Registry:
    path = f"/resourceGroups/{group}/providers/Microsoft.ContainerRegistry/registries/{name}"
    return Registry.parse(get(azure, f"/subscriptions/{azure.subscription}{path}?api-version={API_VERSION}"))


def registries(azure: Azure, subscription: str | None = None) -> list[Registry]:
    url = f"/subscriptions/{subscription or azure.subscription}/providers/Microsoft.ContainerRegistry/registries"
    return [Registry.parse(r) for r in pages(azure, f"{url}?api-version={API_VERSION}", subscription)]


def subscriptions(azure: Azure) -> list[tuple[str, str]]:
    """(id, display name) of every subscription the credential can list."""
    found = pages(azure, f"/subscriptions?api-version={SUBSCRIPTIONS_API_VERSION}", "-")  # the path names none
    return [(s["subscriptionId"], s.get("displayName") or "") for s in found]


def pages(azure: Azure, url: str, subscription: str | None = None) -> list[dict[str, Any]]:
    """Every item of a listing, following `nextLink`."""
    found: list[dict[str, Any]] = []
    while url:
        page = get(azure, url, subscription)
        found += page.get("value", [])
        url = page.get("nextLink") or ""
    return found


def get(azure: Azure, url: str, subscription: str | None = None) -> dict[str, Any]:
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ResourceExistsError,
        ResourceNotFoundError,
        ResourceNotModifiedError,
        map_error,
    )
    from azure.core.rest import HttpRequest
    from azure.mgmt.core.exceptions import ARMErrorFormat

    pipeline = azure.arm_pipeline(subscription or azure.subscription)
    response = pipeline.send_request(HttpRequest("GET", pipeline.format_url(url)))  # a nextLink stays absolute
    if response.status_code != 200:
        errors = {
            401: ClientAuthenticationError,
            404: ResourceNotFoundError,
            409: ResourceExistsError,
            304: ResourceNotModifiedError,
        }
        map_error(status_code=response.status_code, response=response, error_map=errors)
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)
    return dict(response.json())

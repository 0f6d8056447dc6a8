"""Names and helpers the Azure sandbox tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

from azure.core.pipeline.policies import SansIOHTTPPolicy

from bootstrap.sandbox.azure import AzureEmulator

ARM_SCOPE = "https://management.azure.com/.default"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
LEGACY_REGISTRY = "regbootlegacy"
ABAC_REGISTRY = "regbootabac"
RESOURCE_GROUP = "rg-registries"


class AllowHttpToEmulator(SansIOHTTPPolicy):
    """ARM clients refuse to send a bearer token over http; the emulator is plain http on loopback."""

    def on_request(self, request: Any) -> None:
        request.context["enforce_https"] = False


def arm_client(cls: type, azure: AzureEmulator, credential: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("credential_scopes", [ARM_SCOPE])
    return cls(
        credential,
        azure.model.subscription,
        base_url=azure.arm.url,
        per_call_policies=[AllowHttpToEmulator()],
        **kwargs,
    )


def registry_id(azure: AzureEmulator, name: str) -> str:
    return azure.model.registries[name].id


def role_id(azure: AzureEmulator, guid: str) -> str:
    return f"/subscriptions/{azure.model.subscription}/providers/Microsoft.Authorization/roleDefinitions/{guid}"


def identity(azure: AzureEmulator, name: str = "akka-docker-reader") -> tuple[str, str, str]:
    """An app with a service principal and a password, made directly in the model: (app id, SP id, secret)."""
    directory = azure.model.directory
    app = directory.create_application(name)
    sp = directory.create_service_principal(app.app_id)
    return app.app_id, sp.id, directory.add_password(app.id).secret


def raw(
    url: str, path: str, *, method: str = "GET", token: str | None = None, body: Any = None
) -> tuple[int, Any, Any]:
    """One plain HTTP request, for what no SDK shows: status, headers and parsed JSON body."""
    split = urlsplit(url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, response.headers, json.loads(data) if data else None
    finally:
        connection.close()

"""The Azure sandbox's control API, for tests and tools in other processes; served on the ARM emulator's port.

It is answered before routing, so it is neither logged in the CallLog nor fault-injected, and needs no token:

  POST /_sandbox/faults      {"operation": "graph.applications.*", "fault": {"kind": "error", "status": 503},
                              "times": 1, "at": 1}   (at: the first matching call to fault, from 1)
  POST /_sandbox/config      model knobs, e.g. {"replication_delay": 0.5, "graph_denied": true}
  POST /_sandbox/registries  {"name": "myregistry", "resource_group": "rg", "abac": false}
  POST /_sandbox/providers   {"namespace": "Microsoft.ContainerRegistry", "registered": false[, "subscription": S]}
  GET  /_sandbox/calls       {"calls": [{"service", "operation", "mutating", "resource", "at", "fault"}, ...]}
  GET  /_sandbox/state       tenant, subscriptions, registries, role assignments, apps, service principals; no secret
  GET  /_sandbox/token?resource=R[&tenant=T][&subscription=S]   what `az account get-access-token` prints
  GET  /_sandbox/account     what `az account show` prints
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bootstrap.sandbox.azure.errors import CloudError
from bootstrap.sandbox.azure.model import AzureModel
from bootstrap.sandbox.azure.records import utc
from bootstrap.sandbox.faults import CallLog, Fault
from bootstrap.sandbox.http import Response

PREFIX = "/_sandbox/"
KNOBS: dict[str, Callable[[Any], Any]] = {
    "replication_delay": float,
    "password_delay": float,
    "graph_denied": bool,
    "signed_in": bool,
    "token_lifetime": float,
    "cli_subscription": str,
    "login_unreachable": str,
    "arm_denied_actions": lambda v: {str(a) for a in v},
}


def serve(
    model: AzureModel,
    calls: CallLog,
    h: BaseHTTPRequestHandler,
    write: Callable[[BaseHTTPRequestHandler, Response], None],
) -> None:
    split = urlsplit(h.path)
    length = int(h.headers.get("Content-Length") or 0)
    body = h.rfile.read(length) if length else b""
    query = {k: v[-1] for k, v in parse_qs(split.query).items()}
    try:
        data = json.loads(body) if body else {}
        response = handle(model, calls, h.command, split.path.removeprefix(PREFIX), query, data)
    except CloudError as err:
        response = Response(err.status, {"error": {"code": err.code, "message": err.message}})
    except (ValueError, TypeError, KeyError) as err:
        response = Response(400, {"error": {"code": "BadRequest", "message": f"regboot sandbox control: {err}"}})
    write(h, response)


def handle(model: AzureModel, calls: CallLog, method: str, what: str, query: dict[str, str], data: Any) -> Response:
    if (method, what) == ("POST", "faults"):
        calls.inject(
            data["operation"],
            Fault.from_dict(data.get("fault") or {}),
            times=int(data.get("times", 1)),
            at=int(data.get("at", 1)),
        )
        return Response(200, {"pending": calls.pending()})
    if (method, what) == ("POST", "config"):
        unknown = set(data) - set(KNOBS)
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; known: {sorted(KNOBS)}")
        for name, value in data.items():
            setattr(model, name, KNOBS[name](value))
        return Response(200, model.settings())
    if (method, what) == ("POST", "registries"):
        registry = model.add_registry(
            data["name"],
            resource_group=data.get("resource_group", "regboot-sandbox"),
            abac=bool(data.get("abac", False)),
        )
        return Response(201, {"id": registry.id, "loginServer": registry.login_server})
    if (method, what) == ("POST", "providers"):
        registration = model.set_resource_provider(
            data["namespace"], registered=bool(data.get("registered", True)), subscription=data.get("subscription")
        )
        return Response(200, {"namespace": data["namespace"], "registrationState": registration})
    if (method, what) == ("GET", "calls"):
        return Response(200, {"calls": [asdict(c) for c in list(calls.calls)]})
    if (method, what) == ("GET", "state"):
        return Response(200, state(model))
    if (method, what) == ("GET", "token"):
        return Response(
            200,
            model.issue_token(
                query.get("resource", "https://management.core.windows.net/"),
                tenant=query.get("tenant"),
                subscription=query.get("subscription"),
            ),
        )
    if (method, what) == ("GET", "account"):
        return Response(200, account(model, query.get("subscription")))
    return Response(
        501, {"error": {"code": "NotImplemented", "message": f"regboot sandbox control: no {method} {PREFIX}{what}"}}
    )


def account(model: AzureModel, subscription: str | None = None) -> dict[str, Any]:
    """`az account show --output json` for the signed-in user."""
    if not model.signed_in:
        raise CloudError(401, "NotSignedIn", "Please run 'az login' to setup account.")
    sub = (subscription or model.cli_default).lower()
    if sub not in model.subscriptions:
        raise CloudError(404, "SubscriptionNotFound", f"Subscription '{subscription}' not found.")
    return {
        "environmentName": "AzureCloud",
        "homeTenantId": model.tenant,
        "id": sub,
        "isDefault": sub == model.cli_default,
        "managedByTenants": [],
        "name": model.subscriptions[sub],
        "state": "Enabled",
        "tenantId": model.tenant,
        "user": {"name": model.user.upn, "type": "user"},
    }


def state(model: AzureModel) -> dict[str, Any]:
    """Everything the sandbox holds, for a test or tool in another process; password secrets are never in it."""
    directory = model.directory
    return {
        "tenant": model.tenant,
        "subscription": model.subscription,
        "subscriptions": sorted(model.subscriptions),
        "user": {"id": model.user.id, "upn": model.user.upn},
        "settings": model.settings(),
        "registries": [
            {
                "name": r.name,
                "id": r.id,
                "loginServer": r.login_server,
                "resourceGroup": r.resource_group,
                "roleAssignmentMode": r.role_assignment_mode,
            }
            for r in model.registries.values()
        ],
        "roleAssignments": [
            {
                "name": a.name,
                "scope": a.scope,
                "roleDefinitionId": a.role_id,
                "roleName": model.role_definitions[a.role_id].name,
                "principalId": a.principal_id,
                "principalType": a.principal_type,
            }
            for a in model.role_assignments.values()
        ],
        "applications": [
            {
                "id": a.id,
                "appId": a.app_id,
                "displayName": a.display_name,
                "notes": a.notes,
                "passwordCredentials": [
                    {
                        "keyId": p.key_id,
                        "displayName": p.display_name,
                        "hint": p.hint,
                        "startDateTime": utc(p.start).isoformat(),
                        "endDateTime": utc(p.end).isoformat(),
                    }
                    for p in a.passwords
                ],
            }
            for a in directory.applications.values()
        ],
        "servicePrincipals": [
            {"id": s.id, "appId": s.app_id, "displayName": s.display_name}
            for s in directory.service_principals.values()
        ],
    }

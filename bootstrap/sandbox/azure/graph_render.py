"""How Microsoft Graph v1.0 renders what the directory holds: applications, their passwords and service principals
in the shapes of the resource references (https://learn.microsoft.com/graph/api/resources/application,
.../resources/serviceprincipal, .../resources/passwordcredential), and the query options that shape a collection
(`$select`, `$filter`'s filterable properties, paging with `$skiptoken`; see graph.py's docstring)."""

from __future__ import annotations

import base64
from typing import Any

from bootstrap.sandbox.azure import odata
from bootstrap.sandbox.azure.records import Application, Password, ServicePrincipal, utc
from bootstrap.sandbox.http import HttpError, Request

PAGE_SIZE = 100  # Graph's default page of directory objects when no $top is given
# What each collection may be filtered on, and how (see the module docstring): a rule of Graph's, checked per clause.
FILTERABLE = {
    "applications": (
        "Application",
        {"id": "eq", "appId": "eq", "displayName": "eq startswith", "description": "eq startswith", "tags": "any"},
    ),
    "servicePrincipals": (
        "ServicePrincipal",
        {"id": "eq", "appId": "eq startswith", "displayName": "eq startswith", "accountEnabled": "eq", "tags": "any"},
    ),
}


def iso(epoch: float) -> str:
    return utc(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_password(p: Password, *, with_secret: bool = False) -> dict[str, Any]:
    return {
        "customKeyIdentifier": None,
        "displayName": p.display_name,
        "endDateTime": iso(p.end),
        "hint": p.hint,
        "keyId": p.key_id,
        "secretText": p.secret if with_secret else None,
        "startDateTime": iso(p.start),
    }


def render_application(a: Application) -> dict[str, Any]:
    return {
        "id": a.id,
        "appId": a.app_id,
        "displayName": a.display_name,
        "notes": a.notes,
        "description": a.description,
        "signInAudience": a.sign_in_audience,
        "tags": list(a.tags),
        "createdDateTime": iso(a.created_at),
        "deletedDateTime": None,
        "identifierUris": [],
        "keyCredentials": [],
        "passwordCredentials": [render_password(p) for p in a.passwords],
    }


def render_service_principal(s: ServicePrincipal, tenant: str) -> dict[str, Any]:
    return {
        "id": s.id,
        "appId": s.app_id,
        "displayName": s.display_name,
        "appDisplayName": s.display_name,
        "accountEnabled": s.account_enabled,
        "servicePrincipalType": "Application",
        "servicePrincipalNames": [s.app_id],
        "appOwnerOrganizationId": tenant,
        "notes": s.notes,
        "tags": list(s.tags),
        "keyCredentials": [],
        "passwordCredentials": [],
    }


def skipped(token: str | None) -> int:
    """How many items the pages before this one held; a token Graph never gave answers 400 as Graph's does."""
    if token is None:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode())
    except ValueError:
        raise HttpError(400, "Invalid skip token.", code="Request_BadRequest") from None


def refuse_unfilterable(collection: str, clauses: list[odata.Clause]) -> None:
    resource, filterable = FILTERABLE[collection]
    for c in clauses:
        if c.op.lower() not in filterable.get(c.field, "").split():
            raise HttpError(
                400,
                f"Unsupported or invalid query filter clause specified for property '{c.field}' of resource "
                f"'{resource}'.",
                code="Request_UnsupportedQuery",
            )


def select(body: dict[str, Any], request: Request) -> dict[str, Any]:
    fields = [f.strip() for f in request.query.get("$select", "").split(",") if f.strip()]
    if not fields:
        return body
    return {k: v for k, v in body.items() if k in fields or k.startswith("@odata.")}

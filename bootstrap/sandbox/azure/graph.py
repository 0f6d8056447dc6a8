"""Microsoft Graph v1.0 on the wire: applications, their passwords, and service principals.

Every call needs a Graph-audience bearer token; writes need the caller's directory permission (`graph_denied`).
Errors have Graph's `{"error": {code, message, innerError}}` shape. Query options and properties the sandbox does not
model answer 501 rather than being ignored, so a client relying on one fails the test instead of passing by luck.

`$filter` takes only the properties each resource documents as filterable ("Supports $filter" in the application and
servicePrincipal resource references, https://learn.microsoft.com/graph/api/resources/application and
.../resources/serviceprincipal, the same text as msgraph-sdk's model docstrings): `appId`, `displayName`, `tags`
(through `tags/any(t:t eq 'x')`) and a few more, but not `notes`. Any other property answers as Graph does, 400
Request_UnsupportedQuery "Unsupported or invalid query filter clause specified for property 'notes' of resource
'Application'." (as reported in microsoftgraph/msgraph-sdk-dotnet#2552 and microsoft-graph-docs-contrib#1726).

Collections are paged on the server's side as Graph pages them (https://learn.microsoft.com/graph/paging): at most
100 items a page, and while more remain an absolute `@odata.nextLink`, the same request plus an opaque `$skiptoken`,
which a client follows as it is.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from bootstrap.sandbox.azure import odata
from bootstrap.sandbox.azure.directory import Directory
from bootstrap.sandbox.azure.graph_render import (
    PAGE_SIZE,
    refuse_unfilterable,
    render_application,
    render_password,
    render_service_principal,
    select,
    skipped,
)
from bootstrap.sandbox.azure.model import GRAPH_AUDIENCES, AzureModel
from bootstrap.sandbox.azure.tokens import TokenProblem
from bootstrap.sandbox.azure.wire import lagging, racing, refuse_unmodelled_race
from bootstrap.sandbox.faults import CallLog
from bootstrap.sandbox.http import HttpEmulator, HttpError, Request, Response, route

CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#"
APPS = "/v1.0/applications"
APP = APPS + "/{id}"
# The regex parentheses are escaped: route patterns are regular expressions apart from their {names}.
APP_BY_APP_ID = APPS + r"\(appId='{app_id}'\)"
SPS = "/v1.0/servicePrincipals"
SP = SPS + "/{id}"
SP_BY_APP_ID = SPS + r"\(appId='{app_id}'\)"

APP_FIELDS = {
    "displayName": "display_name",
    "notes": "notes",
    "description": "description",
    "signInAudience": "sign_in_audience",
    "tags": "tags",
}
SP_FIELDS = {"accountEnabled": "account_enabled", "notes": "notes", "tags": "tags"}
_STATUS_CODES = {
    400: "Request_BadRequest",
    404: "Request_ResourceNotFound",
    409: "Conflict",
    429: "TooManyRequests",
    500: "generalException",
    503: "serviceNotAvailable",
    504: "GatewayTimeout",
}
_TOKEN_MESSAGES = {
    TokenProblem.MISSING: "Access token is empty.",
    TokenProblem.MALFORMED: "Access token validation failure.",
    TokenProblem.EXPIRED: "Lifetime validation failed, the token is expired.",
    TokenProblem.AUDIENCE: "Access token validation failure. Invalid audience.",
    TokenProblem.TENANT: "Access token validation failure. Invalid issuer.",
}
_CHALLENGE = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    'client_id="00000003-0000-0000-c000-000000000000"'
)
# Operations where a `conflict` fault means "a concurrent writer got there first"; elsewhere it is a plain 409.
_RACY = {"graph.applications.create", "graph.servicePrincipals.create"}


def _entity(collection: str, rendered: dict[str, Any]) -> dict[str, Any]:
    """One object of `collection` as Graph answers it, with its OData context."""
    return {"@odata.context": CONTEXT + collection + "/$entity", **rendered}


def _epoch(text: str | None, name: str) -> float | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise HttpError(400, f"Invalid value specified for property '{name}'.", code="Request_BadRequest") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


class GraphEmulator(HttpEmulator):
    """Serve the model's directory the way graph.microsoft.com/v1.0 does."""

    service = "azure.graph"

    def __init__(self, model: AzureModel, calls: CallLog | None = None) -> None:
        super().__init__(calls)
        self.model = model

    @property
    def directory(self) -> Directory:
        return self.model.directory

    def error_body(self, error: HttpError) -> Any:
        inner = {
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "request-id": str(uuid.uuid4()),
            "client-request-id": str(uuid.uuid4()),
        }
        return {
            "error": {
                "code": error.code or _STATUS_CODES.get(error.status, str(error.status)),
                "message": error.message,
                "innerError": inner,
            }
        }

    def authorize(self, request: Request, operation: str) -> None:
        problem = self.model.token_problem(request.header("authorization"), GRAPH_AUDIENCES)
        if problem is not None:
            raise HttpError(
                401,
                _TOKEN_MESSAGES[problem],
                code="InvalidAuthenticationToken",
                headers={"WWW-Authenticate": _CHALLENGE},
            )
        if request.method != "GET":
            self.directory.require_write()
        refuse_unmodelled_race(request, operation, _RACY)

    # --- applications --------------------------------------------------------------------------------
    @route("GET", APPS, "graph.applications.list")
    def applications_list(self, request: Request) -> Response:
        rendered = [render_application(a) for a in self.directory.applications_list(lagging=lagging(request))]
        return self._collection(request, "applications", rendered)

    @route("POST", APPS, "graph.applications.create", mutating=True)
    def applications_create(self, request: Request) -> Response:
        fields = self._fields(request.json(), APP_FIELDS, "application")
        display_name = fields.pop("display_name", "")
        app = self.directory.create_application(display_name, race=racing(request), **fields)
        return Response(201, _entity("applications", render_application(app)))

    @route("GET", APP, "graph.applications.get")
    @route("GET", APP_BY_APP_ID, "graph.applications.get")
    def applications_get(self, request: Request, id: str = "", app_id: str = "") -> Response:
        app = self.directory.application(id, app_id=app_id, lagging=lagging(request))
        return self._got(request, "applications", render_application(app))

    @route("PATCH", APP, "graph.applications.update", mutating=True)
    def applications_update(self, request: Request, id: str) -> Response:
        fields = self._fields(request.json(), APP_FIELDS, "application")
        self.directory.update_application(id, **fields)
        return Response(204)

    @route("DELETE", APP, "graph.applications.delete", mutating=True)
    def applications_delete(self, request: Request, id: str) -> Response:
        self.directory.delete_application(id)
        return Response(204)

    @route("POST", APP + "/addPassword", "graph.applications.addPassword", mutating=True)
    def applications_add_password(self, request: Request, id: str) -> Response:
        spec = request.json().get("passwordCredential") or {}
        password = self.directory.add_password(
            id,
            display_name=spec.get("displayName"),
            start=_epoch(spec.get("startDateTime"), "startDateTime"),
            end=_epoch(spec.get("endDateTime"), "endDateTime"),
            lagging=lagging(request),
        )
        body = {"@odata.context": CONTEXT + "microsoft.graph.passwordCredential"}
        return Response(200, {**body, **render_password(password, with_secret=True)})

    @route("POST", APP + "/removePassword", "graph.applications.removePassword", mutating=True)
    def applications_remove_password(self, request: Request, id: str) -> Response:
        key_id = str(request.json().get("keyId") or "")
        self.directory.remove_password(id, key_id, lagging=lagging(request))
        return Response(204)

    # --- service principals --------------------------------------------------------------------------
    @route("GET", SPS, "graph.servicePrincipals.list")
    def service_principals_list(self, request: Request) -> Response:
        sps = self.directory.service_principals_list(lagging=lagging(request))
        rendered = [render_service_principal(s, self.model.tenant) for s in sps]
        return self._collection(request, "servicePrincipals", rendered)

    @route("POST", SPS, "graph.servicePrincipals.create", mutating=True)
    def service_principals_create(self, request: Request) -> Response:
        data = dict(request.json())
        app_id = str(data.pop("appId", "") or "")
        fields = self._fields(data, SP_FIELDS, "servicePrincipal")
        sp = self.directory.create_service_principal(app_id, lagging=lagging(request), race=racing(request), **fields)
        return Response(201, _entity("servicePrincipals", render_service_principal(sp, self.model.tenant)))

    @route("GET", SP, "graph.servicePrincipals.get")
    @route("GET", SP_BY_APP_ID, "graph.servicePrincipals.get")
    def service_principals_get(self, request: Request, id: str = "", app_id: str = "") -> Response:
        sp = self.directory.service_principal(id, app_id=app_id, lagging=lagging(request))
        return self._got(request, "servicePrincipals", render_service_principal(sp, self.model.tenant))

    @route("DELETE", SP, "graph.servicePrincipals.delete", mutating=True)
    def service_principals_delete(self, request: Request, id: str) -> Response:
        self.directory.delete_service_principal(id)
        return Response(204)

    # --- rendering helpers ---------------------------------------------------------------------------
    def _got(self, request: Request, collection: str, rendered: dict[str, Any]) -> Response:
        """One object of `collection` as a GET answers it: only $select is understood."""
        self._options(request, allowed=("$select",))
        return Response(200, select(_entity(collection, rendered), request))

    def _collection(self, request: Request, name: str, rendered: list[dict[str, Any]]) -> Response:
        self._options(request, allowed=("$select", "$filter", "$skiptoken"))
        try:
            clauses = odata.parse(request.query.get("$filter", ""))
            refuse_unfilterable(name, clauses)
            value = [select(r, request) for r in rendered if odata.matches(r, clauses)]
        except odata.FilterError as err:
            raise HttpError(501, f"regboot sandbox: GraphEmulator: {err}") from None
        start = skipped(request.query.get("$skiptoken"))
        body = {"@odata.context": CONTEXT + name, "value": value[start : start + PAGE_SIZE]}
        if len(value) > start + PAGE_SIZE:
            query = {k: v for k, v in request.query.items() if k != "$skiptoken"}
            query["$skiptoken"] = base64.urlsafe_b64encode(str(start + PAGE_SIZE).encode()).decode()
            body["@odata.nextLink"] = f"{self.url}{request.path}?{urlencode(query, safe='$')}"
        return Response(200, body)

    @staticmethod
    def _options(request: Request, *, allowed: tuple[str, ...]) -> None:
        unsupported = sorted(k for k in request.query if k.startswith("$") and k not in allowed)
        if unsupported:
            raise HttpError(501, f"regboot sandbox: GraphEmulator does not support {', '.join(unsupported)}")

    @staticmethod
    def _fields(data: dict[str, Any], known: dict[str, str], kind: str) -> dict[str, Any]:
        unknown = sorted(k for k in data if k not in known and not k.startswith("@odata."))
        if unknown:
            raise HttpError(501, f"regboot sandbox: GraphEmulator does not model {kind} properties {unknown}")
        return {known[k]: v for k, v in data.items() if k in known}

"""Azure Resource Manager on the wire: container registries, role definitions, role assignments, permissions.

Paths are matched case-insensitively on ARM's fixed words (clients send both `resourceGroups` and `resourcegroups`),
every call needs an ARM-audience bearer token and an api-version, and errors have ARM's `{"error": {code, message}}`
shape. The control API (`/_sandbox/...`, see control.py) is served here too, before routing and fault injection.
"""

from __future__ import annotations

import re
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from bootstrap.sandbox.azure import control, odata
from bootstrap.sandbox.azure.arm_render import (
    render_assignment,
    render_provider,
    render_registry,
    render_role_definition,
    render_subscription,
)
from bootstrap.sandbox.azure.model import ARM_AUDIENCES, AzureModel
from bootstrap.sandbox.azure.tokens import TokenProblem
from bootstrap.sandbox.azure.wire import lagging, racing, refuse_unmodelled_race
from bootstrap.sandbox.faults import CallLog
from bootstrap.sandbox.http import HttpEmulator, HttpError, Request, Response, route

SUB = "/subscriptions/{subscription}"
RG = SUB + "/resourceGroups/{resource_group}"
ACR = "/providers/Microsoft.ContainerRegistry/registries"
AUTHZ = "/{scope:path}/providers/Microsoft.Authorization"

# ARM's fixed path words, so a path spelled in any case is routed the same (ARM itself is case-insensitive).
_WORDS = {
    w.lower(): w
    for w in (
        "subscriptions",
        "resourceGroups",
        "providers",
        "Microsoft.ContainerRegistry",
        "registries",
        "Microsoft.Authorization",
        "roleAssignments",
        "roleDefinitions",
        "permissions",
        "register",
    )
}
_STATUS_CODES = {
    400: "BadRequest",
    404: "NotFound",
    409: "Conflict",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}
_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")
_TOKEN_ERRORS = {
    TokenProblem.MISSING: (
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is missing.",
        "The authentication failed because of missing 'Authorization' header.",
    ),
    TokenProblem.MALFORMED: (
        "InvalidAuthenticationToken",
        "The access token is invalid.",
        "The access token is invalid.",
    ),
    TokenProblem.EXPIRED: ("ExpiredAuthenticationToken", "The access token has expired.", "The access token expired."),
    TokenProblem.AUDIENCE: (
        "InvalidAuthenticationTokenAudience",
        "The access token has been obtained for wrong audience or resource. It should exactly "
        "match with one of the allowed audiences 'https://management.core.windows.net/',"
        "'https://management.core.windows.net','https://management.azure.com/',"
        "'https://management.azure.com'.",
        "The access token has been obtained for wrong audience or resource.",
    ),
    TokenProblem.TENANT: (
        "InvalidAuthenticationTokenTenant",
        "The access token is from the wrong issuer. It must match the tenant associated with this subscription.",
        "The access token is from the wrong issuer.",
    ),
}
# Operations where a `conflict` fault means "a concurrent writer got there first"; elsewhere it is a plain 409.
_RACY = {"arm.roleAssignments.create"}


def _canonical_path(raw: str) -> str:
    split = urlsplit(raw)
    segments = [_WORDS.get(s.lower(), s) for s in (unquote(p) for p in split.path.split("/")) if s]
    return urlunsplit(("", "", "/" + "/".join(segments), split.query, ""))


class ArmEmulator(HttpEmulator):
    """Serve the model's registries and RBAC the way management.azure.com does."""

    service = "azure.arm"

    def __init__(self, model: AzureModel, calls: CallLog | None = None) -> None:
        super().__init__(calls)
        self.model = model

    # --- front door ----------------------------------------------------------------------------------
    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        if urlsplit(h.path).path.startswith(control.PREFIX):
            control.serve(self.model, self.calls, h, self._write)
            return
        h.path = _canonical_path(h.path)
        super()._dispatch(h)

    def error_body(self, error: HttpError) -> Any:
        body = {"code": error.code or _STATUS_CODES.get(error.status, str(error.status)), "message": error.message}
        return {"error": {**body, "details": error.details} if error.details else body}

    def authorize(self, request: Request, operation: str) -> None:
        problem = self.model.token_problem(request.header("authorization"), ARM_AUDIENCES)
        if problem is not None:
            code, message, description = _TOKEN_ERRORS[problem]
            challenge = (
                f'Bearer authorization_uri="https://login.windows.net/{self.model.tenant}", '
                f'error="invalid_token", error_description="{description}"'
            )
            raise HttpError(401, message, code=code, headers={"WWW-Authenticate": challenge})
        version = request.query.get("api-version", "")
        if not version:
            raise HttpError(
                400,
                "The api-version query parameter (?api-version=) is required for all requests.",
                code="MissingApiVersionParameter",
            )
        if not _API_VERSION.match(version):
            raise HttpError(400, f"The api-version '{version}' is invalid.", code="InvalidApiVersionParameter")
        refuse_unmodelled_race(request, operation, _RACY)

    # --- subscriptions and their resource providers --------------------------------------------------
    @route("GET", "/subscriptions", "arm.subscriptions.list")
    def subscriptions_list(self, request: Request) -> Response:
        found = self.model.list_subscriptions()
        return Response(200, {"value": [render_subscription(s, name, self.model.tenant) for s, name in found]})

    @route("GET", SUB + "/providers/{namespace}", "arm.providers.get")
    def providers_get(self, request: Request, subscription: str, namespace: str) -> Response:
        state = self.model.resource_provider(subscription, namespace)
        return Response(200, render_provider(subscription, namespace, state))

    @route("POST", SUB + "/providers/{namespace}/register", "arm.providers.register", mutating=True)
    def providers_register(self, request: Request, subscription: str, namespace: str) -> Response:
        state = self.model.register_resource_provider(subscription, namespace)
        return Response(200, render_provider(subscription, namespace, state))

    # --- container registries ------------------------------------------------------------------------
    @route("GET", SUB + ACR, "arm.registries.list")
    def registries_list(self, request: Request, subscription: str) -> Response:
        found = self.model.list_registries(subscription, lagging=lagging(request))
        return Response(200, {"value": [render_registry(r) for r in found]})

    @route("GET", RG + ACR, "arm.registries.listByResourceGroup")
    def registries_list_by_group(self, request: Request, subscription: str, resource_group: str) -> Response:
        found = self.model.list_registries(subscription, resource_group, lagging=lagging(request))
        return Response(200, {"value": [render_registry(r) for r in found]})

    @route("GET", RG + ACR + "/{name}", "arm.registries.get")
    def registries_get(self, request: Request, subscription: str, resource_group: str, name: str) -> Response:
        registry = self.model.get_registry(subscription, resource_group, name, lagging=lagging(request))
        return Response(200, render_registry(registry))

    # --- role definitions ----------------------------------------------------------------------------
    @route("GET", AUTHZ + "/roleDefinitions", "arm.roleDefinitions.list")
    def role_definitions_list(self, request: Request, scope: str) -> Response:
        roles = self.model.list_role_definitions(scope)
        rendered = [render_role_definition(r, _subscription_of(scope)) for r in roles]
        clauses = self._filter(request)
        return Response(200, {"value": [r for r in rendered if _role_matches(r, clauses)]})

    @route("GET", AUTHZ + "/roleDefinitions/{role_id}", "arm.roleDefinitions.get")
    def role_definitions_get(self, request: Request, scope: str, role_id: str) -> Response:
        role = self.model.role_definition(scope, role_id)
        return Response(200, render_role_definition(role, _subscription_of(scope)))

    @route("GET", "/providers/Microsoft.Authorization/roleDefinitions/{role_id}", "arm.roleDefinitions.get")
    def role_definitions_get_tenant(self, request: Request, role_id: str) -> Response:
        role = self.model.role_definition("", role_id)
        return Response(200, render_role_definition(role, ""))

    # --- role assignments ----------------------------------------------------------------------------
    @route("PUT", AUTHZ + "/roleAssignments/{name}", "arm.roleAssignments.create", mutating=True)
    def role_assignments_create(self, request: Request, scope: str, name: str) -> Response:
        props = request.json().get("properties") or {}
        assignment, created = self.model.create_role_assignment(
            scope,
            name,
            role_definition_id=props.get("roleDefinitionId", ""),
            principal_id=props.get("principalId", ""),
            principal_type=props.get("principalType"),
            condition=props.get("condition"),
            condition_version=props.get("conditionVersion"),
            description=props.get("description"),
            lagging=lagging(request),
            race=racing(request),
        )
        return Response(201 if created else 200, render_assignment(assignment))

    @route("GET", AUTHZ + "/roleAssignments/{name}", "arm.roleAssignments.get")
    def role_assignments_get(self, request: Request, scope: str, name: str) -> Response:
        assignment = self.model.get_role_assignment(scope, name, lagging=lagging(request))
        return Response(200, render_assignment(assignment))

    @route("DELETE", AUTHZ + "/roleAssignments/{name}", "arm.roleAssignments.delete", mutating=True)
    def role_assignments_delete(self, request: Request, scope: str, name: str) -> Response:
        gone = self.model.delete_role_assignment(scope, name)
        return Response(200, render_assignment(gone)) if gone else Response(204)

    @route("GET", AUTHZ + "/roleAssignments", "arm.roleAssignments.list")
    def role_assignments_list(self, request: Request, scope: str) -> Response:
        at_scope, principal = False, None
        for clause in self._filter(request):
            if clause.op == "atScope" and not clause.value:
                at_scope = True
            elif (clause.op, clause.field) == ("eq", "principalId") or clause.op == "assignedTo":
                principal = clause.value
            else:
                raise HttpError(
                    501,
                    f"regboot sandbox: ArmEmulator does not support the role assignment filter "
                    f"{request.query['$filter']!r}",
                )
        found = self.model.list_role_assignments(
            scope, at_scope=at_scope, principal_id=principal, lagging=lagging(request)
        )
        return Response(200, {"value": [render_assignment(a) for a in found]})

    # --- the caller's permissions --------------------------------------------------------------------
    @route("GET", AUTHZ + "/permissions", "arm.permissions.list")
    def permissions_list(self, request: Request, scope: str) -> Response:
        return Response(200, {"value": self.model.caller_permissions(scope)})

    # --- helpers -------------------------------------------------------------------------------------
    @staticmethod
    def _filter(request: Request) -> list[odata.Clause]:
        try:
            return odata.parse(request.query.get("$filter", ""))
        except odata.FilterError as err:
            raise HttpError(501, f"regboot sandbox: ArmEmulator: {err}") from None


def _subscription_of(scope: str) -> str:
    parts = [p for p in scope.split("/") if p]
    return parts[1].lower() if len(parts) > 1 and parts[0].lower() == "subscriptions" else ""


def _role_matches(rendered: dict[str, Any], clauses: list[odata.Clause]) -> bool:
    properties = rendered["properties"]
    for c in clauses:
        if c.op != "eq" or c.field not in ("roleName", "type"):
            raise HttpError(501, f"regboot sandbox: ArmEmulator does not support the role definition filter {c}")
        if str(properties[c.field]).lower() != c.value.lower():
            return False
    return True

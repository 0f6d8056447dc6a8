"""The Azure sandbox's RBAC: role definitions, role assignments and the rules ARM applies to them (GUID names, a
principal it can see, one assignment per grant), and who may pull from a registry because of them."""

from __future__ import annotations

import hmac
import re
import threading
import uuid
from collections.abc import Callable

from bootstrap.sandbox.azure import errors
from bootstrap.sandbox.azure.directory import Directory
from bootstrap.sandbox.azure.errors import CloudError
from bootstrap.sandbox.azure.records import Password, Registry, RoleAssignment
from bootstrap.sandbox.azure.resources import Resources, covers
from bootstrap.sandbox.azure.roles import RoleDefinition

_ROLE_DEFINITION_ID = re.compile(r"(?:^|/)providers/Microsoft\.Authorization/roleDefinitions/([^/]+)$", re.IGNORECASE)


def _guid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return None


class Rbac(Resources):
    """Role definitions and assignments over the resources; part of AzureModel, which sets these attributes."""

    tenant: str
    clock: Callable[[], float]
    lock: threading.RLock
    directory: Directory
    role_definitions: dict[str, RoleDefinition]
    role_assignments: dict[str, RoleAssignment]
    password_delay: float

    # --- role definitions ----------------------------------------------------------------------------
    def role_definition(self, scope: str, role_id: str) -> RoleDefinition:
        self.require("Microsoft.Authorization/roleDefinitions/read", self.resolve_scope(scope) if scope else "/")
        role = self.role_definitions.get(_guid(role_id) or "")
        if role is None:
            raise CloudError(
                404, "RoleDefinitionDoesNotExist", f"The specified role definition with ID '{role_id}' does not exist."
            )
        return role

    def list_role_definitions(self, scope: str) -> list[RoleDefinition]:
        self.require("Microsoft.Authorization/roleDefinitions/read", self.resolve_scope(scope))
        return list(self.role_definitions.values())

    # --- role assignments ----------------------------------------------------------------------------
    def create_role_assignment(
        self,
        scope: str,
        name: str,
        *,
        role_definition_id: str,
        principal_id: str,
        principal_type: str | None = None,
        lagging: bool = False,
        race: bool = False,
        condition: str | None = None,
        condition_version: str | None = None,
        description: str | None = None,
    ) -> tuple[RoleAssignment, bool]:
        """Create (or find, if this exact one exists under this name) a role assignment; True if it is new."""
        scope = self.resolve_scope(scope)
        self.require("Microsoft.Authorization/roleAssignments/write", scope)
        if _guid(name) != name.lower():
            raise CloudError(
                400,
                "InvalidRoleAssignmentId",
                f"The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID.",
            )
        role_id = self._role_id(role_definition_id)
        if _guid(principal_id) is None:
            raise CloudError(400, "InvalidPrincipalId", "A valid principal ID must be provided for role assignment.")
        with self.lock:
            existing = self.role_assignments.get(name.lower())
            if existing is not None:
                if existing.same_grant(scope, role_id, principal_id):
                    return existing, False
                raise CloudError(
                    409,
                    "RoleAssignmentUpdateNotPermitted",
                    "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
                )
            kind = self._principal_kind(principal_id, principal_type, lagging=lagging)
            extra = {"condition": condition, "condition_version": condition_version, "description": description}
            if race and not self._same_grant(scope, role_id, principal_id):  # a concurrent run made it first
                self._add_assignment(str(uuid.uuid4()), scope, role_id, principal_id, kind, extra)
            if duplicate := self._same_grant(scope, role_id, principal_id):
                raise errors.role_assignment_exists(duplicate.name)
            return self._add_assignment(name.lower(), scope, role_id, principal_id, kind, extra), True

    def _principal_kind(self, principal_id: str, principal_type: str | None, *, lagging: bool) -> str:
        """What ARM sees the principal as, refusing a principal it cannot see yet or one of another type."""
        kind = self.directory.principal_type(principal_id, lagging=lagging)
        if kind is None:
            raise errors.principal_not_found(principal_id, self.tenant)
        if principal_type and principal_type.lower() != kind.lower():
            raise errors.unmatched_principal_type(principal_id, kind, principal_type)
        return kind

    def _add_assignment(
        self, name: str, scope: str, role_id: str, principal_id: str, kind: str, extra: dict[str, str | None]
    ) -> RoleAssignment:
        assignment = RoleAssignment(
            f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
            name,
            scope,
            role_id,
            principal_id.lower(),
            kind,
            self.user.id,
            condition=extra["condition"],
            condition_version=extra["condition_version"],
            description=extra["description"],
        )
        self.role_assignments[name] = assignment
        return assignment

    def _same_grant(self, scope: str, role_id: str, principal_id: str) -> RoleAssignment | None:
        return next((a for a in self.role_assignments.values() if a.same_grant(scope, role_id, principal_id)), None)

    def _role_id(self, role_definition_id: str) -> str:
        m = _ROLE_DEFINITION_ID.search(role_definition_id or "")
        if not m:
            raise CloudError(
                400, "InvalidRoleDefinitionId", f"The role definition ID '{role_definition_id}' is not valid."
            )
        role_id = _guid(m.group(1))
        if role_id not in self.role_definitions:
            raise CloudError(
                400,
                "RoleDefinitionDoesNotExist",
                f"The specified role definition with ID '{m.group(1)}' does not exist.",
            )
        return role_id

    def get_role_assignment(self, scope: str, name: str, *, lagging: bool = False) -> RoleAssignment:
        scope = self.resolve_scope(scope)
        self.require("Microsoft.Authorization/roleAssignments/read", scope)
        assignment = self.role_assignments.get(name.lower())
        if assignment is None or lagging or assignment.scope.lower() != scope.lower():
            raise CloudError(404, "RoleAssignmentNotFound", f"The role assignment '{name}' is not found.")
        return assignment

    def delete_role_assignment(self, scope: str, name: str) -> RoleAssignment | None:
        scope = self.resolve_scope(scope)
        self.require("Microsoft.Authorization/roleAssignments/delete", scope)
        with self.lock:
            assignment = self.role_assignments.get(name.lower())
            if assignment is None or assignment.scope.lower() != scope.lower():
                return None
            return self.role_assignments.pop(name.lower())

    def list_role_assignments(
        self, scope: str, *, at_scope: bool = False, principal_id: str | None = None, lagging: bool = False
    ) -> list[RoleAssignment]:
        """Assignments that apply at `scope` (made there or above) and, unless `at_scope`, those beneath it."""
        scope = self.resolve_scope(scope)
        self.require("Microsoft.Authorization/roleAssignments/read", scope)
        if lagging:
            return []
        return [
            a
            for a in self.role_assignments.values()
            if (covers(a.scope, scope) or (not at_scope and covers(scope, a.scope)))
            and (principal_id is None or a.principal_id == principal_id.lower())
        ]

    # --- what the registry emulator asks -------------------------------------------------------------
    def registry_at(self, login_server: str) -> Registry | None:
        host = login_server.lower().removeprefix("https://").removeprefix("http://").rstrip("/")
        return next((r for r in self.registries.values() if r.login_server == host), None)

    def _password(self, app_id: str, secret: str) -> Password | None:
        app = self.directory.application_of(app_id)
        if app is None:
            return None
        return next((p for p in app.passwords if hmac.compare_digest(p.secret.encode(), secret.encode())), None)

    def password_created_at(self, app_id: str, secret: str) -> float | None:
        password = self._password(app_id, secret)
        return password.created_at if password else None

    def pull_denial(self, app_id: str, secret: str, login_server: str) -> str | None:
        """Why `app_id`/`secret` may not pull from the registry at `login_server`, or None when it may."""
        registry = self.registry_at(login_server)
        if registry is None:
            return f"no registry is served at {login_server}"
        password = self._password(app_id, secret)
        now = self.clock()
        if password is None:
            return f"invalid client secret for application {app_id}"
        if not password.current(now):
            return f"the client secret {password.key_id} of application {app_id} is expired or not yet valid"
        if now - password.created_at < self.password_delay:
            return f"the client secret {password.key_id} of application {app_id} has not propagated yet"
        sp = self.directory.service_principal_of(app_id)
        if sp is None or not sp.account_enabled:
            return f"application {app_id} has no enabled service principal"
        roles = [
            self.role_definitions[a.role_id]
            for a in self.role_assignments.values()
            if a.principal_id == sp.id and covers(a.scope, registry.id)
        ]
        if any(role.grants_pull(registry.abac) for role in roles):
            return None
        mode = f" (role assignment mode {registry.role_assignment_mode})" if registry.abac else ""
        return f"service principal {sp.id} holds no role that grants pull on {registry.id}{mode}"

    def password_can_pull(self, app_id: str, secret: str, login_server: str) -> bool:
        return self.pull_denial(app_id, secret, login_server) is None

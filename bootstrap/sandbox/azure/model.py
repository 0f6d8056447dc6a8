"""The Azure sandbox's state and rules: one tenant, its subscriptions, registries, role assignments and directory.

Knobs a test sets (plain attributes, also settable through the control API):
  replication_delay   seconds a new app / service principal stays unknown to SP creation, addPassword, role assignment
  password_delay      seconds a new password takes before it authenticates to a registry
  graph_denied        Graph writes answer 403 Authorization_RequestDenied
  arm_denied_actions  ARM action globs the caller lacks, e.g. {"Microsoft.Authorization/roleAssignments/write"}
  signed_in           False: the stand-in `az` says "Please run 'az login'"
  token_lifetime      seconds an access token from the stand-in `az` stays valid
  cli_subscription    the stand-in `az`'s default subscription (`az account set`); empty: `subscription`
  login_unreachable   "dns", "refused" or "tls": the stand-in `az` cannot reach the login endpoint (errors.py)
"""

from __future__ import annotations

import fnmatch
import hmac
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bootstrap.sandbox.azure import errors, tokens
from bootstrap.sandbox.azure.directory import Directory
from bootstrap.sandbox.azure.errors import CloudError
from bootstrap.sandbox.azure.records import Password, Registry, RoleAssignment, User
from bootstrap.sandbox.azure.roles import BUILT_IN_ROLES, RoleDefinition
from bootstrap.sandbox.azure.subscriptions import ResourceProviders

ARM_AUDIENCES = ("https://management.azure.com/", "https://management.core.windows.net/")
GRAPH_AUDIENCES = ("https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000")
_REGISTRY_NAME = re.compile(r"^[a-zA-Z0-9]{5,50}$")
_ROLE_DEFINITION_ID = re.compile(r"(?:^|/)providers/Microsoft\.Authorization/roleDefinitions/([^/]+)$", re.IGNORECASE)


def _guid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return None


def covers(outer: str, inner: str) -> bool:
    """Whether a grant at scope `outer` applies at scope `inner` (same scope or beneath it)."""
    outer, inner = outer.lower().rstrip("/"), inner.lower().rstrip("/")
    return inner == outer or inner.startswith(outer + "/")


class AzureModel:
    """One Entra tenant with its subscriptions, container registries, RBAC and directory."""

    def __init__(
        self, *, tenant: str | None = None, subscription: str | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.clock = clock  # seconds since the epoch; a sandbox's shared virtual clock in the sandbox
        self.tenant = (tenant or str(uuid.uuid4())).lower()
        self.subscription = (subscription or str(uuid.uuid4())).lower()
        self.subscriptions: dict[str, str] = {self.subscription: "regboot sandbox"}
        self.resource_providers = ResourceProviders()
        self.resource_groups: dict[tuple[str, str], str] = {}  # (subscription, name.lower()) -> name
        self.registries: dict[str, Registry] = {}  # name.lower(): registry names are globally unique
        self.role_definitions: dict[str, RoleDefinition] = dict(BUILT_IN_ROLES)
        self.role_assignments: dict[str, RoleAssignment] = {}  # name (a GUID)
        self.user = User(str(uuid.uuid4()))
        self.lock = threading.RLock()
        self.directory = Directory(self)
        self.issued_secrets: list[str] = []  # every password secret handed out, removed ones too: for leak checks
        self.concurrent_apps: list[str] = []  # app ids a `conflict` fault made for a concurrent writer, not the caller
        self.replication_delay = 0.0
        self.password_delay = 0.0
        self.graph_denied = False
        self.arm_denied_actions: set[str] = set()
        self.signed_in = True
        self.token_lifetime = 3600.0
        self.cli_subscription = ""
        self.login_unreachable = ""
        self._token_key = secrets.token_bytes(32)

    # --- seeding -------------------------------------------------------------------------------------
    def add_subscription(self, subscription: str, name: str = "regboot sandbox") -> str:
        self.subscriptions[subscription.lower()] = name
        return subscription.lower()

    def add_resource_group(self, name: str, *, subscription: str | None = None) -> str:
        sub = (subscription or self.subscription).lower()
        if sub not in self.subscriptions:
            raise ValueError(f"unknown subscription {sub}")
        return self.resource_groups.setdefault((sub, name.lower()), name)

    def add_registry(
        self,
        name: str,
        *,
        resource_group: str = "regboot-sandbox",
        abac: bool = False,
        subscription: str | None = None,
        location: str = "westeurope",
    ) -> Registry:
        if not _REGISTRY_NAME.match(name):
            raise ValueError(f"registry name {name!r}: 5-50 letters and digits")
        if name.lower() in self.registries:
            raise ValueError(f"registry {name!r} already exists (names are global)")
        rg = self.add_resource_group(resource_group, subscription=subscription)
        registry = Registry(name, (subscription or self.subscription).lower(), rg, location, abac)
        self.registries[name.lower()] = registry
        return registry

    @property
    def cli_default(self) -> str:
        """The subscription `az` uses when none is named: what `az account show` prints."""
        return (self.cli_subscription or self.subscription).lower()

    def list_subscriptions(self) -> list[tuple[str, str]]:
        """(id, display name) of every subscription the signed-in user can see: all of this tenant's."""
        return sorted(self.subscriptions.items())

    # --- tokens --------------------------------------------------------------------------------------
    def issue_token(self, resource: str, *, tenant: str | None = None, subscription: str | None = None) -> dict:
        """What `az account get-access-token --output json` prints for the signed-in user."""
        if self.login_unreachable:
            raise errors.login_unreachable(self.login_unreachable)
        if not self.signed_in:
            raise CloudError(401, "NotSignedIn", "Please run 'az login' to setup account.")
        if tenant and tenant.lower() != self.tenant:
            raise CloudError(400, "AADSTS90002", f"AADSTS90002: Tenant '{tenant}' not found.")
        sub = (subscription or self.cli_default).lower()
        if sub not in self.subscriptions:
            raise CloudError(
                404,
                "SubscriptionNotFound",
                f"Subscription '{subscription}' not found. Check the spelling and casing and try again.",
            )
        known = {tokens.audience(a) for a in ARM_AUDIENCES + GRAPH_AUDIENCES}
        if tokens.audience(resource) not in known:
            raise CloudError(
                400,
                "AADSTS500011",
                f"AADSTS500011: The resource principal named {resource} was not found in the tenant "
                f"named {self.tenant}.",
            )
        now = self.clock()
        expires = int(now + self.token_lifetime)
        claims = {
            "aud": resource,
            "iss": f"https://sts.windows.net/{self.tenant}/",
            "iat": int(now),
            "nbf": int(now),
            "exp": expires,
            "tid": self.tenant,
            "oid": self.user.id,
            "upn": self.user.upn,
        }
        return {
            "accessToken": tokens.mint(self._token_key, claims),
            "expiresOn": datetime.fromtimestamp(expires).strftime("%Y-%m-%d %H:%M:%S.%f"),
            "expires_on": expires,
            "subscription": sub,
            "tenant": self.tenant,
            "tokenType": "Bearer",
        }

    def token_problem(self, authorization: str, audiences: tuple[str, ...]) -> tokens.TokenProblem | None:
        """Why an Authorization header would be refused by an API accepting `audiences`, or None."""
        token = tokens.bearer(authorization)
        if not token:
            return tokens.TokenProblem.MISSING
        claims = tokens.read(self._token_key, token)
        if claims is None:
            return tokens.TokenProblem.MALFORMED
        if claims.get("tid") != self.tenant:
            return tokens.TokenProblem.TENANT
        if tokens.audience(str(claims.get("aud", ""))) not in {tokens.audience(a) for a in audiences}:
            return tokens.TokenProblem.AUDIENCE
        if float(claims.get("exp", 0)) <= self.clock():
            return tokens.TokenProblem.EXPIRED
        return None

    # --- the caller's ARM permissions ----------------------------------------------------------------
    def require(self, action: str, scope: str) -> None:
        if any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in self.arm_denied_actions):
            raise errors.authorization_failed(self.user.upn, self.user.id, action, scope)

    def caller_permissions(self, scope: str) -> list[dict[str, list[str]]]:
        self.resolve_scope(scope)
        return [
            {"actions": ["*"], "notActions": sorted(self.arm_denied_actions), "dataActions": [], "notDataActions": []}
        ]

    # --- scopes and registries -----------------------------------------------------------------------
    def resolve_scope(self, scope: str) -> str:
        """The canonical spelling of a scope the sandbox models, or the cloud's error for one that does not exist."""
        parts = [p for p in scope.split("/") if p]
        words = [p.lower() for p in parts[0::2]]  # the fixed words between the names
        if words == ["subscriptions"]:
            return f"/subscriptions/{self._subscription(parts[1])}"
        if words == ["subscriptions", "resourcegroups"]:
            return f"/subscriptions/{self._subscription(parts[1])}/resourceGroups/{self._resource_group(*parts[1:4:2])}"
        if (
            words == ["subscriptions", "resourcegroups", "providers", "registries"]
            and parts[5].lower() == "microsoft.containerregistry"
        ):
            return self.get_registry(parts[1], parts[3], parts[7], check=False).id
        raise CloudError(
            400, "InvalidScope", f"regboot sandbox: scope '{scope}' is not a subscription, resource group or registry"
        )

    def _subscription(self, subscription: str) -> str:
        if subscription.lower() not in self.subscriptions:
            raise CloudError(404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be found.")
        return subscription.lower()

    def _resource_group(self, subscription: str, name: str) -> str:
        rg = self.resource_groups.get((self._subscription(subscription), name.lower()))
        if rg is None:
            raise CloudError(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")
        return rg

    def list_registries(
        self, subscription: str, resource_group: str | None = None, *, lagging: bool = False
    ) -> list[Registry]:
        sub = self._subscription(subscription)
        self.resource_providers.require(sub, "Microsoft.ContainerRegistry")
        scope = f"/subscriptions/{sub}"
        if resource_group is not None:
            scope += f"/resourceGroups/{self._resource_group(sub, resource_group)}"
        self.require("Microsoft.ContainerRegistry/registries/read", scope)
        return [] if lagging else [r for r in self.registries.values() if covers(scope, r.id)]

    def get_registry(
        self, subscription: str, resource_group: str, name: str, *, lagging: bool = False, check: bool = True
    ) -> Registry:
        self.resource_providers.require(self._subscription(subscription), "Microsoft.ContainerRegistry")
        rg = self._resource_group(subscription, resource_group)
        registry = self.registries.get(name.lower())
        if (
            registry is None
            or lagging
            or registry.subscription != subscription.lower()
            or registry.resource_group != rg
        ):
            raise CloudError(
                404,
                "ResourceNotFound",
                f"The Resource 'Microsoft.ContainerRegistry/registries/{name}' under resource group "
                f"'{resource_group}' was not found. For more details please go to "
                "https://aka.ms/ARMResourceNotFoundFix",
            )
        if check:
            self.require("Microsoft.ContainerRegistry/registries/read", registry.id)
        return registry

    # --- resource providers --------------------------------------------------------------------------
    def set_resource_provider(self, namespace: str, *, registered: bool, subscription: str | None = None) -> str:
        """Seed a subscription's registration for `namespace` (e.g. unregistered, as on a new subscription)."""
        sub = self._subscription(subscription or self.subscription)
        self.resource_providers.set_registered(sub, namespace, registered)
        return self.resource_providers.state(sub, namespace)

    def resource_provider(self, subscription: str, namespace: str) -> str:
        """The subscription's registration state for `namespace`."""
        return self.resource_providers.state(self._subscription(subscription), namespace)

    def register_resource_provider(self, subscription: str, namespace: str) -> str:
        """`az provider register`: takes `{namespace}/register/action` on the subscription; done at once here."""
        sub = self._subscription(subscription)
        self.require(f"{namespace}/register/action", f"/subscriptions/{sub}")
        self.resource_providers.set_registered(sub, namespace, True)
        return self.resource_providers.state(sub, namespace)

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

    def settings(self) -> dict[str, Any]:
        return {
            "replication_delay": self.replication_delay,
            "password_delay": self.password_delay,
            "graph_denied": self.graph_denied,
            "arm_denied_actions": sorted(self.arm_denied_actions),
            "signed_in": self.signed_in,
            "token_lifetime": self.token_lifetime,
            "cli_subscription": self.cli_subscription,
            "login_unreachable": self.login_unreachable,
        }

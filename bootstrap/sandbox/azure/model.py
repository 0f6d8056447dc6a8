"""The Azure sandbox's state and rules: one tenant, its knobs and the tokens it issues. What ARM holds is in
resources.py, RBAC and who may pull in rbac.py, the directory (Graph's apps and principals) in directory.py.

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
from bootstrap.sandbox.azure.rbac import Rbac
from bootstrap.sandbox.azure.records import Registry, RoleAssignment, User
from bootstrap.sandbox.azure.roles import BUILT_IN_ROLES, RoleDefinition
from bootstrap.sandbox.azure.subscriptions import ResourceProviders

ARM_AUDIENCES = ("https://management.azure.com/", "https://management.core.windows.net/")
GRAPH_AUDIENCES = ("https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000")


class AzureModel(Rbac):
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

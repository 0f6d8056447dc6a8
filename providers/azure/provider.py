"""acr: an app registration + service principal per consumer, the pull role on the registry, and a password."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache, partial
from typing import TYPE_CHECKING, Any, ClassVar

from bootstrap import api
from providers.azure import registries
from providers.azure.registries import Registry
from providers.azure.targets import (
    ACR_PULL,
    APP_TAG,
    CLOUDS,
    DEFAULT_PRINCIPAL,
    REPOSITORY_READER,
    ROLE_NAMES,
    Target,
    assignment_name,
    check,
    cloud_of,
    subscription,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from providers.azure.cloud import Azure
    from providers.azure.graph import App, Graph, Password, Principal

SERVES = "regboot: serves "
PASSWORD_PREFIX = "regboot "
# Directory replication: a new app, principal or password can take seconds to a minute to be usable elsewhere.
REPLICATION = api.Patience(deadline=180.0, first=0.2, factor=1.5, cap=1.0)
# A new password, and a new role assignment ("can take up to 10 minutes": Azure RBAC troubleshooting), to work.
PASSWORD_PROPAGATION = api.Patience(deadline=600.0, first=0.5, factor=1.5, cap=2.0)
GRAPH_FIX = (
    "Ask a directory admin for Application.ReadWrite.OwnedBy (or the Application Developer role), or to "
    "allow users to register applications."
)


@dataclass(frozen=True)
class Registration(api.Identity):
    """An app registration and its service principal: the app id names it; the object ids are what Graph and ARM
    calls take (the principal's None until it exists)."""

    object_id: str = ""
    principal_id: str | None = None


class Acr(api.Provider):
    name = "acr"
    summary = "Azure Container Registry: an app + service principal with the pull role on the registry, a password."
    needs: ClassVar[Mapping[str, str]] = {
        "azure.identity": "azure-identity",
        "azure.mgmt.authorization": "azure-mgmt-authorization",
        "msgraph": "msgraph-sdk",
    }
    options: ClassVar[tuple[api.Param, ...]] = (
        api.Param("registry", "Registry name (not its login server).", required=True),
        api.Param(
            "subscription",
            "Subscription id (default: AZURE_SUBSCRIPTION_ID, else az's default, else the one holding the registry).",
        ),
        api.Param("resource_group", "Resource group of the registry (default: search the subscription)."),
        api.Param(
            "service_principal",
            f"Display name of the app and service principal (default: {DEFAULT_PRINCIPAL} for the default secret "
            "name, else one derived from the secret name, so consumers never share one).",
        ),
        api.Param("expires_in", "Password lifetime, e.g. 90d, 12w, 1y.", default="365d", identifies=False),
        api.Param("cloud", "Azure cloud.", default="AzureCloud", choices=tuple(CLOUDS)),
        api.Param("reassign", "Let this app serve this consumer even if it records another one.", flag=True),
    )

    target: Target

    def __init__(self, target: Target, consumer: api.Consumer, run: api.Run) -> None:
        if not target.principal:
            target = replace(target, principal=consumer.identity_name)
        if not target.subscription:  # AZURE_SUBSCRIPTION_ID is a setting: read here, where the settings are known
            target = replace(target, subscription=subscription(run.settings.env.get("AZURE_SUBSCRIPTION_ID") or ""))
        super().__init__(target, consumer, run)
        self._azure: Azure | None = None
        self._read: tuple[App | None, Principal | None] | Exception | None = None  # preflight's, for inspect

    @classmethod
    def check(cls, options: Mapping[str, Any]) -> Target:
        return check(options, {})  # AZURE_SUBSCRIPTION_ID comes with the settings, in __init__

    @property
    def azure(self) -> Azure:
        if self._azure is None:
            from providers.azure.cloud import Azure

            self._azure = Azure(self.target.cloud, self.target.subscription, self.run.settings, self.run.ui)
        return self._azure

    def _subscribe(self) -> None:
        """Find the subscription holding the registry when none was given: Resource Manager calls need it, Graph's
        do not."""
        if not self.target.subscription:
            from providers.azure.subscription import find_subscription

            found = find_subscription(self.azure, self.target.registry)
            self.target = replace(self.target, subscription=found)
            self.azure.subscription = found

    @property
    def _facts(self) -> dict[str, str]:
        """The registry's id, login server and the role that grants pulls on it (read once)."""
        if not hasattr(self, "_registry_facts"):
            self._subscribe()
            registry = self._registry()
            self._registry_facts = {
                "registry_id": registry.id,
                "login_server": registry.login_server,
                "role": REPOSITORY_READER if registry.abac else ACR_PULL,
            }
        return self._registry_facts

    def close(self) -> None:
        if self._azure is not None:
            self._azure.close()

    @property
    def password_name(self) -> str:
        return PASSWORD_PREFIX + self.label

    # --- read-only --------------------------------------------------------------------------------------
    def preflight(self) -> None:
        """The registry and the permission on it (ARM), and meanwhile the app and its principal that the inspection
        will ask for (Graph): neither side needs the other's answers, and each waits on its own service and token.
        ARM's refusal is reported first; Graph's, kept, when the inspection comes to it."""
        self.azure.credential  # noqa: B018 - made here, not raced for by the two threads
        _, self._read = api.together(self._check_permission, lambda: api.caught(self._identity), here=1)

    def _check_permission(self) -> None:
        group = self._facts["registry_id"].split("/")[4]
        actions = self._allowed_actions(group)
        needed = "Microsoft.Authorization/roleAssignments/write"
        if not any(_matches(pattern, needed) for pattern in actions):
            raise api.PreconditionError(
                f"your Azure credentials may not create role assignments on registry {self.target.registry}",
                fix="Ask for Owner, User Access Administrator or Role Based Access Control Administrator on the "
                "registry or its resource group.",
                code="missing_permission",
            )

    def _registry(self) -> Registry:
        t, az, group = self.target, self.azure, self.target.resource_group
        try:
            if group:
                found = [
                    az.arm(
                        f"registry {t.registry}",
                        lambda: registries.registry(az, group, t.registry),
                        allow=_arm_refusable,
                    )
                ]
            else:
                found = [
                    r
                    for r in az.arm("registries", lambda: registries.registries(az), allow=_arm_refusable)
                    if r.name.lower() == t.registry.lower()
                ]
        except Exception as err:
            self._arm_refusal(err, f"registry {t.registry}")
            raise
        if not found:
            where = f"resource group {t.resource_group}" if t.resource_group else f"subscription {t.subscription}"
            raise api.PreconditionError(
                f"container registry {t.registry} not found in {where}",
                fix="Check --registry (the name, not the login server) and --subscription.",
                code="unknown_registry",
            )
        return found[0]

    def _allowed_actions(self, group: str) -> list[str]:
        az = self.azure
        permissions = az.arm(
            "your permissions",
            lambda: list(
                az.authorization.permissions.list_for_resource(
                    group, "Microsoft.ContainerRegistry", "", "registries", self.target.registry
                )
            ),
        )
        allowed = [a for p in permissions for a in (p.actions or [])]
        denied = [a for p in permissions for a in (p.not_actions or [])]
        return [] if any(_matches(d, "Microsoft.Authorization/roleAssignments/write") for d in denied) else allowed

    def _arm_refusal(self, err: Exception, what: str) -> None:
        from providers.azure.cloud import code_of, message_of, status_of

        if status_of(err) == 404 or code_of(err) in ("ResourceNotFound", "ResourceGroupNotFound"):
            raise api.PreconditionError(
                f"{what} not found: {message_of(err)}",
                fix="Check --registry, --resource-group and --subscription.",
                code="unknown_registry",
            ) from None
        if status_of(err) in (401, 403) or code_of(err) in ("AuthorizationFailed", "InvalidAuthenticationToken"):
            raise api.PreconditionError(
                f"Azure refused access to {what}: {message_of(err)}",
                fix="Check your role on the subscription, or log in again with `az login`.",
                code="missing_permission",
            ) from None

    def inspect(self) -> api.Inspection:
        # What preflight read already serves the first inspection; any later one (a second look) reads anew.
        read, self._read = self._read, None
        found = self._identity() if read is None else read
        if isinstance(found, Exception):
            raise found
        app, sp = found
        if app is None:
            return api.Inspection()
        serves = app.notes[len(SERVES) :] if app.notes and app.notes.startswith(SERVES) else None
        identity = Registration(
            "service principal", app.app_id, serves=serves, object_id=app.id, principal_id=sp.id if sp else None
        )
        held = [_held(p) for p in app.password_credentials if p.display_name == self.password_name]
        granted = sp is not None and self._assignment(sp.id) is not None
        return api.Inspection(identity, granted=granted, held=sorted(held, key=_created))

    def _identity(self) -> tuple[App | None, Principal | None]:
        app = self._find_app()
        return app, self._find_sp(app.app_id) if app else None

    def _find_app(self) -> App | None:
        if app_id := self.target.app_id:  # by --secret-name alone: the platform entry names the app, not its name
            found = self._graph("applications", lambda g: g.apps(f"appId eq '{app_id}'"))
            apps = [a for a in found if a.app_id == app_id]
            if apps:
                self.target = replace(self.target, principal=apps[0].display_name or "")
            return apps[0] if apps else None
        name = self.target.principal.replace("'", "''")
        found = self._graph("applications", lambda g: g.apps(f"displayName eq '{name}'"))
        apps = [a for a in found if a.display_name == self.target.principal]
        if len(apps) > 1:
            raise api.PreconditionError(
                f"{len(apps)} app registrations are named {self.target.principal}; regboot cannot tell which is its",
                fix="Pass another --service-principal, or delete the duplicates (`az ad app list --display-name`).",
                code="ambiguous_identity",
            )
        return apps[0] if apps else None

    def _find_sp(self, app_id: str) -> Principal | None:
        found = self._graph("service principals", lambda g: g.principals(f"appId eq '{app_id}'"))
        return found[0] if found else None

    def _assignments(self, principal_id: str) -> list[Any]:
        """Every role assignment of the principal on the registry."""
        az, scope = self.azure, self._facts["registry_id"]
        return az.arm(
            "role assignments",
            lambda: list(
                az.authorization.role_assignments.list_for_scope(scope, filter=f"principalId eq '{principal_id}'")
            ),
        )

    def _assignment(self, principal_id: str) -> Any:
        """The principal's assignment of the role that grants pulls, if any."""
        scope, role = self._facts["registry_id"], self._role_id()
        assignments = self._assignments(principal_id)
        return next(
            (
                a
                for a in assignments
                if a.role_definition_id.lower() == role.lower() and a.scope.lower() == scope.lower()
            ),
            None,
        )

    def _role_id(self) -> str:
        return (
            f"/subscriptions/{self.target.subscription}/providers/Microsoft.Authorization/roleDefinitions/"
            f"{self._facts['role']}"
        )

    def login(self, found: api.Inspection) -> tuple[str, str]:
        return self._facts["login_server"], found.identity.name if found.identity else ""

    def in_place(self, found: api.Inspection, entry: api.PlatformEntry | None) -> bool:
        now = datetime.now(UTC)
        live = [h for h in found.held if not h.expires or h.expires > now]
        return (
            super().in_place(found, entry)
            and bool(live)
            and found.identity is not None
            and found.identity.serves == self.label
        )

    def onboarding(self, found: api.Inspection) -> api.Onboarding:
        t, role = self.target, ROLE_NAMES[self._facts["role"]]
        if found.identity is None:
            changes = [
                api.Change(
                    api.Step("create", "app registration", t.principal, f"records {self.label}"), self._create_app_for
                ),
                api.Change(api.Step("create", "service principal", t.principal), self._create_principal),
            ]
        else:
            self._refuse_other_consumer(found.identity)
            kept = api.Step("keep", "app registration", f"{t.principal} ({found.identity.name})")
            changes = [api.Change(kept, self._keep_app)]
            if not _registration(found.identity).principal_id:
                changes.append(api.Change(api.Step("create", "service principal", t.principal), self._create_principal))
        granted = found.granted
        grant = api.Step("keep" if granted else "grant", role, f"to {t.principal}", f"on {self._facts['registry_id']}")
        changes.append(api.Change(grant, partial(self._grant, granted)))
        mint = api.Step(
            "mint",
            "password",
            f"for {t.principal}",
            f"named {self.password_name!r}, expires in {t.expires_in.days} days",
        )
        # The password needs the app alone and the grant the principal alone: they are made at once. (Graph's
        # calls share one event loop, so the password is not made beside the principal, which is Graph's too.)
        return api.Onboarding(changes, api.Change(mint, self._mint), mint_after=len(changes) - 1)

    def verification(self, minted: api.Minted) -> api.VerifyTarget:
        # A new password or role assignment can take minutes to work at the registry.
        return api.VerifyTarget(
            minted.credential.server, "regboot-verify", propagates=True, patience=PASSWORD_PROPAGATION
        )

    def retirement(self, identity: api.Identity) -> api.Retirement:
        registration = _registration(identity)

        def held() -> list[api.Held]:
            app = self._app(identity)
            return [_held(p) for p in app.password_credentials if p.display_name == self.password_name]

        return api.Retirement(
            "password",
            self.target.principal,
            held=held,
            retire=lambda h: self._remove_password(registration.object_id, h.id),
            patience=REPLICATION,
        )

    def removal(self, found: api.Inspection, *, keep_identity: bool) -> api.Removals:
        if found.identity is None:
            return api.Removals([])
        self._refuse_other_consumer(found.identity)
        registration, principal = _registration(found.identity), self.target.principal
        scope, role_id = self._facts["registry_id"], self._facts["role"]
        role = ROLE_NAMES[role_id]

        @cache
        def sp_id() -> str | None:
            # Inspection may have read a replica behind: look for the principal once more before leaving its grant.
            return registration.principal_id or getattr(self._find_sp(registration.name), "id", None)

        def revoke() -> bool:
            sp = sp_id()
            return sp is not None and self._delete_assignment(scope, sp, assignment_name(scope, role_id, sp))

        attached = [
            api.Removal(
                api.Step("retire", "password", h.id, h.label),
                f"password {h.id}",
                partial(self._remove_password, registration.object_id, h.id),
                api.Step("retired", "password", h.id),
            )
            for h in found.held
        ]
        attached.append(
            api.Removal(
                api.Step("revoke", role, f"from {principal}", f"on {scope}"),
                f"{role} assignment",
                revoke,
                api.Step("revoked", role, f"on {scope}"),
                # also when inspection saw no grant: that listing too may have been behind
                planned=found.granted,
            )
        )
        app = api.Removal(
            api.Step("delete", "app registration and service principal", principal),
            f"app registration {principal}",
            lambda: self._delete_app(registration.object_id, sp_id()),
            api.Step("deleted", "app registration and service principal", principal),
        )
        return api.Removals(attached, None if keep_identity else app)

    def _refuse_other_consumer(self, identity: api.Identity) -> None:
        if identity.serves and identity.serves != self.label and not self.target.reassign:
            raise api.PreconditionError(
                f"app {self.target.principal} ({identity.name}) already serves {identity.serves}, not {self.label}",
                fix="Give this consumer its own --service-principal, or pass --reassign to move it.",
                code="identity_in_use",
            )

    # --- changes, each taken by the engine ------------------------------------------------------------------
    def _create_app_for(self, _: None) -> api.Taken:
        t = self.target
        app = self._create_app(lambda g: g.create_app(t.principal, SERVES + self.label, "AzureADMyOrg", tags=[APP_TAG]))
        return api.Taken(
            Registration("service principal", app.app_id, serves=self.label, created=True, object_id=app.id),
            api.Step("created", "app registration", t.principal, f"app id {app.app_id}, records {self.label}"),
            api.Undo(f"app registration {t.principal} ({app.app_id})", lambda: self._delete_app(app.id)),
        )

    def _keep_app(self, registration: Registration) -> api.Taken:
        """The app exists: make it record this consumer."""
        t = self.target
        self._refuse_other_consumer(registration)
        if registration.serves == self.label:
            return api.Taken(
                registration, api.Step("found", "app registration", t.principal, f"app id {registration.name}")
            )
        notes = SERVES + self.label
        self._graph_write(f"app {t.principal}", lambda g: g.set_notes(registration.object_id, notes))
        return api.Taken(
            registration, api.Step("updated", "app registration", t.principal, f"now records {self.label}")
        )

    def _create_principal(self, registration: Registration) -> api.Taken:
        t = self.target
        try:
            sp = self._graph_write(
                f"service principal {t.principal}",
                lambda g: g.create_principal(registration.name),
                not_yet=_app_not_replicated,
                expect=_exists,
            )
        except Exception as err:
            if not _exists(err):
                raise
            # Made since we looked (a concurrent run, or our own request that timed out): converge on it.
            sp = self._find_sp(registration.name)
            if sp is None:
                raise api.OperationError(
                    f"Azure says the service principal of {t.principal} exists but does not show it",
                    fix="Run the same command again in a minute.",
                    code="cloud_error",
                ) from None
            found = api.Step("found", "service principal", t.principal, f"object id {sp.id}")
            return api.Taken(replace(registration, principal_id=sp.id), found)
        # An app made by this run takes its principal with it when its own undo deletes it.
        undo = (
            None
            if registration.created
            else api.Undo(f"service principal {t.principal}", lambda: self._delete_sp(sp.id))
        )
        created = api.Step("created", "service principal", t.principal, f"object id {sp.id}")
        return api.Taken(replace(registration, principal_id=sp.id), created, None if registration.created else undo)

    def _grant(self, granted: bool, registration: Registration) -> api.Taken:
        """`granted`: inspection saw the grant, so it is not this run's to undo."""
        # The client speaks its default API version; the versionless `models` re-exports six, typed as the oldest.
        from azure.mgmt.authorization.v2022_04_01.models import RoleAssignmentCreateParameters

        from providers.azure.cloud import code_of

        az, scope, sp_id = self.azure, self._facts["registry_id"], registration.principal_id
        assert sp_id is not None  # the change before this one made sure the principal exists
        role_name, principal = ROLE_NAMES[self._facts["role"]], self.target.principal
        name = assignment_name(scope, self._facts["role"], sp_id)
        params = RoleAssignmentCreateParameters(
            role_definition_id=self._role_id(),
            principal_id=sp_id,
            principal_type="ServicePrincipal",
            description=SERVES + self.label,
        )

        def create() -> bool:
            try:
                az.authorization.role_assignments.create(scope, name, params)
            except Exception as err:
                if code_of(err) == "RoleAssignmentExists":
                    return False
                raise
            return True

        try:
            created = az.arm(
                f"{role_name} for {principal}",
                create,
                not_yet=_principal_not_replicated,
                patience=REPLICATION,
                allow=_arm_refusable,
            )
        except Exception as err:
            self._arm_refusal(err, f"role assignments on {self.target.registry}")
            raise
        if not created or granted:
            return api.Taken(registration, api.Step("found", role_name, f"granted to {principal}", f"on {scope}"))
        undo = api.Undo(
            f"{role_name} assignment on {self.target.registry}",
            lambda: az.arm(
                "removing the role assignment", lambda: az.authorization.role_assignments.delete(scope, name)
            ),
        )
        return api.Taken(registration, api.Step("granted", role_name, f"to {principal}", f"on {scope}"), undo)

    def _mint(self, registration: Registration) -> api.Taken:
        # Listed again even when this run made it: a second app of its name (made by a writer the lease does not
        # stop) would stop every later run, so it fails this one while it can still roll back.
        app = self._app(registration)
        object_id, known = app.id, {p.key_id for p in app.password_credentials}
        ends = datetime.now(UTC) + self.target.expires_in
        what = f"a password for {self.target.principal}"

        def add(g: Graph) -> Awaitable[Password]:
            return g.add_password(object_id, self.password_name, ends)

        try:
            created = self._graph_write(what, _unanswered_stops(add), not_yet=_app_not_replicated)
        except _Unanswered:
            # Azure may still make the password it did not answer for, and nobody would ever hold its
            # secret: retire any such password before asking for another.
            self._retire_unanswered(object_id, known)
            created = self._graph_write(what, add, not_yet=_app_not_replicated)
        key_id = created.key_id
        secret = api.Secret(created.secret_text or "")
        credential = api.RegistryCredential(self._facts["login_server"], registration.name, secret, self.consumer.email)
        return api.Taken(
            api.Minted(credential, _held(created)),
            api.Step("minted", "password", key_id, f"for {self.target.principal}, expires {ends.date().isoformat()}"),
            api.Undo(f"password {key_id} of {self.target.principal}", lambda: self._remove_password(object_id, key_id)),
        )

    # --- plumbing -------------------------------------------------------------------------------------------
    def _graph(self, what: str, story: Any, *, expect: Any = None, **kwargs: Any) -> Any:
        """A Graph call. Errors `expect` accepts reach the caller as they are; a refusal becomes a precondition
        naming the permission to ask for; any other error a domain error (see Azure.graph)."""
        try:
            return self.azure.graph(
                what, story, allow=lambda err: _denied(err) or bool(expect and expect(err)), **kwargs
            )
        except Exception as err:
            _graph_refusal(err, what)
            raise

    def _graph_write(self, what: str, story: Any, *, not_yet: Any = None, expect: Any = None) -> Any:
        return self._graph(what, story, not_yet=not_yet, patience=REPLICATION, expect=expect)

    def _create_app(self, post: Any) -> Any:
        what = f"app registration {self.target.principal}"
        try:
            return self._graph_write(what, _unanswered_stops(post))
        except _Unanswered:
            # Graph may still make the app it did not answer for, and asking again would make a second one of the
            # same name, which stops every later run: wait for it and adopt it, else ask again.
            late = api.appeared(
                self._find_app,
                what="an app Azure may have made without answering",
                ui=self.run.ui,
                within=2 * self.azure.timeout,
                clock=api.REAL_CLOCK,  # a request in flight lands in real time
            )
            return late or self._graph_write(what, post)

    def _retire_unanswered(self, object_id: str, known: set[str]) -> None:
        """Retire our passwords that appear beside `known` within two call timeouts: made by a request whose answer
        never came. One Azure makes later than that is not waited for; the next run retires it."""

        def late() -> list[str] | None:
            app = self._find_app()
            passwords = app.password_credentials if app else ()
            new = [p.key_id for p in passwords if p.display_name == self.password_name]
            return [k for k in new if k not in known] or None

        found = api.appeared(
            late,
            what="a password Azure may have made without answering",
            ui=self.run.ui,
            within=2 * self.azure.timeout,
            clock=api.REAL_CLOCK,  # a request in flight lands in real time
        )
        for key_id in found or []:
            self._remove_password(object_id, key_id)
            self.run.record("retired", "password", key_id, "made by a request that timed out")

    def _app(self, identity: api.Identity) -> App:
        """The identity's app, which this run has seen: while a listing lacks it, that replica is behind."""
        app = api.appeared(
            self._find_app,
            what=f"app {self.target.principal} to be listed",
            ui=self.run.ui,
            within=REPLICATION.deadline,
            clock=self.run.settings.clock,
        )
        if app is None or app.app_id != identity.name:
            raise api.OperationError(
                f"app {identity.name} disappeared while regboot was working on it", fix="Run the same command again."
            )
        return app

    def _remove_password(self, object_id: str, key_id: str) -> None:
        key = str(uuid.UUID(key_id))  # Graph's keyId is a GUID: anything else is a bug here, not Azure's answer
        self._graph_remove(
            f"removing password {key_id}",
            lambda g: g.remove_password(object_id, key),
            gone=_password_gone,
            not_yet=_app_not_replicated,
            patience=REPLICATION,
        )

    def _delete_sp(self, sp_id: str) -> None:
        self._graph_remove("deleting the service principal", lambda g: g.delete_principal(sp_id))

    def _delete_app(self, object_id: str, sp_id: str | None = None) -> None:
        if sp_id:
            self._delete_sp(sp_id)
        self._graph_remove("deleting the app registration", lambda g: g.delete_app(object_id))

    def _graph_remove(self, what: str, story: Any, *, gone: Any = None, **kwargs: Any) -> None:
        """A Graph removal: an answer saying it is already gone means done."""
        gone = gone or _gone
        try:
            self._graph(what, story, expect=gone, **kwargs)
        except Exception as err:
            if not gone(err):
                raise

    def _delete_assignment(self, scope: str, sp_id: str, name: str) -> bool:
        """Remove the principal's pull role on the registry; False if there was none to remove."""
        az = self.azure
        existing = self._assignment(sp_id)
        target = existing.name if existing is not None else name
        try:
            removed = az.arm(
                "removing the role assignment",
                lambda: az.authorization.role_assignments.delete(scope, target),
                allow=_gone,
            )
        except Exception as err:
            if not _gone(err):
                raise
            return False
        return existing is not None or removed is not None

    # --- status ---------------------------------------------------------------------------------------------
    @classmethod
    def claims(cls, entry: api.PlatformEntry) -> bool:
        return cloud_of(entry.server) is not None

    @classmethod
    def options_for(cls, entry: api.PlatformEntry, *, command: str) -> dict[str, Any]:
        """The entry's server is the registry's login server and its username the app id."""
        host = api.Server.parse(entry.server).bare
        cloud = cloud_of(host)
        assert cloud is not None  # the entry is claimed by its server
        try:
            app_id = str(uuid.UUID(entry.username))
        except ValueError:
            raise api.UsageError(
                f"the platform entry {entry.name} does not name an app (its username is {entry.username!r})",
                fix=f"Run `regboot {command} acr --registry {host.split('.', 1)[0]} --service-principal NAME "
                f"--secret-name {entry.name}` with the options it was onboarded with.",
            ) from None
        return {"registry": host.split(".", 1)[0], "cloud": cloud.name, "app_id": app_id}

    @classmethod
    def strays(cls, entries: list[api.PlatformEntry], project: str, run: api.Run) -> list[api.Stray]:
        """Apps regboot made (tagged, or with its default names) in the directories the ACR entries point at."""
        from providers.azure import strays

        return strays.find(entries, project, run)

    def status(self, entry: api.PlatformEntry) -> api.StatusRow:
        app = self._find_app()
        if app is None:
            return api.StatusRow(self.name, identity=entry.username, problems=("app not found",))
        passwords = app.password_credentials
        ours = sorted((_held(p) for p in passwords if (p.display_name or "").startswith(PASSWORD_PREFIX)), key=_created)
        others = tuple(_held(p) for p in passwords if not (p.display_name or "").startswith(PASSWORD_PREFIX))
        grant = ""
        try:
            self._facts  # noqa: B018 - the registry, in the subscription that holds it
        except api.PreconditionError:  # none the login sees holds it: nothing to say about grants
            pass
        else:
            sp = self._find_sp(app.app_id)
            if sp is not None:
                assignments = self._assignments(sp.id)
                roles = (ROLE_NAMES.get(a.role_definition_id.rsplit("/", 1)[-1], "role") for a in assignments)
                grant = "; ".join(f"{role} on {a.scope}" for role, a in zip(roles, assignments, strict=True))
                grant = grant or "(none)"
        problems = () if ours else ("the app has no regboot password: the platform's credential is not ours",)
        return api.StatusRow(
            self.name,
            identity=f"{app.display_name} ({app.app_id})",
            grant=grant,
            held=tuple(ours[-1:]),
            stray=tuple(ours[:-1]) + others,
            problems=problems,
        )


def _subscription_holding(azure: Azure, registry: str) -> str:
    """The subscription holding `registry` (see providers/azure/subscription.py); "" when none the login sees does."""
    from providers.azure.subscription import find_subscription

    try:
        return find_subscription(azure, registry)
    except api.PreconditionError:
        return ""


def _registration(identity: api.Identity) -> Registration:
    assert isinstance(identity, Registration)  # every identity this provider hands out is one
    return identity


def _matches(pattern: str, action: str) -> bool:
    import fnmatch

    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def _held(p: Password) -> api.Held:
    return api.Held(p.key_id, created=p.start_date_time, expires=p.end_date_time, label=p.display_name or "")


def _created(h: api.Held) -> datetime:
    return h.created or datetime.min.replace(tzinfo=UTC)


def _gone(err: Exception) -> bool:
    from providers.azure.cloud import status_of

    return status_of(err) == 404


def _password_gone(err: Exception) -> bool:
    """Graph answers a removal of a password that is not there with 400, not 404: e.g. when our own earlier
    request, which timed out, removed it after all."""
    from providers.azure.cloud import message_of, status_of

    return _gone(err) or (status_of(err) == 400 and "No password credential found" in message_of(err))


def _exists(err: Exception) -> bool:
    from providers.azure.cloud import status_of

    return status_of(err) == 409


def _denied(err: Exception) -> bool:
    from providers.azure.cloud import code_of, status_of

    return status_of(err) == 403 or code_of(err) == "Authorization_RequestDenied"


def _arm_refusable(err: Exception) -> bool:
    """What `Acr._arm_refusal` turns into a precondition: not found, or not allowed."""
    from providers.azure.cloud import code_of, status_of

    return status_of(err) in (401, 403, 404) or code_of(err) in (
        "ResourceNotFound",
        "ResourceGroupNotFound",
        "AuthorizationFailed",
        "InvalidAuthenticationToken",
    )


class _Unanswered(Exception):
    """A create timed out: Azure may have made what it never answered for, so asking again is not safe yet."""


def _unanswered_stops(story: Any) -> Any:
    """`story` (a Graph create) with its timeout ending the retrying instead of asking again at once."""

    async def run(g: Any) -> Any:
        import httpx

        try:
            return await story(g)
        except httpx.TimeoutException as err:
            raise _Unanswered from err

    return run


def _app_not_replicated(err: Exception) -> api.Retry | None:
    from providers.azure.cloud import message_of, status_of

    if status_of(err) == 404 or (status_of(err) == 400 and "valid application" in message_of(err)):
        return api.Retry("the new app is not replicated yet")
    return None


def _principal_not_replicated(err: Exception) -> api.Retry | None:
    from providers.azure.cloud import code_of

    if code_of(err) == "PrincipalNotFound":
        return api.Retry("the new service principal is not replicated yet")
    return None


def _graph_refusal(err: Exception, what: str) -> None:
    from providers.azure.cloud import code_of, message_of, status_of

    if status_of(err) == 403 or code_of(err) == "Authorization_RequestDenied":
        raise api.PreconditionError(
            f"Microsoft Graph refused {what}: {message_of(err)}", fix=GRAPH_FIX, code="missing_permission"
        ) from None

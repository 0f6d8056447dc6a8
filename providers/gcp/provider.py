"""gcr and gar: a reader service account per consumer, its read grant, and a JSON key handed to the platform."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from bootstrap import api
from providers.gcp.targets import (
    DEFAULT_ACCOUNT,
    GCR_HOSTS,
    USERNAME,
    Grant,
    Target,
    check_common,
    gar_target,
    gcr_target,
)

if TYPE_CHECKING:
    from providers.gcp.cloud import Google

MAX_KEYS = 10
# Roles that carry artifactregistry.repositories.downloadArtifacts; a custom role may too, so it is not judged.
PULL_ROLES = {
    "roles/artifactregistry.reader",
    "roles/artifactregistry.writer",
    "roles/artifactregistry.repoAdmin",
    "roles/artifactregistry.createOnPushWriter",
    "roles/artifactregistry.createOnPushRepoAdmin",
    "roles/artifactregistry.admin",
    "roles/owner",
    "roles/editor",
    "roles/viewer",
}
# A new key can take from a minute to several to authenticate at the registry, and a new grant "typically 2 minutes,
# potentially 7 minutes or longer" (Google's access-change propagation page).
KEY_PROPAGATION = api.Patience(deadline=600.0, first=0.5, factor=1.5, cap=2.0)
PROBE_IMAGE = "regboot-verify"  # an image name nobody has: a 404 for it still proves the pull was allowed
SERVES = "regboot: serves "
ACCOUNT_DOMAIN = ".iam.gserviceaccount.com"
DESCRIPTION_BYTES = 256  # Google's limit on a service account's description
# New accounts can take a minute or more to show up everywhere; keys up to several minutes.
# Polls stay at most 1 s apart so a run finishes within about a second of the cloud catching up.
APPEAR = api.Patience(deadline=180.0, first=0.2, factor=1.5, cap=1.0)
GONE = api.Patience(deadline=60.0)  # something deleted that a read still shows: replicas catch up in seconds

COMMON = (
    api.Param("gcp_project", "Google Cloud project id.", required=True),
    api.Param(
        "service_account",
        f"Service account id (default: {DEFAULT_ACCOUNT} for the default secret name, else one derived from the "
        "secret name, so consumers never share one).",
    ),
    api.Param("reassign", "Let this service account serve this consumer even if it records another one.", flag=True),
)


class GoogleProvider(api.Provider):
    """What gcr and gar share; they differ only in their target (server, grants, repository)."""

    account_display = "Akka docker reader"
    needs: ClassVar[Mapping[str, str]] = {
        "google.auth": "google-auth",
        "google.cloud.iam_admin_v1": "google-cloud-iam",
        "requests": "requests",
        "grpc": "grpcio",
    }
    target: Target

    def __init__(self, target: Target, consumer: api.Consumer, run: api.Run) -> None:
        super().__init__(target.serving(consumer.identity_name), consumer, run)
        self._google: Google | None = None
        self._grants: list[Grant] | None = None
        self._read: dict[str, Any] = {}  # what preflight read ahead for inspect
        self._policies: dict[str, Any] = {}  # the grants' policies as last read: a grant's first write starts there

    # the target from options check_common has passed: gcr_target or gar_target (read through the class: unbound)
    make_target: ClassVar[Callable[[Mapping[str, Any]], Target]]

    @classmethod
    def check(cls, options: Mapping[str, Any]) -> Target:
        # raises UsageError on a bad project, account, host, location, repository or role; without --service-account
        # the account is the consumer's default, named once the consumer is known (`serving`)
        return cls.make_target(check_common(options))

    @property
    def google(self) -> Google:
        if self._google is None:
            from providers.gcp.cloud import Google

            self._google = Google(self.run.settings, self.run.ui)
        return self._google

    @property
    def label(self) -> str:
        """The consumer as the account's description records it (and as it is compared when found again)."""
        return recorded(self.consumer.label)

    # --- read-only --------------------------------------------------------------------------------------
    def preflight(self) -> None:
        from google.api_core import exceptions as gx

        from providers.gcp.cloud import refusal

        t = self.target
        if self.consumer.email and self.consumer.email != t.email:
            self.run.ui.warn(
                f"--email is ignored for {self.name}: the platform entry keeps {t.email}, the service account's "
                "email, which is how status, rotate and offboard find the account behind it"
            )
        project, keys, repository, permissions = self._read_ahead()
        if isinstance(project, gx.NotFound | gx.PermissionDenied | gx.Forbidden):
            raise api.PreconditionError(
                f"Google Cloud project {t.project} was not found or is not visible to these credentials "
                f"({project.code})",
                fix="Check --gcp-project (the id, not the name) and that your account has a role on the project.",
                code="unknown_project",
            )
        if project:
            raise refusal(project, f"project {t.project}")
        # This read only proves IAM answers: no account yet is what onboarding is for, and a refusal is named by the
        # permission check below.
        if isinstance(keys, gx.GoogleAPICallError) and not isinstance(
            keys, gx.NotFound | gx.PermissionDenied | gx.Forbidden
        ):
            raise refusal(keys, f"keys of {t.email}")
        if t.repository and isinstance(repository, gx.NotFound):
            raise _no_repository(t.repository)
        if repository:
            raise refusal(repository, f"repository {t.repository}")
        missing: list[str] = []
        for answer in permissions:
            if isinstance(answer, gx.NotFound):  # a replica may not know the repository get just found
                raise _no_repository(t.repository or "")
            if isinstance(answer, BaseException):
                raise answer
            missing += answer
        if missing:
            raise api.PreconditionError(
                f"your Google credentials lack {', '.join(missing)} on project {t.project}",
                fix="Ask for roles/iam.serviceAccountAdmin, roles/iam.serviceAccountKeyAdmin and "
                "roles/artifactregistry.admin (or roles/resourcemanager.projectIamAdmin for project-level grants).",
                code="missing_permission",
            )

    def _read_ahead(self) -> tuple[Any, Any, Any, list[Any]]:
        """Every read of the preflight at once, and the account inspection will ask for: they wait on different
        APIs and none needs another's answer. One read of every API this run calls (the project, the account's keys,
        the repository), each one's refusal or None (the keys: the list when it answered); the permission checks'
        answers or errors; the account, kept for `inspect`. A new project has several APIs disabled: one error
        names them all, before any change."""
        from google.api_core import exceptions as gx
        from google.cloud import iam_admin_v1

        from providers.gcp.cloud import apis_disabled, disabled_service

        t, g = self.target, self.google
        user = iam_admin_v1.ListServiceAccountKeysRequest.KeyType.USER_MANAGED
        g.iam, g.projects  # noqa: B018 - made here, not raced for by the threads below
        if t.repository:
            g.registry  # noqa: B018

        def keys() -> Any:  # the account may not exist yet (a 404 then): a read the run makes anyway
            request = {"name": t.account_name, "key_types": [user]}
            try:
                return list(
                    g.call(
                        f"keys of {t.email}",
                        lambda: g.iam.list_service_account_keys(request=request, **g.once).keys,
                        allow=(gx.GoogleAPICallError,),
                    )
                )
            except gx.GoogleAPICallError as err:
                return err

        def repo() -> Any:
            if not t.repository:
                return None
            name: str = t.repository
            return g.probe(f"repository {name}", lambda: g.registry.get_repository(name=name, **g.once))

        project_permissions = [
            "iam.serviceAccounts.create",
            "iam.serviceAccounts.get",
            "iam.serviceAccountKeys.create",
            "iam.serviceAccountKeys.delete",
            *(["resourcemanager.projects.setIamPolicy"] if any(not g.on_repository for g in t.grants) else []),
        ]
        reads: list[Callable[[], Any]] = [
            lambda: g.probe(
                f"project {t.project}", lambda: g.projects.get_project(name=f"projects/{t.project}", **g.once)
            ),
            keys,
            repo,
            lambda: api.caught(lambda: g.get_account(t.account_name)),
            lambda: api.caught(lambda: g.missing_permissions(f"projects/{t.project}", project_permissions)),
        ]
        if t.repository and any(grant.on_repository for grant in t.grants):
            repository_permissions = ["artifactregistry.repositories.setIamPolicy"]
            reads.append(
                lambda: api.caught(
                    lambda: g.missing_permissions(t.repository or "", repository_permissions, allow=(gx.NotFound,))
                )
            )
        # The grants' policies too: whether the grants exist, and where their writes start (etag-checked, so a policy
        # changed meanwhile is read again). A failed read is the grant's to report, in its turn.
        policy_reads = [partial(api.caught, partial(g.policy, grant.scope, lagging=False)) for grant in t.grants]
        answers = api.together(*reads, *policy_reads)
        project, keys_read, repository, account, *permissions = answers[: len(reads)]
        policies = answers[len(reads) :]
        self._policies = {g.scope: p for g, p in zip(t.grants, policies, strict=True) if not isinstance(p, Exception)}
        refusals = (project, keys_read if isinstance(keys_read, BaseException) else None, repository or None)
        if disabled := [s for s in map(disabled_service, refusals) if s]:
            raise apis_disabled(disabled, t.project)
        self._read = {"account": account, "keys": keys_read}
        return project, keys_read, repository or None, permissions

    def inspect(self) -> api.Inspection:
        # What preflight read already serves the first inspection; any later one (a second look) reads anew.
        read, self._read = self._read, {}
        fresh = not read  # a second look reads the policies anew too
        account = read["account"] if "account" in read else self.google.get_account(self.target.account_name)
        if isinstance(account, BaseException):
            raise account
        if account is None:
            return api.Inspection()
        serves = account.description[len(SERVES) :] if account.description.startswith(SERVES) else None
        identity = api.Identity("service account", account.email, serves=serves)
        keys = read.get("keys")
        held = self._held(keys if isinstance(keys, list) else None)
        return api.Inspection(identity, granted=self._granted(fresh), held=held)

    def _granted(self, fresh: bool) -> bool:
        member = self.target.member
        for grant in self.target.grants:
            if fresh or grant.scope not in self._policies:
                self._policies[grant.scope] = self.google.policy(grant.scope)
            policy = self._policies[grant.scope]
            if not any(
                b.role == grant.role and member in b.members and not b.HasField("condition") for b in policy.bindings
            ):
                return False
        return True

    def _held(self, keys: list[Any] | None = None) -> list[api.Held]:
        keys = self.google.keys(self.target.account_name) if keys is None else keys
        return sorted((_held(k) for k in keys), key=lambda h: h.created or datetime.min.replace(tzinfo=UTC))

    def login(self, found: api.Inspection) -> tuple[str, str]:
        return self.target.server, USERNAME

    def email(self) -> str:
        # Always the account's: an entry with another email no longer says which account it holds a key of.
        return self.target.email

    def in_place(self, found: api.Inspection, entry: api.PlatformEntry | None) -> bool:
        # `_json_key` names no account: the entry's email is what ties it to this service account.
        return (
            super().in_place(found, entry)
            and entry is not None
            and entry.email == self.email()
            and found.identity is not None
            and found.identity.serves == self.label
        )

    def onboarding(self, found: api.Inspection) -> api.Onboarding:
        t = self.target
        if found.identity is None:
            account = api.Change(
                api.Step("create", "service account", t.email, f"records {self.label}"), self._create_account
            )
        else:
            self._refuse_other_consumer(found.identity)
            detail = "exists" if found.identity.serves == self.label else f"will record {self.label}"
            account = api.Change(api.Step("keep", "service account", t.email, detail), self._keep_account)
        grants = [
            api.Change(
                api.Step("keep" if found.granted else "grant", g.role, f"to {t.member}", f"on {g.scope}"),
                partial(self._grant, g),
            )
            for g in t.grants
        ]
        mint = api.Change(api.Step("mint", "key", f"for {t.email}", "JSON key, kept in memory only"), self._mint)
        return api.Onboarding([account, *grants], mint, mint_after=1)  # the key needs the account, not its grants

    def verification(self, minted: api.Minted) -> api.VerifyTarget:
        t = self.target
        if t.repository is None:  # a project-wide grant names no repository: prove the login only
            repository = None
        elif t.server.endswith(".gcr.io") or t.server == "https://gcr.io":
            repository = f"{t.project}/{PROBE_IMAGE}"
        else:
            repository = f"{t.project}/{t.repository.rsplit('/', 1)[-1]}/{PROBE_IMAGE}"
        roles = [g.role for g in t.grants]
        pulls = any(r in PULL_ROLES or r.startswith("projects/") for r in roles)
        hint = (
            ""
            if pulls
            else (
                f"{', '.join(roles)} grants no pulls from Artifact Registry, which serves {t.server} now; "
                "grant roles/artifactregistry.reader instead (drop --role)."
            )
        )
        return api.VerifyTarget(t.server, repository, propagates=True, patience=KEY_PROPAGATION, no_pull_grant=hint)

    def removal(self, found: api.Inspection, *, keep_identity: bool) -> api.Removals:
        if found.identity is None:
            return api.Removals([])
        self._refuse_other_consumer(found.identity)
        t = self.target
        attached = [
            api.Removal(
                api.Step("retire", "key", h.id, f"of {t.email}"),
                f"key {h.id}",
                partial(self._delete_key, f"{t.account_name}/keys/{h.id}"),
                api.Step("retired", "key", h.id),
            )
            for h in found.held
        ]
        attached += [
            api.Removal(
                api.Step("revoke", g.role, f"from {t.member}", f"on {g.scope}"),
                f"{g.role} on {g.scope}",
                partial(self._unbind, g),
                api.Step("revoked", g.role, f"on {g.scope}"),
            )
            for g in self._held_grants()
        ]
        account = api.Removal(
            api.Step("delete", "service account", t.email),
            f"service account {t.email}",
            lambda: self._delete_account(t.account_name),
            api.Step("deleted", "service account", t.email),
        )
        return api.Removals(attached, None if keep_identity else account)

    def retirement(self, identity: api.Identity) -> api.Retirement:
        t = self.target
        return api.Retirement(
            "key",
            t.email,
            held=lambda: [_held(k) for k in self.google.keys(t.account_name)],
            retire=lambda h: self._delete_key(f"{t.account_name}/keys/{h.id}"),
            patience=GONE,
        )

    def _refuse_other_consumer(self, identity: api.Identity) -> None:
        if identity.serves and identity.serves != self.label and not self.target.reassign:
            raise api.PreconditionError(
                f"service account {identity.name} already serves {identity.serves}, not {self.label}",
                fix="Give this consumer its own --service-account, or pass --reassign to move it (the other "
                "consumer's key will then be retired).",
                code="identity_in_use",
            )

    # --- changes, each taken by the engine ------------------------------------------------------------------
    def _keep_account(self, identity: api.Identity) -> api.Taken:
        """The account exists: make it record this consumer."""
        t, g = self.target, self.google
        self._refuse_other_consumer(identity)
        if identity.serves == self.label:
            return api.Taken(identity, api.Step("found", "service account", t.email))
        account = {"name": t.account_name, "description": SERVES + self.label}
        g.call(
            f"service account {t.email}",
            lambda: g.iam.patch_service_account(
                request={"service_account": account, "update_mask": {"paths": ["description"]}},
                **g.once,
            ),
        )
        return api.Taken(identity, api.Step("updated", "service account", t.email, f"now records {self.label}"))

    def _create_account(self, _: None) -> api.Taken:
        from google.api_core import exceptions as gx

        t, g = self.target, self.google
        request = {
            "name": f"projects/{t.project}",
            "account_id": t.account_id,
            "service_account": {"display_name": self.account_display, "description": SERVES + self.label},
        }
        try:
            g.call(
                f"service account {t.email}",
                lambda: g.iam.create_service_account(request=request, **g.once),
                allow=(gx.AlreadyExists,),
            )
        except gx.AlreadyExists:  # made by a concurrent run since we looked: converge on it
            again = self.inspect().identity
            return self._keep_account(again) if again is not None else self._create_account(None)

        return api.Taken(
            api.Identity("service account", t.email, serves=self.label, created=True),
            api.Step("created", "service account", t.email, f"records {self.label}"),
            # The grant and the key wait for the new account themselves: each retries while it is not yet known.
            api.Undo(f"service account {t.email}", lambda: self._delete_account(t.account_name)),
        )

    def _grant(self, grant: Grant, identity: api.Identity) -> api.Taken:
        member = self.target.member
        added = self.google.change_policy(
            grant.scope,
            partial(_bind, role=grant.role, member=member),
            what=f"{grant.role} on {grant.scope}",
            patience=APPEAR,
            read=self._policies.pop(grant.scope, None),
        )
        if not added:
            return api.Taken(identity, api.Step("found", grant.role, f"granted to {member}", f"on {grant.scope}"))
        undo = api.Undo(f"grant of {grant.role} on {grant.scope}", partial(self._unbind, grant))
        return api.Taken(identity, api.Step("granted", grant.role, f"to {member}", f"on {grant.scope}"), undo)

    def _mint(self, identity: api.Identity) -> api.Taken:
        from google.api_core import exceptions as gx
        from google.cloud import iam_admin_v1

        from providers.gcp.cloud import key_file, org_policy_constraint

        t, g = self.target, self.google
        # An account this run made (under the consumer's lease) holds no user-managed key: nothing to count.
        existing = [] if identity.created else g.keys(t.account_name)
        if len(existing) >= MAX_KEYS:
            raise api.PreconditionError(
                f"service account {t.email} already has {MAX_KEYS} user-managed keys, the most Google allows",
                fix=f"Delete unused ones (`gcloud iam service-accounts keys list --iam-account={t.email}`), "
                "then run this command again.",
                code="key_limit",
            )
        request = {
            "name": t.account_name,
            "private_key_type": iam_admin_v1.ServiceAccountPrivateKeyType.TYPE_GOOGLE_CREDENTIALS_FILE,
        }

        def create() -> Any:
            try:
                return g.iam.create_service_account_key(request=request, **g.once)
            except gx.DeadlineExceeded:
                # Google may still make the key it did not answer for, and nobody would ever hold its private
                # half: retire any such key before asking for another.
                self._retire_unanswered({k.name for k in existing})
                raise

        try:
            key = g.call(
                f"a key for {t.email}",
                create,
                # an account just made may be refused in many ways for a while; one just seen, a 404 at most
                not_yet=_not_visible if identity.created else _behind,
                patience=APPEAR,
                allow=(gx.FailedPrecondition,),
            )
        except gx.FailedPrecondition as err:
            constraint = org_policy_constraint(err)
            if constraint:
                raise api.PreconditionError(
                    f"key creation is not allowed on service account {t.email}: the organisation policy "
                    f"{constraint} is enforced on project {t.project}",
                    fix="An Organization Policy Administrator (roles/orgpolicy.policyAdmin) can exempt this project "
                    "from that constraint; until then this registry cannot be onboarded with a key.",
                    code="org_policy",
                ) from None
            raise api.OperationError(f"Google refused a key for {t.email}: {err.message}", code="key_refused") from None
        undo = api.Undo(f"key {_key_id(key.name)} of {t.email}", lambda: self._delete_key(key.name))
        try:
            text = key_file(key.private_key_data)
            api.Secret(json.loads(text).get("private_key", ""))  # so the PEM alone is scrubbed from any text too
        except Exception:  # a key nobody can hold: it goes before the error does
            undo.call()
            raise
        held = _held(key)
        minted = api.Minted(api.RegistryCredential(t.server, USERNAME, api.Secret(text), self.email()), held)
        return api.Taken(minted, api.Step("minted", "key", held.id, f"for {t.email}, in memory only"), undo)

    # --- plumbing -------------------------------------------------------------------------------------------
    def _retire_unanswered(self, known: set[str]) -> None:
        """Retire the keys that appear beside `known` within two call timeouts: made by a request whose answer never
        came. A request Google still acts on after that long is not waited for; the next run retires its key."""
        g = self.google
        late = api.appeared(
            lambda: [k.name for k in g.keys(self.target.account_name) if k.name not in known] or None,
            what="a key Google may have made without answering",
            ui=self.run.ui,
            within=2 * g.timeout,
            clock=api.REAL_CLOCK,  # a request in flight lands in real time
        )
        for name in late or []:
            self._delete_key(name)
            self.run.record("retired", "key", _key_id(name), "made by a request that timed out")

    def _delete_key(self, name: str) -> None:
        from google.api_core import exceptions as gx

        with contextlib.suppress(gx.NotFound):
            self.google.call(
                f"deleting key {_key_id(name)}",
                lambda: self.google.iam.delete_service_account_key(name=name, **self.google.once),
                allow=(gx.NotFound,),
            )

    def _delete_account(self, name: str) -> None:
        from google.api_core import exceptions as gx

        def delete() -> None:
            with contextlib.suppress(gx.NotFound):
                self.google.call(
                    f"deleting {name}",
                    lambda: self.google.iam.delete_service_account(name=name, **self.google.once),
                    allow=(gx.NotFound,),
                )
            # A replica behind answers a delete with 404 as if the account were gone: believe a fresh read only.
            if self.google.get_account(name) is not None:
                raise _Lingering

        api.poll(
            delete,
            what=f"{name} to be gone",
            not_yet=lambda exc: api.Retry("a deleted account is still there") if isinstance(exc, _Lingering) else None,
            ui=self.run.ui,
            patience=GONE,
            clock=self.run.settings.clock,
        )

    def _held_grants(self) -> list[Grant]:
        """Every grant the account holds where regboot grants (the project, the repositories behind the server),
        whichever options this run was given: offboard removes them all, not only the ones its flags name."""
        if self._grants is None:
            t = self.target
            self._grants = self._grants_at(
                [*(x.scope for x in t.grants), *self._scopes(self.google, t.server, t.project)]
            )
        return self._grants

    def _grants_at(self, scopes: list[str]) -> list[Grant]:
        """The account's grants at each of `scopes`, in their order."""
        member, g = self.target.member, self.google
        return [
            Grant(b.role, scope)
            for scope in dict.fromkeys(scopes)
            for b in g.policy(scope).bindings
            if member in b.members
        ]

    def _unbind(self, grant: Grant) -> None:
        self.google.change_policy(
            grant.scope,
            lambda p: _unbind(p, grant.role, self.target.member),
            what=f"removing {grant.role} on {grant.scope}",
            patience=api.Patience(deadline=60.0),
        )

    # --- status ---------------------------------------------------------------------------------------------
    @classmethod
    def claims(cls, entry: api.PlatformEntry) -> bool:
        return entry.username == USERNAME and cls._claims_server(entry.server)

    @classmethod
    def _claims_server(cls, server: str) -> bool:
        found = api.Server.parse(server)
        return found.scheme != "http" and cls._serves(found.written)

    @classmethod
    def _serves(cls, host: str) -> bool:
        """Whether a registry host (no scheme) is this provider's."""
        raise NotImplementedError

    @classmethod
    def _scopes(cls, google: Google, server: str, project: str) -> list[str]:
        """Where a grant for the entry's service account may live."""
        raise NotImplementedError

    @classmethod
    def options_for(cls, entry: api.PlatformEntry, *, command: str) -> dict[str, Any]:
        """The entry's email is its service account's (regboot stores it there unless --email was given): it names
        the project and the account; the server names the host or location."""
        account, _, domain = entry.email.partition("@")
        if not domain.endswith(ACCOUNT_DOMAIN):
            raise api.UsageError(
                f"the platform entry {entry.name} does not name its service account (its email is {entry.email!r})",
                fix=f"Run `regboot {command} {cls.name} --gcp-project PROJECT --service-account ID "
                f"--secret-name {entry.name} ...` with the options it was onboarded with.",
            )
        return {"gcp_project": domain.split(".", 1)[0], "service_account": account, **cls._where(entry, command)}

    @classmethod
    def _where(cls, entry: api.PlatformEntry, command: str) -> dict[str, Any]:
        raise NotImplementedError

    def status(self, entry: api.PlatformEntry) -> api.StatusRow:
        t = self.target
        found = self.inspect()
        if found.identity is None:
            return api.StatusRow(self.name, identity=t.email, problems=("service account not found",))
        grants = [f"{g.role} on {g.scope}" for g in self._grants_at(self._scopes(self.google, t.server, t.project))]
        problems = () if found.held else ("the service account has no key: the platform's credential is dead",)
        return api.StatusRow(
            self.name,
            identity=t.email,
            grant="; ".join(grants) or "(none)",
            held=tuple(found.held[-1:]),
            stray=tuple(found.held[:-1]),
            problems=problems,
        )

    @classmethod
    def strays(cls, entries: list[api.PlatformEntry], project: str, run: api.Run) -> list[api.Stray]:
        """In the Google projects the platform's entries point at, the service accounts that record a consumer of
        this Akka project but that no entry names (replaced, or half offboarded). gcr and gar share them."""
        from providers.gcp.cloud import Google

        emails = {e.email for e in entries}
        projects = sorted({e.split("@", 1)[1].split(".", 1)[0] for e in emails if e.endswith(ACCOUNT_DOMAIN)})
        google = Google(run.settings, run.ui)
        found = []
        for gcp_project in projects:
            for account in google.accounts(gcp_project):
                serves = account.description.removeprefix(SERVES)
                if serves == account.description or not serves.startswith(f"akka:{project}/"):
                    continue
                if account.email in emails:
                    continue
                secret = "SECRET" if "~" in serves else serves.rsplit("/", 1)[-1]
                fix = (
                    f"regboot offboard gcr --gcp-project {gcp_project} --service-account "
                    f"{account.email.split('@', 1)[0]} --secret-name {secret} -y"
                )
                held = tuple(_held(k) for k in google.keys(account.name))
                found.append(api.Stray("gcr/gar", account.email, serves, held, fix))
        return found


class Gcr(GoogleProvider):
    name = "gcr"
    summary = "gcr.io hosts (served by Artifact Registry): a reader service account, its grant and a JSON key."
    options: ClassVar[tuple[api.Param, ...]] = (
        COMMON[0],
        api.Param("host", "gcr.io host.", default="gcr.io", choices=tuple(GCR_HOSTS)),
        COMMON[1],
        api.Param(
            "role",
            "Role to grant (repeatable; default roles/artifactregistry.reader on the repository).",
            multiple=True,
            identifies=False,
        ),
        COMMON[2],
    )

    make_target = gcr_target

    @classmethod
    def _serves(cls, host: str) -> bool:
        return host in GCR_HOSTS

    @classmethod
    def _where(cls, entry: api.PlatformEntry, command: str) -> dict[str, Any]:
        return {"host": api.Server.parse(entry.server).written}

    @classmethod
    def _scopes(cls, google: Google, server: str, project: str) -> list[str]:
        host = api.Server.parse(server).written
        return [f"projects/{project}", f"projects/{project}/locations/{GCR_HOSTS[host]}/repositories/{host}"]


class Gar(GoogleProvider):
    name = "gar"
    summary = "Artifact Registry (*-docker.pkg.dev): a reader service account, its grant and a JSON key."
    options: ClassVar[tuple[api.Param, ...]] = (
        COMMON[0],
        api.Param("location", "Artifact Registry location, e.g. us-central1.", required=True),
        api.Param("repository", "Repository id (default: grant on the whole project)."),
        COMMON[1],
        COMMON[2],
    )

    make_target = gar_target

    @classmethod
    def _serves(cls, host: str) -> bool:
        return host.endswith("-docker.pkg.dev")

    @classmethod
    def _where(cls, entry: api.PlatformEntry, command: str) -> dict[str, Any]:
        location = api.Server.parse(entry.server).written.split("-docker.pkg.dev")[0]
        # offboard and status find the grants wherever they are; a rotation must not guess them
        if command not in ("offboard", "status"):
            account, _, domain = entry.email.partition("@")
            raise api.UsageError(
                f"the platform entry {entry.name} does not say which repository its grant is on",
                fix=f"Run `regboot {command} gar --gcp-project {domain.split('.', 1)[0]} --location {location} "
                f"--service-account {account} --secret-name {entry.name} --repository REPOSITORY` "
                "(without --repository for a project-wide grant).",
            )
        return {"location": location}

    @classmethod
    def _scopes(cls, google: Google, server: str, project: str) -> list[str]:
        # The entry names only the location: look at every repository there for this account's grants.
        location = api.Server.parse(server).written.split("-docker.pkg.dev")[0]
        parent = f"projects/{project}/locations/{location}"
        repositories = google.call(
            f"repositories in {parent}",
            lambda: list(google.registry.list_repositories(parent=parent, **google.once)),
        )
        return [f"projects/{project}", *(r.name for r in repositories)]


def recorded(label: str) -> str:
    """`label`, or when it would not fit Google's description limit, its start and a hash of the whole: consumers
    whose labels differ only past the cut still record differently."""
    room = DESCRIPTION_BYTES - len(SERVES.encode())
    if len(label.encode()) <= room:
        return label
    digest = hashlib.sha256(label.encode()).hexdigest()[:16]
    head = label.encode()[: room - len(digest) - 1].decode(errors="ignore")
    return f"{head}~{digest}"


def _bind(policy: Any, role: str, member: str) -> bool:
    for binding in policy.bindings:
        if binding.role == role and not binding.HasField("condition"):
            if member in binding.members:
                return False
            binding.members.append(member)
            return True
    policy.bindings.add(role=role, members=[member])
    return True


def _unbind(policy: Any, role: str, member: str) -> bool:
    changed = False
    for binding in list(policy.bindings):
        if binding.role == role and member in binding.members:
            binding.members.remove(member)
            changed = True
            if not binding.members:
                policy.bindings.remove(binding)
    return changed


class _Lingering(Exception):
    """Something regboot deleted is still there."""


def _no_repository(repository: str) -> api.PreconditionError:
    _, project, _, location, _, repo = repository.split("/")
    if repo in GCR_HOSTS:
        fix = (
            f"gcr.io hosts are now served by Artifact Registry. Create it with `gcloud artifacts repositories create "
            f"{repo} --repository-format=docker --location={location} --project={project}`, or migrate with "
            f"`gcloud artifacts docker upgrade migrate --projects={project}`."
        )
    else:
        fix = f"Check --repository and --location (`gcloud artifacts repositories list --project={project}`)."
    return api.PreconditionError(
        f"Artifact Registry repository {repository} does not exist", fix=fix, code="unknown_repository"
    )


def _behind(exc: Exception) -> api.Retry | None:
    from google.api_core import exceptions as gx

    if isinstance(exc, gx.NotFound):
        return api.Retry("the service account is not visible to this replica yet")
    return None


def _not_visible(exc: Exception) -> api.Retry | None:
    from google.api_core import exceptions as gx

    if isinstance(exc, gx.NotFound | gx.PermissionDenied | gx.Forbidden):
        return api.Retry("the new service account is not visible yet")
    return None


def _key_id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _held(key: Any) -> api.Held:
    created = key.valid_after_time if key.valid_after_time and key.valid_after_time.year > 1970 else None
    expires = key.valid_before_time if key.valid_before_time and key.valid_before_time.year < 9999 else None
    return api.Held(_key_id(key.name), created=created, expires=expires, label="user-managed key")

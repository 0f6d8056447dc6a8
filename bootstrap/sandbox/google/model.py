"""Google Cloud as the emulator knows it: state and the cloud's rules, with no wire format in sight.

Rules enforced on purpose, because generic fakes skip them: account id format, duplicate ids, 10 user-managed keys
per account, the key-creation org policy, policy etags, members that must exist, propagation delays, a caller
whose permissions can be taken away, and APIs not enabled in a project (a new project lacks iam.googleapis.com).
"""

from __future__ import annotations

import base64
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from bootstrap.sandbox.google.accounts import ServiceAccounts, digits, locked, page
from bootstrap.sandbox.google.errors import GoogleError, permission_denied, service_disabled
from bootstrap.sandbox.google.policies import PULL_ROLES, check_bindings, check_permissions
from bootstrap.sandbox.google.quota import WriteQuota
from bootstrap.sandbox.google.records import Policy, Project, Repository, ServiceAccount, ServiceAccountKey, new_etag

REPOSITORY_NAME = re.compile(r"projects/([^/]+)/locations/([^/]+)/repositories/([^/]+)")
SETTINGS = {
    "propagation_delay": float,
    "key_propagation_delay": float,
    "binding_propagation_delay": float,
    "key_creation_disabled": bool,
    "denied_permissions": set,
    "write_quota_per_minute": int,
}


class GoogleModel(ServiceAccounts):
    """Projects, service accounts and their keys, Artifact Registry repositories, IAM policies and the caller."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.RLock()
        self.reset()

    @locked
    def reset(self) -> None:
        """Forget every resource and restore the default settings (tests share servers and reset between them)."""
        self.propagation_delay = 0.0  # a new account is invisible to reads and bindings for this long
        self.key_propagation_delay = 0.0  # a new key authenticates nowhere for this long (see key_is_usable)
        # A new grant takes effect after this long (see member_has_role): access changes "typically propagate in 2
        # minutes, potentially 7 minutes or longer" (cloud.google.com/iam/docs/access-change-propagation).
        self.binding_propagation_delay = 0.0
        self.key_creation_disabled = False  # the org policy constraints/iam.disableServiceAccountKeyCreation
        self.denied_permissions: set[str] = set()  # permissions the caller lacks
        self.write_quota_per_minute = 600  # IAM writes per project per minute (see quota.py); 0: unlimited
        self.write_quota = WriteQuota(self.clock)
        self.projects: dict[str, Project] = {}  # by project id
        self.accounts: dict[str, ServiceAccount] = {}  # by email
        self.keys: dict[str, ServiceAccountKey] = {}  # by key id
        self.repositories: dict[str, Repository] = {}  # by resource name
        self.issued_secrets: list[str] = []  # every key file handed out, deleted ones too: for leak checks

    @locked
    def charge_write(self, resource: str) -> None:
        """One IAM write on the project `resource` names; RESOURCE_EXHAUSTED over the per-project quota."""
        self.write_quota.charge(resource, self.write_quota_per_minute)

    # --- configuration and seeding -------------------------------------------------------------------
    @locked
    def configure(self, **settings: Any) -> dict:
        """Change the switches a test or the control API may flip; unknown names fail loudly."""
        for name, value in settings.items():
            kind = SETTINGS.get(name)
            if kind is None:
                raise ValueError(f"unknown setting {name!r}; one of {', '.join(SETTINGS)}")
            setattr(self, name, kind(value))
        return self.settings()

    def settings(self) -> dict:
        return {n: sorted(v) if isinstance(v := getattr(self, n), set) else v for n in SETTINGS}

    @locked
    def add_project(self, project_id: str, *, number: str = "", owner: str = "user:owner@example.com") -> Project:
        policy = Policy({"roles/owner": [owner]}, version=1, etag=new_etag())
        project = Project(f"projects/{project_id}", project_id, number or digits(12), project_id, policy)
        self.projects[project_id] = project
        return project

    @locked
    def add_repository(self, project: str, location: str, repository_id: str, *, format: str = "DOCKER") -> Repository:
        if project not in self.projects:
            self.add_project(project)
        name = f"projects/{project}/locations/{location}/repositories/{repository_id}"
        repository = Repository(name, project, location, repository_id, format=format)
        self.repositories[repository.name] = repository
        return repository

    @locked
    def add_service_account(self, project: str, account_id: str, *, description: str = "") -> ServiceAccount:
        """Seed an account that exists and has long since propagated."""
        account = self._new_account(project, account_id, account_id, description)
        account.created_at = float("-inf")
        return account

    # --- enabled services ----------------------------------------------------------------------------
    @locked
    def disable_services(self, project_id: str, *services: str) -> None:
        """Make `services` answer SERVICE_DISABLED for `project_id`, as in a project just created."""
        self.projects[project_id].disabled_services.update(services)

    @locked
    def enable_services(self, project_id: str, *services: str) -> None:
        self.projects[project_id].disabled_services.difference_update(services)

    @locked
    def require_service(self, service: str, resource: str) -> None:
        """Refuse a call to `service` about `resource` (projects/P/...) when P has not enabled it. Google checks this
        before permissions or existence; an unknown project is left to the call's own answer."""
        ref = resource.removeprefix("projects/").partition("/")[0]
        project = self.projects.get(ref) or next((p for p in self.projects.values() if p.number == ref), None)
        if project is not None and service in project.disabled_services:
            raise service_disabled(service, project.number)

    # --- projects ------------------------------------------------------------------------------------
    @locked
    def get_project(self, name: str) -> Project:
        return self._project(name, "resourcemanager.projects.get")

    def _project(self, name: str, permission: str, *, check: bool = True) -> Project:
        ref = name.removeprefix("projects/")
        project = self.projects.get(ref) or next((p for p in self.projects.values() if p.number == ref), None)
        if check:
            self._require(permission, name)
        if project is None:
            raise permission_denied(permission, name)
        return project

    # --- IAM policies --------------------------------------------------------------------------------
    @locked
    def get_iam_policy(self, resource: str) -> Policy:
        return self._policy(resource, "getIamPolicy")

    @locked
    def set_iam_policy(
        self,
        resource: str,
        bindings: dict[str, list[str]],
        *,
        version: int = 1,
        etag: bytes = b"",
        stale: bool = False,
        not_visible: bool = False,
    ) -> Policy:
        """Replace a policy. An etag that is not the current one (or `stale`) is a lost race: ABORTED.
        Every service account newly named must exist and have propagated (`not_visible`: pretend none has)."""
        policy = self._policy(resource, "setIamPolicy")
        if stale or (etag and etag != policy.etag):
            raise GoogleError(
                "ABORTED",
                "There were concurrent policy changes. Please retry the whole read-modify-write with exponential "
                "backoff.",
            )
        bindings = check_bindings(bindings, version, repository=resource in self.repositories)
        for member in sorted(set().union(*bindings.values()) - policy.members()):
            email = member.removeprefix("serviceAccount:")
            if member.startswith("serviceAccount:") and email.endswith(".iam.gserviceaccount.com"):
                account = self.accounts.get(email)
                if account is None or not_visible or not self._visible(account):
                    raise GoogleError("INVALID_ARGUMENT", f"Service account {email} does not exist.")
        granted_at = {g: t for g, t in policy.granted_at.items() if g[1] in bindings.get(g[0], ())}
        for role, members in bindings.items():
            for member in members:
                granted_at.setdefault((role, member), self.clock())
        policy.bindings, policy.version, policy.etag = bindings, max(version, 1), new_etag()
        policy.granted_at = granted_at
        return policy

    @locked
    def test_iam_permissions(self, resource: str, permissions: list[str]) -> list[str]:
        """The requested permissions the caller holds on `resource` (asking needs no permission itself)."""
        check_permissions(permissions)
        self._target(resource, "get", check=False)
        return [p for p in permissions if p not in self.denied_permissions]

    def _policy(self, resource: str, verb: str) -> Policy:
        return self._target(resource, verb).policy

    def _target(self, resource: str, verb: str, *, check: bool = True) -> Project | Repository:
        if REPOSITORY_NAME.fullmatch(resource):
            return self._repository(resource, f"artifactregistry.repositories.{verb}", check=check)
        if resource.startswith("projects/") and resource.count("/") == 1:
            return self._project(resource, f"resourcemanager.projects.{verb}", check=check)
        raise GoogleError("INVALID_ARGUMENT", f"Unsupported IAM resource '{resource}'.")

    def _policies(self) -> list[Policy]:
        return [p.policy for p in self.projects.values()] + [r.policy for r in self.repositories.values()]

    # --- Artifact Registry ---------------------------------------------------------------------------
    @locked
    def get_repository(self, name: str) -> Repository:
        return self._repository(name, "artifactregistry.repositories.get")

    @locked
    def list_repositories(self, parent: str, page_size: int = 0, page_token: str = "") -> tuple[list, str]:
        project_ref, _, location = parent.removeprefix("projects/").partition("/locations/")
        project = self._project(f"projects/{project_ref}", "artifactregistry.repositories.list")
        found = [r for r in self.repositories.values() if (r.project, r.location) == (project.project_id, location)]
        return page(found, page_size, page_token, default=1000, maximum=1000)

    def _repository(self, name: str, permission: str, *, check: bool = True) -> Repository:
        match = REPOSITORY_NAME.fullmatch(name)
        if not match:
            raise GoogleError("INVALID_ARGUMENT", f"Invalid repository name '{name}'.")
        project = self._project(f"projects/{match.group(1)}", permission, check=check)
        repository = self.repositories.get(f"{project.name}/locations/{match.group(2)}/repositories/{match.group(3)}")
        if repository is None:
            raise GoogleError("NOT_FOUND", "Requested entity was not found.")
        return repository

    # --- the caller ----------------------------------------------------------------------------------
    def deny(self, *permissions: str) -> None:
        self.denied_permissions.update(permissions)

    def allow(self, *permissions: str) -> None:
        self.denied_permissions.difference_update(permissions)

    def _require(self, permission: str, resource: str) -> None:
        if permission in self.denied_permissions:
            raise permission_denied(permission, resource)

    # --- queries for the registry emulator -----------------------------------------------------------
    @locked
    def member_has_role(self, project: str, location: str, repository: str, member: str, role: str) -> bool:
        """Whether `member` holds `role` on the repository, directly or through the project, and it took effect."""
        policies = [self.projects[project].policy] if project in self.projects else []
        repo = self.repositories.get(f"projects/{project}/locations/{location}/repositories/{repository}")
        policies += [repo.policy] if repo else []
        settled = self.clock() - self.binding_propagation_delay
        return any(p.grants(member, role) and p.granted_at.get((role, member), -1e300) <= settled for p in policies)

    def member_can_pull(self, project: str, location: str, repository: str, member: str) -> bool:
        """Whether any role that carries artifactregistry.repositories.downloadArtifacts reaches `member`."""
        return any(self.member_has_role(project, location, repository, member, role) for role in PULL_ROLES)

    @locked
    def snapshot(self) -> dict:
        """Everything the emulator holds, secrets left out: for `GET /_sandbox/state` and for debugging."""
        return {
            "settings": self.settings(),
            "projects": [
                {
                    "projectId": p.project_id,
                    "number": p.number,
                    "policy": _policy(p.policy),
                    "disabledServices": sorted(p.disabled_services),
                }
                for p in self.projects.values()
            ],
            "serviceAccounts": [
                {
                    "name": a.name,
                    "email": a.email,
                    "uniqueId": a.unique_id,
                    "displayName": a.display_name,
                    "description": a.description,
                    "disabled": a.disabled,
                }
                for a in self.accounts.values()
            ],
            "keys": [
                {
                    "name": k.name,
                    "keyType": k.key_type,
                    "disabled": k.disabled,
                    "validAfterTime": k.valid_after.isoformat(),
                    "validBeforeTime": k.valid_before.isoformat(),
                }
                for k in self.keys.values()
            ],
            "repositories": [
                {"name": r.name, "format": r.format, "description": r.description, "policy": _policy(r.policy)}
                for r in self.repositories.values()
            ],
        }


def _policy(policy: Policy) -> dict[str, Any]:
    bindings = [{"role": r, "members": list(m)} for r, m in policy.bindings.items() if m]
    return {"version": policy.version, "etag": base64.b64encode(policy.etag).decode(), "bindings": bindings}

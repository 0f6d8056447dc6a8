"""What a Google onboarding aims at: project, service account, grants and server, from validated options."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from bootstrap.api import DEFAULT_IDENTITY, UsageError

DEFAULT_ACCOUNT = DEFAULT_IDENTITY
READER = "roles/artifactregistry.reader"
USERNAME = "_json_key"

# gcr.io hosts are served by Artifact Registry repositories named after the host (Container Registry is shut down).
GCR_HOSTS = {"gcr.io": "us", "us.gcr.io": "us", "eu.gcr.io": "europe", "asia.gcr.io": "asia"}

_PROJECT = re.compile(r"[a-z][-a-z0-9]{4,28}[a-z0-9]")
_ACCOUNT = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])")
_LOCATION = re.compile(r"[a-z]+(-[a-z]+[0-9]+)?")
_REPOSITORY = re.compile(r"[a-z]([-a-z0-9.]*[a-z0-9])?")
_ROLE = re.compile(r"(roles/[A-Za-z0-9_.]{3,64}|projects/[a-z][-a-z0-9]{4,28}[a-z0-9]/roles/[A-Za-z0-9_.]{3,64})")


@dataclass(frozen=True)
class Grant:
    """A role bound to the service account at a scope (a project or an Artifact Registry repository)."""

    role: str
    scope: str

    @property
    def on_repository(self) -> bool:
        return "/repositories/" in self.scope


@dataclass(frozen=True)
class Target:
    project: str
    account_id: str  # "" until the consumer's default is known: `serving`
    server: str
    grants: tuple[Grant, ...]
    repository: str | None  # projects/P/locations/L/repositories/R, when one must exist
    reassign: bool = False  # let the account serve this consumer even if it records another one

    def serving(self, default_account: str) -> Target:
        """The target with its account named: the one the options gave, else the consumer's default."""
        return self if self.account_id else replace(self, account_id=default_account)

    @property
    def email(self) -> str:
        return f"{self.account_id}@{self.project}.iam.gserviceaccount.com"

    @property
    def account_name(self) -> str:
        return f"projects/{self.project}/serviceAccounts/{self.email}"

    @property
    def member(self) -> str:
        return f"serviceAccount:{self.email}"


def check_common(options: Mapping[str, Any]) -> dict[str, Any]:
    project = options.get("gcp_project") or ""
    if not _PROJECT.fullmatch(project):
        raise UsageError(
            f"invalid --gcp-project {project!r}",
            fix="Give the project id (6-30 lowercase letters, digits and hyphens), not its name.",
        )
    account = options.get("service_account")  # None: the consumer's default, known once the consumer is
    if account is not None and not (6 <= len(account) <= 30 and _ACCOUNT.fullmatch(account)):
        raise UsageError(
            f"invalid --service-account {account!r}",
            fix="Use 6-30 lowercase letters, digits and hyphens, starting with a letter.",
        )
    return {**options, "gcp_project": project, "service_account": account}


def gcr_target(options: Mapping[str, Any]) -> Target:
    host = options.get("host") or "gcr.io"
    if host not in GCR_HOSTS:
        raise UsageError(f"invalid --host {host!r}", fix=f"Use one of {', '.join(GCR_HOSTS)}.")
    project, account = options["gcp_project"], options.get("service_account") or ""
    repository = f"projects/{project}/locations/{GCR_HOSTS[host]}/repositories/{host}"
    roles = list(options.get("role") or [READER])
    for role in roles:
        if not _ROLE.fullmatch(role):
            raise UsageError(f"invalid --role {role!r}", fix="Give a role like roles/artifactregistry.reader.")
    # Artifact Registry roles go on the repository behind the host (least privilege); any other role, such as
    # the documented roles/storage.objectViewer, can only mean a project-level binding.
    grants = tuple(
        Grant(r, repository if r.startswith("roles/artifactregistry.") else f"projects/{project}")
        for r in dict.fromkeys(roles)
    )
    return Target(project, account, f"https://{host}", grants, repository, bool(options.get("reassign")))


def gar_target(options: Mapping[str, Any]) -> Target:
    location = options.get("location") or ""
    if not (len(location) <= 40 and _LOCATION.fullmatch(location)):
        raise UsageError(f"invalid --location {location!r}", fix="Give a location like us-central1, europe or us.")
    repo_id = options.get("repository")
    if repo_id is not None and not (len(repo_id) <= 63 and _REPOSITORY.fullmatch(repo_id)):
        raise UsageError(
            f"invalid --repository {repo_id!r}",
            fix="Give the repository id: lowercase letters, digits and hyphens, starting with a letter.",
        )
    project, account = options["gcp_project"], options.get("service_account") or ""
    repository = f"projects/{project}/locations/{location}/repositories/{repo_id}" if repo_id else None
    grant = Grant(READER, repository or f"projects/{project}")
    reassign = bool(options.get("reassign"))
    return Target(project, account, f"https://{location}-docker.pkg.dev", (grant,), repository, reassign)

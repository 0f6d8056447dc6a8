"""What Google accepts in an IAM policy and a permission test: role names, member forms, policy versions."""

from __future__ import annotations

import re

from bootstrap.sandbox.google.errors import GoogleError

# Roles that carry artifactregistry.repositories.downloadArtifacts. storage.objectViewer is not one of them:
# since Container Registry's shutdown gcr.io is served by Artifact Registry, where only these grant pulls.
PULL_ROLES = (
    "roles/artifactregistry.reader",
    "roles/artifactregistry.writer",
    "roles/artifactregistry.repoAdmin",
    "roles/artifactregistry.admin",
    "roles/viewer",
    "roles/editor",
    "roles/owner",
)
ROLE = re.compile(r"roles/[A-Za-z0-9_.]+|(projects|organizations)/[^/]+/roles/[A-Za-z0-9_.]+")
MEMBER = re.compile(
    r"allUsers|allAuthenticatedUsers|(user|serviceAccount|group|domain|deleted:[a-zA-Z]+|principal|principalSet"
    r"|projectOwner|projectEditor|projectViewer):.+"
)
PERMISSION = re.compile(r"[a-z][a-zA-Z0-9]*(\.[a-zA-Z0-9]+){2}")


def check_bindings(bindings: dict[str, list[str]], version: int, *, repository: bool) -> dict[str, list[str]]:
    """The bindings as Google stores them (no empty roles, no repeated members), or the refusal it would give."""
    if version not in (0, 1, 3):
        raise GoogleError("INVALID_ARGUMENT", f"Invalid policy version {version}: it must be 1 or 3.")
    cleaned: dict[str, list[str]] = {}
    for role, members in bindings.items():
        if not ROLE.fullmatch(role):
            raise GoogleError("INVALID_ARGUMENT", f"Role {role} is not a valid role name.")
        # A repository takes only Artifact Registry roles (and custom roles): no basic, no storage roles.
        if repository and role.startswith("roles/") and not role.startswith("roles/artifactregistry."):
            raise GoogleError("INVALID_ARGUMENT", f"Role {role} is not supported for this resource.")
        for member in members:
            if not MEMBER.fullmatch(member):
                raise GoogleError(
                    "INVALID_ARGUMENT", f'Invalid member {member}: policy members must be of the form "<type>:<value>".'
                )
        if members:
            cleaned.setdefault(role, [])
            cleaned[role] += [m for m in dict.fromkeys(members) if m not in cleaned[role]]
    return cleaned


def check_permissions(permissions: list[str]) -> None:
    if bad := [p for p in permissions if not PERMISSION.fullmatch(p)]:
        raise GoogleError("INVALID_ARGUMENT", f"Permission {bad[0]} is not valid.")

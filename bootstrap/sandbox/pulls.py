"""Who may pull from the sandbox's registry, as the emulated clouds say: the registry emulator's authorisers.

The sandbox serves every registry host from one emulator (REGBOOT_REGISTRY_ENDPOINT is one URL), so the
credential tells which cloud answers: `_json_key` is Google, an app id is Azure, anything else a static account.
"""

from __future__ import annotations

import re

from bootstrap.sandbox.azure.model import AzureModel
from bootstrap.sandbox.google.model import GoogleModel
from bootstrap.sandbox.registry import Accounts, Authorize, Decision

_APP_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
GCR_REPOSITORIES = (("us", "gcr.io"), ("us", "us.gcr.io"), ("europe", "eu.gcr.io"), ("asia", "asia.gcr.io"))


def google(model: GoogleModel) -> Authorize:
    """A live, propagated key of an account that holds a pull role on the repository the path names:
    `P/image` is a gcr.io host's repository, `P/REPO/image` an Artifact Registry repository (any location)."""

    def authorize(username: str, password: str, repository: str | None) -> Decision:
        key = model.key_by_json(password) if username == "_json_key" else None
        if key is None or not model.key_is_usable(key):
            return Decision(False)
        if repository is None:
            return Decision(True, True)
        project, _, rest = repository.partition("/")
        member = key.account.member
        if rest.count("/") == 0:
            candidates = list(GCR_REPOSITORIES)
        else:
            repo = rest.split("/", 1)[0]
            candidates = [
                (name.split("/")[3], repo)
                for name in model.repositories
                if name.startswith(f"projects/{project}/") and name.endswith(f"/repositories/{repo}")
            ]
        return Decision(True, any(model.member_can_pull(project, loc, repo, member) for loc, repo in candidates))

    return authorize


def azure(model: AzureModel) -> Authorize:
    """A current, propagated password of an app whose principal holds a pull role on a registry of the model."""

    def authorize(username: str, password: str, repository: str | None) -> Decision:
        if not _APP_ID.fullmatch(username) or model.password_created_at(username, password) is None:
            return Decision(False)
        denials = [model.pull_denial(username, password, r.login_server) for r in model.registries.values()]
        if any(d and "propagated" in d for d in denials) or any(d and "expired" in d for d in denials):
            return Decision(False)
        return Decision(True, any(d is None for d in denials))

    return authorize


def chain(*authorizers: Authorize) -> Authorize:
    """The first authoriser that knows the credential decides."""

    def authorize(username: str, password: str, repository: str | None) -> Decision:
        for each in authorizers:
            decision = each(username, password, repository)
            if decision.authenticated:
                return decision
        return Decision(False)

    return authorize


def accounts(*users: tuple[str, str]) -> Authorize:
    """Static accounts (Docker Hub, private registries) that may pull anything."""
    found = Accounts()
    for username, password in users:
        found.add(username, password)
    return found.authorize

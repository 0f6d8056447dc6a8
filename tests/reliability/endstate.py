"""What one provider's cloud and the platform hold after a run, read straight from the emulators' models, and what
is wrong with it: the end state the fault matrix (faultmatrix.py) judges every case on, never on what code ran."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bootstrap.sandbox.world import ACR_REGISTRY, GCP_PROJECT, Sandbox

SECRET_NAME = "docker-credentials"
SERVERS = {"gcr": "https://gcr.io", "gar": "https://us-central1-docker.pkg.dev", "acr": f"{ACR_REGISTRY}.azurecr.io"}


@dataclass(frozen=True)
class State:
    """What one provider's cloud and the platform hold, read straight from the emulators' models."""

    identities: frozenset[str]  # service accounts; app registrations and service principals
    rivals: frozenset[str]  # identities a `conflict` fault made for a concurrent writer: theirs, not the run's
    grants: frozenset[str]
    credentials: dict[str, str]  # key or password id -> its secret
    platform: tuple[str, str, str] | None  # the consumer's entry: server, username, password SHA-256
    platform_secret: bool

    def held(self) -> str | None:
        """The id of the credential the platform holds, if the cloud has it."""
        if self.platform is None:
            return None
        return next((i for i, s in self.credentials.items() if _sha(s) == self.platform[2]), None)


def read_state(world: Sandbox, provider: str) -> State:
    project = world.platform_state()["projects"][world.project]
    entry = project["credentials"].get(SECRET_NAME)
    platform = (entry["server"], entry["username"], entry["password_sha256"]) if entry else None
    if provider == "acr":
        model = world.emulators["azure"].model
        apps = model.directory.applications_list()
        identities = {f"app {a.app_id}" for a in apps}
        identities |= {f"service principal {sp.app_id}" for sp in model.directory.service_principals.values()}
        grants = {f"{a.role_id} to {a.principal_id} on {a.scope}" for a in model.role_assignments.values()}
        credentials = {p.key_id: p.secret for a in apps for p in a.passwords}
        rivals = {f"app {app_id}" for app_id in model.concurrent_apps}
    else:
        model = world.emulators["google"].model
        identities = {f"service account {email}" for email in model.accounts}
        grants = {
            f"{role} to {member} on {scope}"
            for scope in [f"projects/{GCP_PROJECT}", *model.repositories]
            for role, members in model.get_iam_policy(scope).bindings.items()
            for member in members
            if member.startswith("serviceAccount:")
        }
        credentials = {k.key_id: k.private_key_data for k in model.keys.values() if k.key_type == "USER_MANAGED"}
        rivals = set()
    return State(
        frozenset(identities),
        frozenset(rivals),
        frozenset(grants),
        credentials,
        platform,
        SECRET_NAME in project["secrets"],
    )


def issued_secrets(world: Sandbox) -> list[str]:
    """Every secret the clouds handed out, and for key files their private key's first line (it may leak alone,
    or JSON-escaped where the whole file would not match)."""
    found = []
    for name in ("google", "azure"):
        for secret in world.emulators[name].model.issued_secrets:
            found.append(secret)
            if secret.startswith("{"):
                pem = json.loads(secret).get("private_key", "")
                found += [line for line in pem.splitlines()[1:2] if len(line) > 32]
    return found


def leaks(world: Sandbox, texts: Iterable[str], roots: Iterable[Path] = ()) -> list[str]:
    """Where a secret the clouds handed out appears: in `texts` (what regboot printed) or in files under `roots`."""
    secrets = issued_secrets(world)
    found = [f"printed text #{i}" for i, text in enumerate(texts) if any(s in text for s in secrets)]
    for root in roots:
        for path in root.rglob("*") if root.exists() else []:
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                found += [str(path) for s in secrets if s.encode() in data][:1]
    return found


def wrong_end_state(
    provider: str, command: str, before: State, after: State, *, again: bool = False
) -> tuple[list[str], list[str]]:
    """What is wrong with `after` as the end state of a successful `command` (`again`: one after another run), and
    what is left over besides it."""
    problems: list[str] = []
    if command == "offboard":
        if after.platform or after.platform_secret:
            problems.append("the platform still holds the credential or its secret")
        return problems, sorted(after.identities | after.grants | set(after.credentials))
    identities = 2 if provider == "acr" else 1  # app + service principal; service account
    orphans = sorted(after.identities)[identities:] if len(after.identities) > identities else []
    if len(after.identities) < identities:
        problems.append(f"expected {identities} identity records, found {sorted(after.identities)}")
    if len(after.grants) != 1:
        (orphans if len(after.grants) > 1 else problems).append(f"expected one grant, found {sorted(after.grants)}")
    held = after.held()
    if held is None:
        problems.append("the platform does not hold a credential the identity has")
    elif after.platform and after.platform[0] != SERVERS[provider]:
        problems.append(f"the platform holds server {after.platform[0]}")
    orphans += [f"credential {i}" for i in after.credentials if i != held]
    if command == "rotate" and not again and held in before.credentials:
        problems.append("rotate succeeded but the platform still holds the old credential")
    return problems, orphans


def error_said(stdout: str) -> tuple[str, str, list[str]]:
    """The error a failed run reported in its JSON envelope: its code, `[code] message`, and what is wrong with how
    it said it."""
    try:
        document = json.loads(stdout)
    except ValueError:
        return "", "", ["stdout is not one JSON document"]
    errors = document.get("errors") or []
    if document.get("status") != "error" or len(errors) != 1:
        return "", "", [f"expected one error in the envelope, got {errors}"]
    error = errors[0]
    code, message, fix = error.get("code", ""), error.get("message", ""), error.get("fix", "")
    problems = []
    if code == "internal":
        problems.append("an internal error (a bug), not a domain error")
    if not message.strip() or "\n" in message or "\n" in fix or len(message) > 400:
        problems.append("the error is not one line of what failed (plus one line of what to do)")
    return code, f"[{code}] {message}", problems


def platform_moved(command: str, before: State, after: State) -> list[str]:
    """A failed run leaves the platform on its previous credential (offboard: that, or nothing), still valid."""
    if command == "offboard":
        if after.platform not in (before.platform, None):
            return ["the platform holds a credential it did not hold before"]
        return []
    problems = []
    if (after.platform, after.platform_secret) != (before.platform, before.platform_secret):
        problems.append("the platform is no longer on its previous credential")
    if before.held() is not None and before.held() not in after.credentials:
        problems.append("the credential the platform holds was retired")
    return problems


def unconfirmed(before: State, after: State) -> tuple[list[str], list[str]]:
    """A run that could not learn whether the platform took the new credential keeps it, and what it needs: the
    platform must hold a live credential (its old one or the new one), and at most that one credential is new."""
    problems = []
    if after.platform is not None and after.held() is None:
        problems.append("the platform holds a credential the cloud no longer has")
    if before.held() is not None and before.held() not in after.credentials:
        problems.append("the credential the platform held was retired")
    new = sorted(set(after.credentials) - set(before.credentials))
    if not new:  # nothing kept: then nothing else the run made may stay either
        return problems, left_behind(before, after)
    return problems, [f"credential {i}" for i in new[1:]]


# A run whose new credential was still refused when verification ran out of time keeps the identity and grant it
# made (they hold no secret, and their propagation has begun) for the next run to adopt: expected, not orphans.
KEEPS_IDENTITY = {"verification_timeout"}


def left_behind(before: State, after: State, *, code: str = "") -> list[str]:
    """What a failed run, which reported error `code`, made and should have taken back but did not."""
    made = [f"credential {i}" for i in set(after.credentials) - set(before.credentials)]
    if code not in KEEPS_IDENTITY:
        made += list(after.identities - before.identities - after.rivals)
        made += [f"grant {g}" for g in after.grants - before.grants]
    return sorted(made)


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()

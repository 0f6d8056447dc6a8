"""The stand-in akka's platform: its state, kept in a JSON file, and the rules the real platform follows.

The platform never needs a password back, so only its SHA-256 is kept: nothing secret is written to disk, and a test
can still check exactly what the platform holds.

Removing credentials: the platform's page (reference/000_41ce20c2b4da5e60.txt, "Removing credentials") says
`delete-credentials` "will only remove the credentials from the configuration for the project, it will not delete
the underlying secret", which is the default here. The current reference says only that `akka docker
remove-credentials SECRET` "removes a set of Docker credentials from the project"
(https://doc.akka.io/reference/cli/akka-cli/akka_docker_remove-credentials.html), and the current page on external
registries says "the secret, and project configuration, are both managed by the akka docker command": a CLI may
take the secret with the credentials. `removal_takes_secret: true` makes `remove-credentials` do so, after which
`akka secrets delete` of that name answers "not found".

Regions (https://doc.akka.io/operations/regions/index.html): "projects in Akka can span across regions", and
secrets are among the region resources. The reference gives `secrets get`, `docker add-credentials`,
`list-credentials` and `remove-credentials` a `--region` flag, "region to use if project has more than one region"
(e.g. https://doc.akka.io/reference/akka-cli/akka_secrets_get.html); `secrets list` and `secrets delete` on such a
project without it fail with "... has more than one region, please specify one with --region". Docker credentials
may also be global (their `--force-global`/`--force-regional` flags), so those commands accept a missing
`--region`.

Service tokens (https://doc.akka.io/operations/integrating-cicd/index.html): CI sets AKKA_TOKEN and AKKA_PROJECT;
"a service token is a token tied to a single project, that allows authenticating and performing actions on that
project". `akka auth current-login` "shows details for the currently logged in user"
(https://doc.akka.io/reference/akka-cli/akka_auth_current-login.html), and a project service token has no user:
here it fails saying so, while the token's own project can be read and changed. `service_tokens` maps the SHA-256
of each valid token to its project; any other AKKA_TOKEN is refused as unauthenticated by every command.

Generic secrets (https://doc.akka.io/reference/akka-cli/akka_secrets_create_generic.html): `akka secrets create
generic SECRET_NAME --literal KEY=VALUE` "creates or updates a generic secret", so creating a name that exists
replaces it: an upsert, never an "already exists" refusal (the platform offers no create-if-absent). Neither the
CLI nor the console shows a secret's values (https://doc.akka.io/operations/projects/secrets.html, "Listing
secrets": "they only show content keys"), so only the keys are kept here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bootstrap.sandbox.akka.client import NETWORK_ENV

MODERN = (3, 0, 4)


class AkkaError(Exception):
    """What the CLI prints as `Error: ...`, and its exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def default_state(project: str = "demo-project") -> dict[str, Any]:
    return {
        "version": "3.2.0",
        "logged_in": True,
        "user": "platform-engineer@example.com",
        "config": {"project": project},
        "projects": {project: {"owner": "", "regions": ["gcp-us-east1"], "credentials": {}, "secrets": {}}},
        "fail": {},
        "calls": [],
    }


# --- the state file ---------------------------------------------------------------------------------------------
def state_path(env: Mapping[str, str]) -> Path:
    return Path(env.get("AKKA_SANDBOX_STATE") or Path(env.get("HOME") or Path.home()) / ".akka-sandbox" / "state.json")


@contextmanager
def locked_state(path: Path) -> Iterator[dict[str, Any]]:
    """The state, one command at a time; saved when the command ends, also when it fails (a failed command is still
    in the call log, and has used up its injected fault). Any other exception leaves the file as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(path.with_suffix(".lock")):
        state = json.loads(path.read_text()) if path.exists() else default_state()
        try:
            yield state
        except AkkaError:
            save(path, state)
            raise
        save(path, state)


@contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """One command at a time, as the platform serialises them. fcntl rather than filelock: importing filelock
    costs more than a command does, and the stand-in, an executable script, is POSIX-only anyway. A lock of its
    own open file: the server's threads exclude each other as separate processes do."""
    import fcntl

    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def save(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")  # written under the lock: one writer at a time
    tmp.write_text(json.dumps(state))  # no indent: json's C encoder only serves the compact form
    tmp.replace(path)


def sha256(data: bytes) -> str:
    import hashlib  # only the commands that take a secret pay for loading OpenSSL

    return hashlib.sha256(data).hexdigest()


# --- the platform ------------------------------------------------------------------------------------------------
class Platform:
    """The platform as one command sees it: the state, and the environment the command was given."""

    def __init__(self, state: dict[str, Any], env: Mapping[str, str]) -> None:
        self.state, self.env = state, env
        self.modern = tuple(int(p) for p in state.get("version", "3.2.0").split(".")[:3]) >= MODERN

    def log(self, words: list[str], flags: dict[str, Any], caller: int) -> dict[str, Any]:
        """Record a command (its password never), what network settings it had, and the process that ran it."""
        shown = {k: ("<password>" if k == "--docker-password" else v) for k, v in flags.items()}
        # a proxy URL may carry user:password@, which has no place in a state file
        network = {k: re.sub(r"//[^/@]*@", "//***@", self.env[k]) for k in NETWORK_ENV if k in self.env}
        # the names (never the values) of regboot's own variables the CLI was handed
        given = sorted(k for k in self.env if k.startswith("REGBOOT_"))
        call = {"command": words, "flags": shown, "pid": caller, "network": network, "regboot_env": given}
        self.state.setdefault("calls", []).append(call)
        return call

    def fault(self, key: str) -> dict[str, Any] | None:
        """The fault injected for this run of command `key`, now used; None when there is none (yet)."""
        fault = self.state.get("fail", {}).get(key)
        if not fault or fault.get("times", 1) <= 0:
            return None
        if fault.get("after", 0) > 0:
            fault["after"] -= 1
            return None
        fault["times"] = fault.get("times", 1) - 1
        return fault

    # --- who and where ----------------------------------------------------------------------------------------
    def login(self) -> None:
        if self.token_project() is None and not self.state.get("logged_in"):
            raise AkkaError("you are not logged in, please run 'akka auth login'")

    def token_project(self) -> str | None:
        """The project the AKKA_TOKEN service token is tied to; None when no token is set."""
        token = self.env.get("AKKA_TOKEN")
        if not token:
            return None
        project = self.state.get("service_tokens", {}).get(sha256(token.encode()))
        if project is None:
            raise AkkaError("rpc error: code = Unauthenticated desc = invalid or expired token")
        return str(project)

    def user(self) -> str:
        self.login()
        if self.token_project() is not None:
            raise AkkaError("rpc error: code = NotFound desc = no user for the current login: it is a service token")
        return str(self.state.get("user", ""))

    def project_name(self, given: str | None) -> str | None:
        return given or self.env.get("AKKA_PROJECT") or self.state.get("config", {}).get("project")

    def project(self, given: str | None, owner: str | None = None, region: str | None = None) -> dict[str, Any]:
        self.login()
        name = self.project_name(given)
        if not name:
            raise AkkaError("no project specified, pass --project or run 'akka config set project NAME'")
        tied_to = self.token_project()
        project = self.state.get("projects", {}).get(name) if tied_to in (None, name) else None
        if project is None or (owner and project.get("owner") != owner):
            raise AkkaError(f"project {name!r} not found")
        if region and region not in project.get("regions", []):
            raise AkkaError(f"region {region!r} is not a region of project {name!r}")
        return project

    def regional(self, given: str | None, owner: str | None = None, region: str | None = None) -> dict[str, Any]:
        """The project, for a command on region resources: with several regions, the region must be said."""
        project = self.project(given, owner, region)
        if not region and len(project.get("regions", [])) > 1:
            raise AkkaError(
                f"project {self.project_name(given)!r} has more than one region, please specify one with --region"
            )
        return project

    # --- credentials and secrets ------------------------------------------------------------------------------
    def add_credentials(self, project: dict[str, Any], name: str, password: str, **fields: str) -> None:
        """Add or update (same name) a credential: fields server, username, email, region."""
        creds = project.setdefault("credentials", {})
        ident = creds.get(name, {}).get("id") or f"cred-{len(creds) + 1:04d}"
        creds[name] = {"id": ident, **fields, "status": "OK", "password_sha256": sha256(password.encode())}
        project.setdefault("secrets", {})[name] = {"type": "docker-registry"}

    def remove_credentials(self, project: dict[str, Any], name: str) -> None:
        creds = project.get("credentials", {})
        if name not in creds:
            raise AkkaError(f"credentials {name!r} not found")
        del creds[name]
        if self.state.get("removal_takes_secret"):
            project.get("secrets", {}).pop(name, None)

    def delete_credentials(self, project: dict[str, Any], ident: str) -> None:
        """The old CLI's removal, by credential ID."""
        creds = project.get("credentials", {})
        for name, cred in list(creds.items()):
            if cred["id"] == ident:
                del creds[name]
                return
        raise AkkaError(f"credentials with ID {ident!r} not found")

    def create_secret(self, project: dict[str, Any], name: str, keys: list[str]) -> None:
        project.setdefault("secrets", {})[name] = {"type": "generic", "keys": sorted(set(keys))}

    def delete_secret(self, project: dict[str, Any], name: str) -> None:
        if name not in project.get("secrets", {}):
            raise AkkaError(f"secret {name!r} not found")
        if name in project.get("credentials", {}):
            raise AkkaError(f"secret {name!r} is in use by docker credentials; remove them first")
        del project["secrets"][name]

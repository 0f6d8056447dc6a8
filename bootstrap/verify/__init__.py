"""Prove a credential can pull before the platform gets it: the registry v2 token flow, waited on while a new
credential propagates, with "not yet", "never" and "unreachable" told apart."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from bootstrap.credentials import RegistryCredential
from bootstrap.endpoints import is_loopback
from bootstrap.errors import OperationError, StillPropagating, UsageError, VerificationError
from bootstrap.server import check_server
from bootstrap.settings import Settings
from bootstrap.ui import Ui
from bootstrap.waiting import Patience, Retry, poll

# Static credentials never propagate; this patience only rides out a registry's 429s and 5xx.
STATIC = Patience(deadline=30.0)
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")


@dataclass(frozen=True)
class VerifyTarget:
    """Where and how to prove a credential: the registry, the repository to read (None: just log in), whether a
    refusal may be "not yet" (a new key or grant still propagating), and how long to wait by default."""

    server: str  # as the platform holds it; named in every message
    repository: str | None = None
    propagates: bool = False
    patience: Patience = STATIC
    api: str | None = None  # the registry API's base URL when it is not the server's host (Docker Hub)
    # Set when the provider knows its grant cannot give pulls (e.g. a storage role on Artifact Registry): then an
    # accepted credential refused a pull is "never" at once, and this says what to grant instead.
    no_pull_grant: str = ""

    @property
    def base_url(self) -> str:
        """Where `/v2/` lives: `api`, else the server's scheme (https by default) and host; any path is dropped."""
        return self.api or check_server(self.server, "registry server").api_base


@dataclass(frozen=True)
class Verified:
    """What verification saw: the credential worked, after how long and how many attempts."""

    server: str
    username: str
    repository: str | None
    scheme: str  # "bearer", "basic", or "none" when the registry asked for no credential at all
    waited: float
    attempts: int
    note: str = ""


def verify_credential(
    target: VerifyTarget,
    credential: RegistryCredential,
    *,
    ui: Ui,
    settings: Settings,
    timeout: float | None = None,
) -> Verified:
    """Run the v2 flow until it succeeds, waiting while a refusal may be propagation, up to `timeout` seconds
    (else the target's patience). Raises VerificationError (never works) or OperationError (unreachable)."""
    from bootstrap.verify import flow  # httpx loads only when a credential is verified, not for --help

    base = settings.registry_endpoint or target.base_url
    check_timeout(timeout)
    per_request = settings.call_timeout
    patience = target.patience if timeout is None else replace(target.patience, deadline=timeout)
    attempts = 0

    def attempt() -> flow.Passed:
        nonlocal attempts
        attempts += 1
        return flow.check(target, credential, base, timeout=per_request, ca=settings.ca)

    def not_yet(exc: BaseException) -> Retry | None:
        if isinstance(exc, flow.Busy):
            return Retry(exc.message, exc.retry_after)
        if isinstance(exc, flow.Denied) and exc.access and target.no_pull_grant:
            raise VerificationError(exc.message, fix=target.no_pull_grant) from None
        if isinstance(exc, flow.Denied) and target.propagates:
            return Retry(exc.reason)
        return None

    clock = settings.clock
    start = clock.monotonic()
    what = f"{credential.username} to be able to pull from {target.server}"
    try:
        passed = poll(attempt, what=what, not_yet=not_yet, ui=ui, patience=patience, clock=clock)
    except OperationError as err:
        if isinstance(err.__cause__, flow.Denied):  # the deadline passed and the registry still says no
            waited = clock.monotonic() - start
            raise StillPropagating(
                f"{credential.username} still cannot pull from {target.server} after {waited:.0f} s: "
                f"{err.__cause__.reason}",
                fix="New grants and keys can take several minutes to reach the registry: run the same command again "
                "to continue, or raise --verify-timeout; if it persists, check the identity's read role.",
            ) from None
        raise
    waited = clock.monotonic() - start
    return Verified(target.server, credential.username, target.repository, passed.scheme, waited, attempts, passed.note)


PLAIN_HTTP_FLAG = "--allow-plain-http"
PLAIN_HTTP_HELP = (
    "Accept a plain http:// registry that is not on loopback: the password then crosses the network unencrypted, "
    "to the registry and to every host between."
)


def check_plain_http(server: str, *, allowed: bool) -> None:
    """Refuse `http://` to anything but loopback unless `allowed`: verification would send the password in clear,
    and so would every pull the platform makes with it."""
    parts = urlsplit(server)
    if parts.scheme == "http" and not allowed and not is_loopback(parts.hostname or ""):
        raise UsageError(
            f"{server} is plain http: the password would cross the network to {parts.hostname} unencrypted",
            fix=f"Use https://, or pass {PLAIN_HTTP_FLAG} if the registry really speaks only http.",
            code="plain_http",
        )


def check_repository(value: str | None) -> str | None:
    """A repository path as the registry names it (`team/app`), or None."""
    if value is None:
        return None
    if len(value) > 255 or not _REPOSITORY.fullmatch(value):
        raise UsageError(
            f"invalid --repository {value!r}",
            fix="Give the repository path inside the registry, lower case, e.g. team/app.",
        )
    return value


VERIFY_TIMEOUT_RANGE = "more than 0, at most 3600"  # seconds; the fleet file's schema says the same


def check_timeout(seconds: float | None) -> None:
    if seconds is not None and not 0 < seconds <= 3600:  # also false for nan
        raise UsageError(
            f"invalid --verify-timeout {seconds}: seconds, {VERIFY_TIMEOUT_RANGE}",
            fix="Give the seconds verification may wait, e.g. --verify-timeout 300.",
        )

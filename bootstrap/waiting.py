"""The one way regboot waits: eventual consistency, throttling and conflicts, each call site saying what
counts as "not yet", how long it may take, and what to show meanwhile."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict, TypeVar, Unpack

from bootstrap.clock import Clock
from bootstrap.errors import OperationError
from bootstrap.interrupts import raise_if_pending
from bootstrap.ui import Ui

T = TypeVar("T")


@dataclass(frozen=True)
class Retry:
    """The verdict on a failed attempt: try again, after at least `after` seconds (a Retry-After)."""

    reason: str
    after: float = 0.0


# A classifier looks at an exception and answers Retry (not yet) or None (final: re-raise it).
Classifier = Callable[[BaseException], Retry | None]


@dataclass(frozen=True)
class Patience:
    """How long a call site may wait, and how fast the waits grow. Short first waits matter: most
    propagation ends within seconds, and every second slept past it is a second the user waits."""

    deadline: float = 120.0
    first: float = 0.25
    factor: float = 1.5
    cap: float = 2.0


def poll(
    attempt: Callable[[], T],
    *,
    what: str,
    not_yet: Classifier,
    ui: Ui,
    patience: Patience = Patience(),
    interruptible: bool = True,
    clock: Clock,
) -> T:
    """Call `attempt` until it returns, waiting with growing, jittered pauses while `not_yet` says so.

    A held-back Ctrl-C is honoured between attempts, where a failed attempt made nothing; `interruptible=False`
    where it may have acted all the same (its answer lost): the interrupt then waits for the held section to end.
    Gives up with an OperationError naming `what` when the next wait would pass the deadline. `clock`: the sandbox's
    when there is one (waits on a cloud), REAL where the wait is on something really running."""
    start = clock.monotonic()
    delay = patience.first
    try:
        while True:
            try:
                return attempt()
            except Exception as exc:
                verdict = not_yet(exc)
                if verdict is None:
                    raise
                pause = max(random.uniform(delay / 2, delay), verdict.after)
                waited = clock.monotonic() - start
                if waited + pause > patience.deadline:
                    raise OperationError(
                        f"gave up after {waited:.0f}s waiting for {what} ({verdict.reason})",
                        fix="The cloud may be slow to propagate a change; run the same command again to continue.",
                        code="timeout",
                    ) from exc
                if interruptible:
                    raise_if_pending()
                ui.waiting(what, verdict.reason, elapsed=waited, next_try=pause, deadline=patience.deadline)
                clock.sleep(pause)
                delay = min(patience.cap, delay * patience.factor)
    finally:
        ui.waited()


def retry_after(value: str | None) -> float:
    """Seconds from a Retry-After header (delta-seconds form; an HTTP date counts as a short wait)."""
    if not value:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        return 1.0


class _Nothing(Exception):
    """`appeared`: nothing yet."""


def appeared(find: Callable[[], T | None], *, what: str, ui: Ui, within: float, clock: Clock) -> T | None:
    """What `find` returns once it returns something other than None, polled for up to `within` seconds; None if
    nothing came. For what a request that timed out may still make (the cloud got it, its answer never came: a
    request in flight, so `clock=REAL`), and for what a lagging replica does not list yet."""

    def attempt() -> T:
        found = find()
        if found is None:
            raise _Nothing
        return found

    try:
        return poll(
            attempt,
            what=what,
            not_yet=lambda exc: Retry("nothing yet") if isinstance(exc, _Nothing) else None,
            ui=ui,
            patience=Patience(deadline=within, first=0.2, factor=1.5, cap=0.5),
            clock=clock,
        )
    except OperationError as err:
        if isinstance(err.__cause__, _Nothing):
            return None
        raise


@dataclass(frozen=True)
class CloudErrors:
    """How a provider reads its cloud's failures, for `cloud_call`: what is worth another try (throttling, brief
    unavailability, a lost connection), why a request never reached the cloud (no wait changes that: a name that does
    not resolve, a refused connection, a failed TLS handshake), and what to check then."""

    transient: Classifier
    unreachable: Callable[[BaseException], str | None]
    network_fix: str


BRIEF = Patience(deadline=60.0)  # an ordinary cloud call: ride out throttling and blips, not outages


class Attempts(TypedDict, total=False):
    """How long a cloud call is tried again (`cloud_call`), and on what beyond the cloud's own throttling and blips:
    `not_yet` says which other failures are worth another try (something just made, not yet visible), within
    `patience` (default BRIEF). A provider's own call methods take them as keywords and pass them on."""

    not_yet: Callable[[Exception], Retry | None] | None
    patience: Patience


def cloud_call(
    call: Callable[[], T],
    *,
    what: str,
    errors: CloudErrors,
    host: Callable[[BaseException], str],
    refusal: Callable[[Exception], Exception | None],
    ui: Ui,
    clock: Clock,
    **attempts: Unpack[Attempts],
) -> T:
    """One cloud call, retried while the cloud throttles, is briefly unavailable, or `not_yet` says so.

    A cloud that cannot be reached becomes an OperationError naming `host(err)`; any other failure becomes the domain
    error `refusal` makes of it (naming `what`), or reaches the caller as it is where `refusal` gives None, for it to
    act on (else it would surface as an internal error)."""

    not_yet, patience = attempts.get("not_yet"), attempts.get("patience", BRIEF)

    def classify(exc: BaseException) -> Retry | None:
        if errors.unreachable(exc):
            return None  # no answer will come by waiting: say so now
        return errors.transient(exc) or (not_yet(exc) if not_yet and isinstance(exc, Exception) else None)

    try:
        return poll(call, what=what, not_yet=classify, ui=ui, patience=patience, clock=clock)
    except Exception as err:
        if cause := errors.unreachable(err):
            raise OperationError(
                f"cannot reach {host(err)} for {what}: {cause}", fix=errors.network_fix, code="unreachable"
            ) from err
        domain = refusal(err)
        if domain is None:
            raise
        raise domain from err

"""One run per consumer at a time across machines: a lease every machine can see, kept on the platform itself.

The local lock (bootstrap/lock.py) serialises runs that share a HOME; two CI runners rotating one consumer share only
the platform and the cloud. The core knows no cloud, so the lease lives on the platform, as a small generic secret
per claim (nothing secret in it): `regboot-lease-<consumer>-<expiry>-<holder>`. The Akka CLI offers no
compare-and-set (`akka secrets create` creates *or updates*), so a claim is made by announcing, then checking:

1. create our own claim;
2. list the secrets: if another holder's unexpired claim on this consumer is there, it holds the lease or claimed at
   the same moment: withdraw ours and wait, then start again (an expired claim, on any consumer, is a dead run's:
   delete it); else the lease is ours.

Two runs cannot both pass step 2: whichever listing came second sees the other's claim, which was made before the
first listing. Both may withdraw at once; the jittered wait makes a repeat unlikely. (No listing comes before the
claim: it would cost every run that writes a round trip to spare only the rare run that must wait a claim made in
vain.) A claim names its expiry, on
the sandbox's clock when there is one, so a killed run blocks other machines only until then; a long run extends
it. The holder id starts with the run's place (its host and state directory): a run holds the local lock before it
claims, so a claim of its own place is a dead run's, whatever its expiry, and goes at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import socket
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from bootstrap.clock import REAL, Clock
from bootstrap.errors import OperationError, RegbootError
from bootstrap.interrupts import deferred
from bootstrap.lock import lock_dir
from bootstrap.platforms.akka import Akka
from bootstrap.settings import Settings
from bootstrap.ui import Ui
from bootstrap.waiting import Patience, Retry, poll

PREFIX = "regboot-lease-"
# Seconds a claim lasts: a run's steps each have bounded patience, and with verification's default (600 s) a run
# fits in it, so most runs never extend it; a killed run blocks other machines for at most this long.
TERM = 20 * 60.0
AFTER = 5 * 60.0  # seconds a run may still need once a wait it extends for is over: the platform call, retiring
PLACE = 6  # hex digits of a holder id that name its place; the other 6 are the run's own
SKEW = 60.0  # seconds another machine's clock may be behind ours before its claim counts as expired
PATIENCE = Patience(deadline=900.0, first=0.5, factor=1.5, cap=5.0)
_NAME = re.compile(re.escape(PREFIX) + r"([0-9a-f]{10})-([0-9]{10})-([0-9a-f]{12})")


@dataclass(frozen=True)
class Claim:
    """One run's claim on one consumer, as its secret's name says it."""

    consumer: str  # a digest of the consumer's label
    expires: int  # seconds since the epoch
    holder: str

    @property
    def name(self) -> str:
        return f"{PREFIX}{self.consumer}-{self.expires:010d}-{self.holder}"

    @classmethod
    def parse(cls, name: str) -> Claim | None:
        found = _NAME.fullmatch(name)
        return cls(found[1], int(found[2]), found[3]) if found else None

    def until(self) -> str:
        return datetime.fromtimestamp(self.expires, UTC).strftime("%H:%M:%S UTC")


class Lease:
    """This run's claim on the consumer; `release` once the run is done."""

    def __init__(self, platform: Akka, claim: Claim, *, ui: Ui, clock: Clock) -> None:
        self.platform = platform
        self.claim = claim
        self.ui = ui
        self.clock = clock

    def extend(self, seconds: float) -> None:
        """Make the claim last for a step that may wait `seconds`, and what follows it. A claim renewed after ours
        expired then checks that no other run took the consumer over meanwhile; while ours was live none could (the
        new claim is made before the old one goes, so every other run's listing shows one of them)."""
        if self.claim.expires >= self.clock.time() + seconds + AFTER:
            return
        old = self.claim
        # expired, or may be before the new claim exists (one akka call, bounded by its timeout)
        expired = old.expires <= self.clock.time() + self.platform.timeout
        self.claim = _claim(self.platform, replace(old, expires=int(self.clock.time() + seconds + TERM)))
        _withdraw(self.platform, old, self.ui)
        if expired and (rivals := _rivals(self.platform, self.claim, self.clock, self.ui)):
            self.release()
            raise OperationError(
                f"another regboot run took over {self.platform.consumer.secret_name} while this one ran past its "
                f"lease ({rivals[0].name})",
                fix="Let that run finish, then run this command again.",
                code="lease_lost",
            )

    def release(self) -> None:
        _withdraw(self.platform, self.claim, self.ui)


def take_lease(platform: Akka, *, ui: Ui, settings: Settings) -> Lease:
    """Claim the consumer for this run, waiting while another run (on any machine) holds it."""
    consumer, mine = platform.consumer, _mine(platform, settings)

    # The holder is a real process, maybe on another machine: its time is real even in a sandbox.
    try:
        return poll(
            lambda: _attempt(platform, mine, ui=ui, clock=settings.clock),
            what=f"the regboot run elsewhere on {consumer.secret_name} to finish",
            not_yet=lambda exc: Retry(exc.reason) if isinstance(exc, _Held) else None,
            ui=ui,
            patience=PATIENCE,
            clock=REAL,
        )
    except OperationError as err:
        if not isinstance(err.__cause__, _Held):
            raise
        held = err.__cause__.claim
        raise OperationError(
            f"another regboot run still holds {consumer.secret_name} in Akka project {consumer.project} "
            f"(lease {held.name}, until {held.until()})",
            fix=f"Run this command again once it has finished; if you know that run is gone, "
            f"`akka secrets delete {held.name}` frees it now.",
            code="lease_held",
        ) from None


def try_lease(platform: Akka, *, ui: Ui, settings: Settings) -> Lease | None:
    """One attempt at the lease, without waiting: None when another run holds it (no claim of ours is left)."""
    try:
        return _attempt(platform, _mine(platform, settings), ui=ui, clock=settings.clock)
    except _Held:
        return None


def _mine(platform: Akka, settings: Settings) -> Claim:
    """This run's claim, but for its expiry: the consumer's digest and a holder id that starts with this place."""
    digest = hashlib.sha256(platform.consumer.label.encode()).hexdigest()[:10]
    return Claim(digest, 0, place(settings.state_dir) + secrets.token_hex(3))


def _attempt(platform: Akka, mine: Claim, *, ui: Ui, clock: Clock) -> Lease:
    lease = Lease(platform, _claim(platform, replace(mine, expires=int(clock.time() + TERM))), ui=ui, clock=clock)
    try:
        rivals = _rivals(platform, lease.claim, clock, ui)
    except BaseException:  # not known to hold it: leave no claim behind
        lease.release()
        raise
    if rivals:
        lease.release()  # another run holds it, or both claimed at once: the jittered waits part them
        raise _Held(rivals[0])
    return lease


class _Held(Exception):
    def __init__(self, claim: Claim) -> None:
        super().__init__(claim.name)
        self.claim = claim
        self.reason = f"held until {claim.until()} by {claim.name}"


def _claim(platform: Akka, claim: Claim) -> Claim:
    """Create the claim's secret. An interrupt waits until it exists, then withdraws it; a failed create may still
    have made it, so that one is withdrawn too."""
    try:
        with deferred():
            platform.create_secret(claim.name, {"holder": claim.holder, "expires": str(claim.expires)})
    except (RegbootError, KeyboardInterrupt):
        _withdraw(platform, claim, None)
        raise
    return claim


def _rivals(platform: Akka, mine: Claim, clock: Clock, ui: Ui) -> list[Claim]:
    """Other runs' live claims on this consumer. An expired claim, on any consumer, is a dead run's (or one that
    overran): it goes, so that a consumer whose run was killed, and which is never run again, leaves no litter."""
    live = []
    for claim in filter(None, map(Claim.parse, platform.secret_names())):
        if claim.holder == mine.holder:
            continue
        ours = claim.consumer == mine.consumer
        if ours and claim.holder[:PLACE] == mine.holder[:PLACE]:  # this place's lock is ours: its run has ended
            if _withdraw(platform, claim, ui):
                ui.say(f"removed lease {claim.name}: an earlier run here ended without releasing it")
        elif claim.expires + SKEW > clock.time():
            if ours:
                live.append(claim)
        elif _withdraw(platform, claim, ui):
            whose = "" if ours else " (another credential's)"
            ui.say(f"removed lease {claim.name}{whose}: its run ended at {claim.until()} without releasing it")
    return live


def place(state_dir: Path) -> str:
    """Where runs share a lock: this host and regboot's state directory (a random token kept there, so that two
    machines with the same paths, or two HOMEs on one machine, are two places)."""
    directory = lock_dir(state_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "place"
    try:
        with path.open("x") as made:
            made.write(secrets.token_hex(8))
    except FileExistsError:
        pass
    token = path.read_text().strip()
    return hashlib.sha256(f"{socket.gethostname()}/{token}".encode()).hexdigest()[:PLACE]


def _withdraw(platform: Akka, claim: Claim, ui: Ui | None) -> bool:
    """Delete a claim's secret; False when it was gone already. A claim that cannot be deleted expires by itself."""
    try:
        return platform.delete_secret(claim.name)
    except RegbootError as err:
        if ui is not None:
            ui.warn(f"could not remove lease {claim.name} ({err.message}); it expires at {claim.until()}")
        return False

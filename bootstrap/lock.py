"""One run per consumer at a time on this machine: two runs minting and retiring for the same platform
credential at once could each retire the other's new key. A lock file per consumer (no secrets in it) serialises
them; the second run waits, then finds the first one's work in place.

filelock locks the same way on Linux, macOS and Windows (flock there, msvcrt on Windows). Runs on different
machines (or under different HOMEs) are serialised by the consumer's lease on the platform instead
(bootstrap/lease.py); this lock spares same-machine runs that round trip.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from filelock import FileLock, Timeout

from bootstrap import holder
from bootstrap.clock import REAL
from bootstrap.consumer import Consumer
from bootstrap.ui import Ui
from bootstrap.waiting import Patience, Retry, poll

PATIENCE = Patience(deadline=900.0, first=0.2, factor=1.5, cap=2.0)


def lock_dir(state_dir: Path) -> Path:
    return state_dir / "locks"


def hold(consumer: Consumer, *, ui: Ui, state_dir: Path) -> FileLock:
    """Take the consumer's lock, waiting for another run to finish; the caller releases it."""
    directory = lock_dir(state_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (hashlib.sha256(consumer.label.encode()).hexdigest()[:24] + ".lock")
    held = FileLock(path)

    def busy(exc: BaseException) -> Retry | None:
        if not isinstance(exc, Timeout):
            return None
        who = holder.describe(path)
        return Retry(f"held by {who}" if who else "held by another regboot run")

    # One try at a time (timeout 0), so the wait is regboot's own: narrated, bounded, interruptible. The other run is
    # a real process: its time is real even in a sandbox.
    poll(
        lambda: held.acquire(timeout=0),
        what=f"the other run on {consumer.label} to finish",
        not_yet=busy,
        ui=ui,
        patience=PATIENCE,
        clock=REAL,
    )
    holder.write(path)
    return held

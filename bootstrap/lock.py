"""One run per consumer at a time on this machine: two runs minting and retiring for the same platform
credential at once could each retire the other's new key. A lock file per consumer (no secrets in it) serialises
them; the second run waits, then finds the first one's work in place.

filelock locks the same way on Linux, macOS and Windows (flock there, msvcrt on Windows). Runs on different
machines (or under different HOMEs) are serialised by the consumer's lease on the platform instead
(bootstrap/lease.py); this lock spares same-machine runs that round trip.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from filelock import FileLock, Timeout

from bootstrap import holder
from bootstrap.clock import REAL
from bootstrap.consumer import Consumer
from bootstrap.ui import Ui
from bootstrap.waiting import Patience, Retry, poll

PATIENCE = Patience(deadline=900.0, first=0.2, factor=1.5, cap=2.0)


def state_dir(env: Mapping[str, str]) -> Path:
    """REGBOOT_STATE_DIR (a sandbox sets its own, so a rehearsal never waits on a real run), else the XDG state
    directory's regboot/."""
    if env.get("REGBOOT_STATE_DIR"):
        return Path(env["REGBOOT_STATE_DIR"])
    base = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "state")
    return Path(base) / "regboot"


def lock_dir(env: Mapping[str, str]) -> Path:
    return state_dir(env) / "locks"


def hold(consumer: Consumer, *, ui: Ui, env: Mapping[str, str]) -> FileLock:
    """Take the consumer's lock, waiting for another run to finish; the caller releases it."""
    directory = lock_dir(env)
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

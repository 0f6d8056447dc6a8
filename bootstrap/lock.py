"""One run per consumer at a time on this machine: two runs minting and retiring for the same platform
credential at once could each retire the other's new key. A lock file per consumer (no secrets in it) serialises
them; the second run waits, then finds the first one's work in place.

Runs on different machines are not serialised; docs/security.md says so.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from bootstrap import holder
from bootstrap.clock import REAL
from bootstrap.consumer import Consumer
from bootstrap.ui import Ui
from bootstrap.waiting import Patience, Retry, poll

PATIENCE = Patience(deadline=900.0, first=0.2, factor=1.5, cap=2.0)


def lock_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "state")
    return Path(base) / "regboot" / "locks"


def hold(consumer: Consumer, *, ui: Ui, env: Mapping[str, str]) -> IO[str]:
    """Take the consumer's lock, waiting for another run to finish; the caller closes the file to release it."""
    directory = lock_dir(env)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (hashlib.sha256(consumer.label.encode()).hexdigest()[:24] + ".lock")
    handle = open(path, "a+")  # noqa: SIM115 - held open for the whole run, closed by Context.close

    def take() -> None:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def busy(exc: BaseException) -> Retry | None:
        if not isinstance(exc, BlockingIOError):
            return None
        who = holder.describe(path)
        return Retry(f"held by {who}" if who else "held by another regboot run")

    try:
        # the other run is a real process: its time is real even in a sandbox
        poll(
            take,
            what=f"the other run on {consumer.label} to finish",
            not_yet=busy,
            ui=ui,
            patience=PATIENCE,
            clock=REAL,
        )
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()} {consumer.label}\n")
    handle.flush()
    holder.write(path)
    return handle

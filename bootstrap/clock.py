"""Time as regboot's waiting sees it: real time, except inside a sandbox that shares its virtual clock.

In use every wait is real. A sandbox (`regboot sandbox`, the tests) writes a clock file and names it in
REGBOOT_SANDBOX_CLOCK; regboot's waits then move that clock forward instead of passing, and the emulators read
the same clock, so propagation delays, Retry-After and backoff take no real time yet still happen in order.
Waits on something really running (another regboot process, a request in flight) stay on real time: REAL.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

ENV = "REGBOOT_SANDBOX_CLOCK"
MARK = "regboot sandbox clock"  # a file without it is not a sandbox's clock, whatever the variable says


class Clock(Protocol):
    def time(self) -> float:
        """Seconds since the epoch (key expiry, token lifetimes)."""
        ...

    def monotonic(self) -> float:
        """Seconds for measuring waits (deadlines)."""
        ...

    def sleep(self, seconds: float) -> None: ...


class RealClock:
    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


REAL = RealClock()


class SharedClock:
    """Virtual time: real time plus an offset kept in a file every process of one sandbox reads. Sleeping adds to
    the offset (under a file lock, so two processes' sleeps both count) and returns at once."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, path: Path) -> SharedClock:
        path.write_text(f"{MARK}\n0.0\n")
        return cls(path)

    def valid(self) -> bool:
        try:
            return self.path.read_text().startswith(MARK + "\n")
        except OSError:
            return False

    def offset(self) -> float:
        return float(self.path.read_text().split("\n")[1])

    def time(self) -> float:
        return time.time() + self.offset()

    def monotonic(self) -> float:
        return time.monotonic() + self.offset()

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        # Replaced whole, never rewritten in place: a reader in another process sees the old offset or the new one.
        from filelock import FileLock  # only a sandbox's clock ever advances

        with FileLock(self.path.with_name(self.path.name + ".lock")):
            ahead = self.offset() + max(0.0, seconds)
            fresh = self.path.with_name(f"{self.path.name}.{os.getpid()}.{threading.get_ident()}")
            fresh.write_text(f"{MARK}\n{ahead!r}\n")
            fresh.replace(self.path)


def current(env: Mapping[str, str]) -> Clock:
    """The sandbox's clock when REGBOOT_SANDBOX_CLOCK names a sandbox clock file; real time otherwise."""
    named = env.get(ENV)
    if named:
        shared = SharedClock(Path(named))
        if shared.valid():
            return shared
    return REAL

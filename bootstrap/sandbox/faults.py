"""What an emulator was asked, and the faults a test wants it to answer with.

Faults are data: a test queues them per operation name, the wire layer asks `arrive()` on every request
and renders whatever fault comes back in its own protocol (an HTTP status, a gRPC code, a dropped socket).
"""

from __future__ import annotations

import fnmatch
import os
import signal as signals
import threading
import time
from dataclasses import dataclass, field

from bootstrap.sandbox import latency


@dataclass(frozen=True)
class Fault:
    """One injected answer.

    kind:
      error       answer `status` (HTTP; mapped to the matching gRPC code) with `message`; `retry_after` adds the header
      reset       close the connection without answering
      delay       wait `seconds`, then serve the request normally (a client with a shorter timeout sees a timeout)
      conflict    the request loses a race: a stale etag (409/412/ABORTED) or an "already exists"
      not_visible the resource the request names is treated as not yet propagated
      signal      send `signum` to `pid`, then serve the request normally (interrupt tests)
    """

    kind: str = "error"
    status: int = 503
    retry_after: float | None = None
    seconds: float = 0.0
    message: str = "injected fault"
    signum: int = signals.SIGINT
    pid: int = 0

    KINDS = ("error", "reset", "delay", "conflict", "not_visible", "signal")

    def __post_init__(self) -> None:
        if self.kind not in self.KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(self.KINDS)}")

    @classmethod
    def from_dict(cls, data: dict) -> Fault:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Call:
    """One request as the emulator understood it."""

    service: str
    operation: str
    mutating: bool
    resource: str = ""
    at: float = 0.0
    fault: str | None = None


@dataclass
class _Queued:
    pattern: str
    fault: Fault
    remaining: int
    skip: int = 0  # matching calls to let through before the fault applies


@dataclass
class CallLog:
    """The request log and the fault queue of one emulator (or of all of them: it is safe to share)."""

    calls: list[Call] = field(default_factory=list)
    _queued: list[_Queued] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _delaying: int = 0  # requests held by a `delay` fault right now
    _settled: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self._settled = threading.Condition(self._lock)

    def inject(self, operation: str, fault: Fault, *, times: int = 1, at: int = 1) -> None:
        """Answer `times` calls matching `operation` (a glob, e.g. "iam.*") with `fault`, starting with the `at`-th
        matching call from now (1: the next one; the ones before it are served normally)."""
        if at < 1:
            raise ValueError("at counts matching calls from 1")
        with self._lock:
            self._queued.append(_Queued(operation, fault, times, skip=at - 1))

    def arrive(self, service: str, operation: str, *, mutating: bool, resource: str = "") -> Fault | None:
        """Record a request; return the fault to answer it with, if one is queued for it."""
        latency.travel()  # REGBOOT_SANDBOX_LATENCY_MS, outside the lock: concurrent requests overlap
        with self._lock:
            fault = None
            for queued in self._queued:
                if queued.remaining > 0 and fnmatch.fnmatchcase(operation, queued.pattern):
                    if queued.skip > 0:
                        queued.skip -= 1
                        continue
                    queued.remaining -= 1
                    fault = queued.fault
                    break
            self._queued = [q for q in self._queued if q.remaining > 0]
            self.calls.append(
                Call(service, operation, mutating, resource, time.monotonic(), fault.kind if fault else None)
            )
            if fault and fault.kind == "delay":
                self._delaying += 1
        if fault and fault.kind == "signal":
            os.kill(fault.pid or os.getpid(), fault.signum)
            return None
        if fault and fault.kind == "delay":
            try:
                time.sleep(fault.seconds)
            finally:
                with self._lock:
                    self._delaying -= 1
                    self._settled.notify_all()
            return None
        return fault

    def settle(self, timeout: float = 30.0) -> bool:
        """Wait until no request is held by a `delay` fault, i.e. until a request its client gave up on has been
        served (and whatever it changes, changed). False if that took longer than `timeout`."""
        with self._lock:
            return self._settled.wait_for(lambda: self._delaying == 0, timeout)

    def operations(self) -> list[str]:
        with self._lock:
            return [c.operation for c in self.calls]

    def mutating(self) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.mutating]

    def pending(self) -> int:
        """Faults queued but not yet served (a test that injected one can check it was hit)."""
        with self._lock:
            return sum(q.remaining for q in self._queued)

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
            self._queued.clear()


HTTP_TO_GRPC = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

"""REGBOOT_SANDBOX_LATENCY_MS: the milliseconds every emulated cloud request and every stand-in akka command takes,
as a network and a remote service would. Unset or 0 (the default): none. For benchmarks of concurrent work
(benchmarks/fleet.py): with it, waiting on the clouds dominates as it does for real, and running N at once pays.

It is real time, not the sandbox's virtual clock: the point is to measure wall time. It is spent before the request
is served and outside every lock, so concurrent requests overlap as they would on a real service.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

ENV = "REGBOOT_SANDBOX_LATENCY_MS"


def seconds(env: Mapping[str, str] | None = None) -> float:
    value = (os.environ if env is None else env).get(ENV, "")
    try:
        return max(0.0, float(value) / 1000) if value else 0.0
    except ValueError:
        raise SystemExit(f"{ENV}={value!r} is not a number of milliseconds") from None


def travel() -> None:
    """One request's round trip."""
    if delay := seconds():
        time.sleep(delay)

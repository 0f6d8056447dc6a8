"""REGBOOT_SANDBOX_LATENCY_MS: the milliseconds every emulated cloud request and every stand-in akka command that
reaches the platform takes, as a network and a remote service would (help, `version` and `config` are local to the
CLI and take none). Unset or 0 (the default): none. For benchmarks (benchmarks/fleet.py, benchmarks/onboard.py):
with it, waiting on the clouds dominates as it does for real, and overlapping what can overlap pays. Set for
`regboot sandbox up`, it reaches the emulators, and the printed environment carries it to the akka commands.

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

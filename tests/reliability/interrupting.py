"""Run regboot as its own process and stop it with a signal the moment a chosen cloud call arrives.

The process waits on stdin before it starts, so the test can aim a signal fault at its pid first."""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import dataclass
from typing import Any

from bootstrap.sandbox.faults import Fault
from tests import launcher
from tests.conftest import platform_credentials, set_platform


@dataclass
class Stopped:
    code: int
    stdout: str
    stderr: str


def run_stopped(
    world: Any,
    argv: list[str],
    emulator: str,
    operation: str,
    signum: int,
    *,
    akka: dict | None = None,
    then: tuple[str, str, int] | None = None,
) -> Stopped:
    """Start `regboot argv`, send `signum` to it when `operation` first reaches `emulator` (or, for emulator
    "akka", while that akka command runs, which `akka` may make fail or hang too), and wait for it to end.
    `then` = (emulator, operation, signum): a second signal when that operation first reaches that cloud emulator."""
    process = launcher.start(argv, {**os.environ, **world.env}, hold=True)
    if emulator == "akka":
        set_platform(world, fail={operation: {"signal": signal.Signals(signum).name[3:], **(akka or {})}})
    else:
        world.emulators[emulator].calls.inject(operation, Fault(kind="signal", signum=signum, pid=process.pid))
        if then:
            world.emulators[then[0]].calls.inject(then[1], Fault(kind="signal", signum=then[2], pid=process.pid))
    out, err = process.communicate("go\n", timeout=120)
    assert _fired(world, emulator, operation), f"the run never made {operation}: the signal was not sent"
    return Stopped(process.returncode, out, err)


def _fired(world: Any, emulator: str, operation: str) -> bool:
    if emulator != "akka":
        return world.emulators[emulator].calls.pending() == 0
    # akka outlives a killed regboot by a moment (it runs in its own session): wait for it to save its state
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if world.platform_state()["fail"][operation].get("times", 1) <= 0:
            return True
        time.sleep(0.1)
    return False


def platform_secret_hash(world: Any) -> str | None:
    held = platform_credentials(world).get("docker-credentials")
    return held["password_sha256"] if held else None


def dump(world: Any) -> str:
    return json.dumps(world.platform_state()["projects"], indent=1)[:2000]

"""The fault matrix: every call a flow makes, answered once with each kind of fault, each case judged on end state.

A case is (provider, command, call, fault kind). The calls come from the emulators' request logs (and the stand-in
akka's command log) of a clean run of the same flow (`discover`), never from a hand-kept list: a flow that starts
making a new call gets cases for it. `run_case` prepares a fresh world (an onboarded consumer for rotate and
offboard), injects the fault at exactly that call (its n-th occurrence), runs regboot, waits for any request its
client gave up on to land, and judges what the clouds and the platform hold (endstate.py). Then it runs the same
command again without faults and judges whether that converged.

A case ends well in one of two ways. Converged: exit 0 and the right end state (one identity, one grant, one
credential on the identity, held by the platform; after offboard, nothing). Failed clean: exit 1 or 3, one error
of one line (plus its fix), no credential, identity or grant made by the run left behind, and the platform still on
its previous credential. Anything else is "neither", and is a defect in the product.

It lives in the sandbox, beside the emulators it drives, because two places run it: tests/reliability/
test_fault_matrix.py (a representative part, in CI) and benchmarks/reliability.py (all of it, with figures).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bootstrap.platforms import Unanswered
from bootstrap.sandbox.faults import Fault
from bootstrap.sandbox.world import ACR_REGISTRY, GCP_PROJECT, NO_METADATA, Sandbox
from tests.reliability.endstate import (
    error_said,
    leaks,
    left_behind,
    platform_moved,
    read_state,
    unconfirmed,
    wrong_end_state,
)

# REGBOOT_CALL_TIMEOUT of every sweep run: a timeout case costs a second or two, not 30. An emulator answers in
# milliseconds; should one be slower on a busy machine, that is one more timeout, which regboot must ride out anyway.
CALL_TIMEOUT = 0.5
AKKA_TIMEOUT = 2.0  # REGBOOT_AKKA_TIMEOUT: a stand-in akka command takes ms when idle (~40 ms in Python, no cc)
ENV = {"REGBOOT_CALL_TIMEOUT": str(CALL_TIMEOUT), "REGBOOT_AKKA_TIMEOUT": str(AKKA_TIMEOUT)}

ARGS = {
    "gcr": ("--gcp-project", GCP_PROJECT),
    "gar": ("--gcp-project", GCP_PROJECT, "--location", "us-central1", "--repository", "apps"),
    "acr": ("--registry", ACR_REGISTRY),
}
PROVIDERS = tuple(ARGS)
COMMANDS = ("onboard", "rotate", "offboard")

CLOUD_KINDS = ("500", "503", "429", "reset", "timeout", "conflict", "not_visible")
KINDS = {
    "google": CLOUD_KINDS,
    "azure": CLOUD_KINDS,
    # A registry read has nothing to race on: no etag, nothing to create.
    "registry": tuple(k for k in CLOUD_KINDS if k != "conflict"),
    # The platform is a CLI: it fails (exit 1, a gRPC-ish message), hangs past REGBOOT_AKKA_TIMEOUT, or (a write)
    # does its work and then hangs: the platform changed, the answer never came.
    "akka": ("error", "timeout", "late"),
}
WRITES_ONLY = {"late"}  # for a read, hanging after the work is the same case as hanging before it
AKKA_WRITES = {
    "docker add-credentials",
    "docker remove-credentials",
    "docker delete-credentials",
    "secrets create",
    "secrets delete",
}
AKKA_ERROR = "rpc error: code = Unavailable desc = connection error: injected by the regboot fault matrix"


def fault(kind: str) -> Fault:
    """The emulator fault that stands for `kind` (cloud services only)."""
    return {
        "500": Fault(status=500, message="injected 500"),
        "503": Fault(status=503, message="injected 503"),
        "429": Fault(status=429, retry_after=1, message="injected 429"),
        "reset": Fault(kind="reset"),
        "timeout": Fault(kind="delay", seconds=CALL_TIMEOUT + 0.5),  # then served: late, but it happens
        "conflict": Fault(kind="conflict", message="injected conflict"),
        "not_visible": Fault(kind="not_visible"),
    }[kind]


# --- cases -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Point:
    """One call of a clean run: the emulator (or "akka") that served it, its operation, which occurrence (from 1)."""

    service: str
    operation: str
    occurrence: int = 1
    mutating: bool = False  # the call changes something (the emulators know; akka commands by name)

    def __str__(self) -> str:
        name = f"akka.{self.operation.replace(' ', '.')}" if self.service == "akka" else self.operation
        return f"{name}#{self.occurrence}"


@dataclass(frozen=True)
class Case:
    provider: str
    command: str
    point: Point
    kind: str

    @property
    def id(self) -> str:
        return f"{self.provider}-{self.command}-{self.point}-{self.kind}"


def cases(points: dict[tuple[str, str], list[Point]]) -> list[Case]:
    """Every fault kind that applies at every point of every flow discovered."""
    return [
        Case(provider, command, point, kind)
        for (provider, command), found in points.items()
        for point in found
        for kind in KINDS[point.service]
        if point.mutating or kind not in WRITES_ONLY
    ]


# --- running regboot --------------------------------------------------------------------------------------
class Outcome(Protocol):
    code: int
    stdout: str
    stderr: str


Runner = Callable[..., Outcome]  # run(*argv, env={...}) -> Outcome, regboot in this process or another


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str


CLEARED_PREFIXES = ("REGBOOT_", "AKKA_", "AZURE_", "GOOGLE_", "CLOUDSDK_", "GCE_", "MSI_", "IDENTITY_", "IMDS_")


class InProcess:
    """Run regboot in this process, as the tests' `regboot` fixture does, for callers outside pytest (discovery at
    collection time, the benchmark): inherited cloud and regboot settings removed, a private HOME, the world's
    environment and no way to a metadata server."""

    def __init__(self, world: Sandbox, home: Path) -> None:
        from bootstrap.cli import build

        self.world, self.home, self.app = world, home, build()
        self.texts: list[str] = []  # everything regboot printed, for the leak check

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Ran:
        import traceback

        from typer.testing import CliRunner

        environ: dict[str, str | None] = {k: None for k in os.environ if k.startswith(CLEARED_PREFIXES)}
        environ |= {**NO_METADATA, "AZURE_TOKEN_CREDENTIALS": "AzureCliCredential", "HOME": str(self.home)}
        environ |= {**self.world.env, **(env or {})}
        result = CliRunner().invoke(self.app, list(args), env=environ)
        self.texts += [result.stdout, result.stderr]
        if result.exception and not isinstance(result.exception, SystemExit):
            self.texts.append("".join(traceback.format_exception(result.exception)))
        return Ran(result.exit_code, result.stdout, result.stderr)


def argv(provider: str, command: str) -> list[str]:
    return [command, provider, *ARGS[provider], "-o", "json", *(["-y"] if command == "offboard" else [])]


def discover(flows: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Point]]:
    """The calls each (provider, command) flow makes, read from the request logs of one clean run in a fresh
    sandbox each."""
    found = {}
    with tempfile.TemporaryDirectory(prefix="regboot-matrix-") as tmp:
        for provider, command in flows:
            with Sandbox(Path(tmp) / f"{provider}-{command}", clouds=True) as world:
                home = world.dir / "home"
                home.mkdir()
                run = InProcess(world, home)
                prepare(world, provider, command, run)
                reset_faults(world)
                clear_logs(world)
                done = run(*argv(provider, command), env=ENV)
                if done.code != 0:
                    raise RuntimeError(f"the clean {command} {provider} failed: {done.stderr.strip()}")
                found[(provider, command)] = calls(world)
    return found


def calls(world: Sandbox) -> list[Point]:
    """What the world's emulators and the stand-in akka were asked since their logs were cleared, in order."""
    seen: Counter[tuple[str, str]] = Counter()
    points = []
    logged = sorted(
        (c.at, name, c.operation, c.mutating)
        for name, emulator in world.emulators.items()
        for c in emulator.calls.calls
    )
    commands = [" ".join(c["command"][:2]) for c in world.platform_state().get("calls", [])]
    found = [(name, op, writes) for _, name, op, writes in logged]
    found += [("akka", command, command in AKKA_WRITES) for command in commands]
    for service, operation, writes in found:
        seen[(service, operation)] += 1
        points.append(Point(service, operation, seen[(service, operation)], writes))
    return points


def prepare(world: Sandbox, provider: str, command: str, run: Runner) -> None:
    """The world a command starts from: nothing for onboard, an onboarded consumer for rotate and offboard."""
    if command != "onboard":
        done = run(*argv(provider, "onboard"), env=ENV)
        if done.code != 0:
            raise RuntimeError(f"could not onboard {provider} to prepare {command}: {done.stderr.strip()}")


# --- faults ------------------------------------------------------------------------------------------------
def inject(world: Sandbox, case: Case) -> None:
    point = case.point
    if point.service == "akka":
        # The stand-in akka fails a command by name, at its n-th run (the lease lists secrets twice, for one).
        spec: dict[str, Any] = {"times": 1, "after": point.occurrence - 1}
        if case.kind == "timeout":
            spec["sleep"] = AKKA_TIMEOUT + 1.0  # killed at the timeout: nothing is stored
        elif case.kind == "late":
            spec["late"] = AKKA_TIMEOUT + 1.0  # stored, then killed at the timeout while it hangs
        else:
            spec["message"] = AKKA_ERROR
        _akka_state(world, fail={point.operation: spec})
        return
    world.emulators[point.service].calls.inject(point.operation, fault(case.kind), at=point.occurrence)


def reset_faults(world: Sandbox) -> None:
    for emulator in world.emulators.values():
        emulator.calls.clear()
    _akka_state(world, fail={})


def clear_logs(world: Sandbox) -> None:
    """Forget what was asked so far (queued faults go too)."""
    for emulator in world.emulators.values():
        emulator.calls.clear()
    _akka_state(world, calls=[])


def settle(world: Sandbox) -> None:
    """Let requests whose client gave up (a `delay` fault) land before the end state is read."""
    waited = [emulator.calls.settle() for emulator in world.emulators.values()]
    if not all(waited):
        raise RuntimeError("a delayed request is still being served")
    time.sleep(0.05)  # the handler runs right after its delay ends


def served(world: Sandbox, case: Case) -> bool:
    """Whether the run reached the call the fault was set on."""
    if case.point.service == "akka":
        left = world.platform_state().get("fail", {}).get(case.point.operation)
        return left is None or left.get("times", 1) <= 0  # a hung command saves its fault's use before it hangs
    return world.emulators[case.point.service].calls.pending() == 0


def _akka_state(world: Sandbox, **changes: Any) -> None:
    state = world.platform_state()
    state.update(changes)
    world.akka_state_file.write_text(json.dumps(state))


# --- judging ------------------------------------------------------------------------------------------------
@dataclass
class Verdict:
    case: Case
    code: int = -1
    outcome: str = "neither"  # "converged", "clean failure", "kept unconfirmed" or "neither"
    problems: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    reached: bool = True  # the run made the call the fault was set on
    rerun_converged: bool | None = None  # None: no rerun was asked for
    rerun_problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    message: str = ""  # the error a failed run printed

    @property
    def good(self) -> bool:
        return self.outcome != "neither" and self.rerun_converged is not False and not self.leaks

    def explain(self) -> str:
        lines = [f"{self.case.id}: exit {self.code}, {self.outcome}"]
        lines += [f"  problem: {p}" for p in self.problems]
        lines += [f"  orphan: {o}" for o in self.orphans]
        lines += [f"  leak: {x}" for x in self.leaks]
        lines += [f"  rerun: {p}" for p in self.rerun_problems]
        if self.message:
            lines.append(f"  said: {self.message}")
        return "\n".join(lines)


def run_case(case: Case, world: Sandbox, run: Runner, *, rerun_converged: bool = True) -> Verdict:
    """Prepare, fault, run, judge; then rerun without faults and judge that (only after a failure, unless
    `rerun_converged`: a converged run's end state was judged already). `world` must be fresh."""
    verdict = Verdict(case)
    start = time.monotonic()
    prepare(world, case.provider, case.command, run)
    before = read_state(world, case.provider)
    clear_logs(world)
    inject(world, case)
    done = run(*argv(case.provider, case.command), env=ENV)
    verdict.code = done.code
    settle(world)
    verdict.reached = served(world, case)
    after = read_state(world, case.provider)
    if done.code == 0:
        verdict.problems, verdict.orphans = wrong_end_state(case.provider, case.command, before, after)
        verdict.outcome = "converged"
    elif done.code in (1, 3):
        code, verdict.message, said = error_said(done.stdout)
        if code == Unanswered.code:  # the platform may hold the new credential
            problems, verdict.orphans = unconfirmed(before, after)
            verdict.problems = said + problems
            verdict.outcome = "kept unconfirmed"
        else:
            verdict.problems = said + platform_moved(case.command, before, after)
            verdict.orphans = left_behind(before, after, code=code)
            verdict.outcome = "clean failure"
    else:
        verdict.problems = [f"exit {done.code}: {done.stderr.strip()[-300:]}"]
    if verdict.problems or verdict.orphans:
        verdict.outcome = "neither"
    verdict.leaks = leaks(world, [done.stdout, done.stderr])
    if verdict.outcome == "converged" and not rerun_converged:
        verdict.seconds = time.monotonic() - start
        return verdict

    reset_faults(world)
    again = run(*argv(case.provider, case.command), env=ENV)
    settle(world)
    final = read_state(world, case.provider)
    problems, orphans = wrong_end_state(case.provider, case.command, before, final, again=True)
    verdict.rerun_problems = [f"exit {again.code}: {again.stderr.strip()[-300:]}"] if again.code else []
    verdict.rerun_problems += problems + [f"left behind: {o}" for o in orphans]
    verdict.rerun_converged = not verdict.rerun_problems
    verdict.leaks = leaks(world, [done.stdout, done.stderr, again.stdout, again.stderr])
    verdict.seconds = time.monotonic() - start
    return verdict

"""The whole fault matrix: every call of onboard, rotate and offboard for gcr, gar and acr (and the platform's
akka commands), answered once with each kind of fault, each case judged on what the clouds and the platform hold
(see tests/reliability/faultmatrix.py). Prints the figures and every case that neither converged nor failed clean.

Usage: python benchmarks/reliability.py [-j WORKERS] [--provider P]... [--command C]... [--kind K]... [--match TEXT]
       [--failures]
Takes several minutes (timeouts cost a second or two each); -j 2 splits the cases over two processes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("GRPC_VERBOSITY", "ERROR")  # else every stopped emulator logs a GOAWAY line

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the oracles live with the tests

from bootstrap.sandbox.world import Sandbox
from tests.reliability import endstate, faultmatrix
from tests.reliability.faultmatrix import Case, InProcess, Verdict

SLOW = 15.0  # seconds: a case that takes longer is named as it finishes


def sweep(chosen: list[Case]) -> list[Verdict]:
    """Run `chosen`, each in a fresh sandbox with its own HOME; leaks are looked for in everything regboot printed
    and every file under the sandbox and that HOME."""
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="regboot-reliability-") as tmp:
        for i, case in enumerate(chosen):
            with Sandbox(Path(tmp) / str(i), clouds=True) as world:
                home = world.dir / "home"
                home.mkdir()
                run = InProcess(world, home)
                try:
                    verdict = faultmatrix.run_case(case, world, run)
                except Exception as exc:  # the harness itself broke: report the case, keep sweeping
                    verdict = Verdict(case, problems=[f"the case could not run: {type(exc).__name__}: {exc}"])
                verdict.leaks += endstate.leaks(world, run.texts, [world.dir])
                verdicts.append(verdict)
            mark = "." if verdict.good and verdict.reached else ("?" if verdict.good else "F")
            if verdict.seconds > SLOW:
                mark = f"\n{case.id} took {verdict.seconds:.0f} s\n"
            print(mark, end="", file=sys.stderr, flush=True)
    return verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-j", "--workers", type=int, default=1)
    parser.add_argument("--provider", action="append", choices=faultmatrix.PROVIDERS)
    parser.add_argument("--command", action="append", choices=faultmatrix.COMMANDS)
    parser.add_argument("--kind", action="append")
    parser.add_argument("--match", help="only cases whose id contains this text")
    parser.add_argument("--failures", action="store_true", help="also list each clean failure and what it said")
    args = parser.parse_args()

    flows = [(p, c) for p in args.provider or faultmatrix.PROVIDERS for c in args.command or faultmatrix.COMMANDS]
    start = time.monotonic()
    points = faultmatrix.discover(flows)
    chosen = [
        c
        for c in faultmatrix.cases(points)
        if (not args.kind or c.kind in args.kind) and (not args.match or args.match in c.id)
    ]
    print(f"{len(chosen)} cases from {sum(map(len, points.values()))} calls in {len(flows)} flows", file=sys.stderr)
    if args.workers > 1:
        shares = [chosen[i :: args.workers] for i in range(args.workers)]
        with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
            verdicts = [v for share in pool.map(sweep, shares) for v in share]
    else:
        verdicts = sweep(chosen)
    print(file=sys.stderr)
    report(verdicts, time.monotonic() - start, failures=args.failures)
    return 0 if all(v.good for v in verdicts) else 1


def report(verdicts: list[Verdict], seconds: float, *, failures: bool = False) -> None:
    outcomes = Counter(v.outcome for v in verdicts)
    figures = [
        ("cases tried", len(verdicts)),
        ("converged (succeeded despite the fault)", outcomes["converged"]),
        ("clean failures", outcomes["clean failure"]),
        ("failures that kept what the platform may hold (akka never answered)", outcomes["kept unconfirmed"]),
        ("neither", outcomes["neither"]),
        ("leaks found (a secret value in output or files)", sum(bool(v.leaks) for v in verdicts)),
        ("orphans found (credentials, identities or grants left behind)", sum(bool(v.orphans) for v in verdicts)),
        ("reruns that converged (one after every case)", sum(v.rerun_converged is True for v in verdicts)),
        ("faults the run never reached", sum(not v.reached for v in verdicts)),
    ]
    width = max(len(name) for name, _ in figures)
    for name, value in figures:
        print(f"{name:<{width}}  {value}")
    print(f"{'wall time':<{width}}  {seconds:.0f} s")
    by_kind = Counter((v.case.kind, v.outcome) for v in verdicts)
    kinds = sorted({v.case.kind for v in verdicts})
    print("\nby fault kind     converged  clean failure  kept unconfirmed  neither  mean seconds a case")
    for kind in kinds:
        took = [v.seconds for v in verdicts if v.case.kind == kind]
        print(
            f"  {kind:<14} {by_kind[(kind, 'converged')]:>10} {by_kind[(kind, 'clean failure')]:>14} "
            f"{by_kind[(kind, 'kept unconfirmed')]:>17} {by_kind[(kind, 'neither')]:>8} {sum(took) / len(took):>20.1f}"
        )
    unreached = [v.case.id for v in verdicts if not v.reached]
    if unreached:
        print(f"\nfaults never reached: {', '.join(unreached)}")
    if failures:
        print("\nfailures, and what they said:")
        for v in verdicts:
            if v.outcome in ("clean failure", "kept unconfirmed"):
                print(f"  {v.case.id}: exit {v.code}: {v.message}")
    bad = [v for v in verdicts if not v.good]
    if bad:
        print(f"\n{len(bad)} case(s) neither converged nor failed clean, or whose rerun did not converge:")
        for v in bad:
            print(v.explain())


if __name__ == "__main__":
    sys.exit(main())

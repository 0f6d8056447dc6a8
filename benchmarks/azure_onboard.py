"""Wall time of one `regboot onboard acr` against the Azure emulator with no latency, and where it goes.

Runs the onboarding once plainly (wall time) and once under cProfile, to split that time into importing modules
(the Azure SDKs and msgraph's ~1,200 model modules), parsing responses (kiota's JSON parse nodes) and the rest.

Usage: python benchmarks/azure_onboard.py [runs]   (default 3)
"""

from __future__ import annotations

import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bootstrap.sandbox.world import ACR_REGISTRY, Sandbox

ARGS = ["onboard", "acr", "--registry", ACR_REGISTRY, "--no-verify"]


def fresh(sandbox: Sandbox) -> dict[str, str]:
    """Forget the previous run's app and credential, so every run onboards from scratch."""
    azure = sandbox.emulators["azure"]
    for app in list(azure.model.directory.applications_list()):
        azure.model.directory.delete_application(app.id)
    azure.model.role_assignments.clear()
    state = sandbox.platform_state()
    state["projects"][sandbox.project]["credentials"] = {}
    state["projects"][sandbox.project]["secrets"] = {}
    sandbox.akka_state_file.write_text(__import__("json").dumps(state))
    return {**os.environ, **sandbox.env}


def share(stats: pstats.Stats, match) -> float:
    """Cumulative seconds of the outermost calls to functions `match` accepts."""
    total = 0.0
    for (filename, _, name), (_, _, _, cumulative, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if match(filename, name) and not any(match(f, n) for (f, _, n) in callers):
            total += cumulative
    return total


def self_time(stats: pstats.Stats, match) -> float:
    """Seconds spent inside functions `match` accepts themselves (no overlap with imports they trigger)."""
    return sum(tt for (f, _, n), (_, _, tt, _, _) in stats.stats.items() if match(f, n))  # type: ignore[attr-defined]


def parser(filename: str, name: str) -> bool:
    return name != "<module>" and ("kiota_serialization_json" in filename or "msgraph/generated/models" in filename)


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with Sandbox(clouds=True) as sandbox:
        walls = []
        for _ in range(runs):
            env = fresh(sandbox)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bootstrap", *ARGS], env=env, check=True, capture_output=True)
            walls.append(time.perf_counter() - start)
        with tempfile.TemporaryDirectory() as tmp:
            profile = Path(tmp) / "onboard.prof"
            env = fresh(sandbox)
            subprocess.run(
                [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "bootstrap", *ARGS],
                env=env,
                check=True,
                capture_output=True,
            )
            stats = pstats.Stats(str(profile))
    profiled = stats.total_tt  # type: ignore[attr-defined]
    imports = share(stats, lambda f, n: n == "_find_and_load")
    parsing = self_time(stats, parser)
    print(f"regboot onboard acr against the emulator (no latency), {runs} runs:")
    print(f"  wall time: median {statistics.median(walls):.2f} s (min {min(walls):.2f} s)")
    print(f"  under cProfile {profiled:.2f} s, of which:")
    print(
        f"    importing modules  {imports:.2f} s ({imports / profiled:.0%}; msgraph loads its models lazily, "
        "during the first response parse)"
    )
    print(
        f"    parsing responses  {parsing:.2f} s ({parsing / profiled:.0%}; kiota parse nodes and model "
        "deserialisers, imports excluded)"
    )
    rest = profiled - imports - parsing
    print(f"    everything else    {rest:.2f} s ({rest / profiled:.0%}; HTTP, the akka call, regboot itself)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Wall time of `regboot apply -f` for 48 gcr entries at -j 1 and -j 16, and the peak memory.

The entries are spread over 12 Google projects of the sandbox (four consumers each, so that entries do not all
rewrite one IAM policy), with 100 ms added to every cloud request and every akka command
(REGBOOT_SANDBOX_LATENCY_MS) and the Google emulator enforcing IAM's 600 writes a minute per project. Each run
starts from an empty sandbox. Peak RSS is the largest process regboot ran (regboot itself; akka's are smaller).

Usage: python benchmarks/fleet.py [entries] [projects]   (default 48 12)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bootstrap.sandbox import latency
from bootstrap.sandbox.world import Sandbox

LATENCY_MS = "100"


def fleet_file(directory: Path, entries: int, projects: int) -> Path:
    lines = ["version: 1", "defaults:", "  akka-project: demo-project", "credentials:"]
    for n in range(entries):
        lines += [
            "  - provider: gcr",
            f"    gcp-project: bench-project-{n % projects:02d}",
            f"    service-account: akka-reader-{n:02d}",
            f"    secret-name: gcr-{n:02d}",
        ]
    path = directory / "fleet.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(jobs: int, entries: int, projects: int) -> float:
    with tempfile.TemporaryDirectory(prefix="regboot-bench-") as tmp, Sandbox(Path(tmp) / "box", clouds=True) as box:
        google = box.emulators["google"].model
        for p in range(projects):
            google.add_repository(f"bench-project-{p:02d}", "us", "gcr.io")
        path = fleet_file(Path(tmp), entries, projects)
        env = {**os.environ, **box.env, "HOME": tmp, "XDG_STATE_HOME": tmp}
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bootstrap", "apply", "-f", str(path), "-j", str(jobs), "-o", "json"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"-j {jobs} failed ({done.returncode}):\n{done.stderr[-2000:]}")
        statuses = {e["status"] for e in json.loads(done.stdout)["data"]["entries"]}
        assert statuses == {"converged"}, statuses
        assert len(box.platform_state()["projects"]["demo-project"]["credentials"]) == entries
        return wall


def main() -> int:
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 48
    projects = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    os.environ[latency.ENV] = LATENCY_MS  # the emulators in this process and the akka commands regboot runs
    print(f"{entries} gcr entries over {projects} Google projects, {LATENCY_MS} ms per request and akka command")
    walls = {}
    for jobs in (1, 16):
        walls[jobs] = run(jobs, entries, projects)
        print(f"-j {jobs:2d}: {walls[jobs]:6.1f} s wall")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"speed-up at -j 16: {walls[1] / walls[16]:.1f}x; peak RSS {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

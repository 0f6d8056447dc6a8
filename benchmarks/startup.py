"""Median wall time of `regboot --help` over repeated cold runs (a new process each time).

Usage: python benchmarks/startup.py [runs]   (default 21; target: median <= 0.10 s, issue 17)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def regboot() -> list[str]:
    exe = Path(sys.executable).with_name("regboot")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "bootstrap"]


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    cmd = [*regboot(), "--help"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    subprocess.run(cmd, env=env, capture_output=True, check=True)  # compile bytecode once, as an install would
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"regboot --help: median {median:.3f} s, min {min(times):.3f} s, max {max(times):.3f} s over {runs} runs")
    print(f"target <= 0.100 s: {'met' if median <= 0.10 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The calls each flow the reliability tests fault makes, kept as a checked-in snapshot (flows.json) so collecting
the tests runs nothing and every xdist worker collects the same cases. test_flows.py runs the flows again and
fails on any difference; `python -m tests.reliability.flows` rewrites the snapshot from a clean run."""

from __future__ import annotations

import json
from pathlib import Path

from tests.reliability import faultmatrix
from tests.reliability.faultmatrix import Point

SNAPSHOT = Path(__file__).with_name("flows.json")
FLOWS = [
    ("gcr", "onboard"),
    ("acr", "onboard"),
    ("gcr", "rotate"),
    ("gar", "rotate"),
    ("acr", "rotate"),
    ("gcr", "offboard"),
    ("acr", "offboard"),
]

Flows = dict[tuple[str, str], list[Point]]


def load() -> Flows:
    data = json.loads(SNAPSHOT.read_text())
    return {tuple(key.split()): [Point(*p) for p in points] for key, points in data.items()}  # type: ignore[misc]


def render(found: Flows) -> str:
    """One line per call, so a changed flow shows as a readable diff."""
    blocks = []
    for (provider, command), points in found.items():
        lines = ",\n".join(f"    {json.dumps([p.service, p.operation, p.occurrence, p.mutating])}" for p in points)
        blocks.append(f'  "{provider} {command}": [\n{lines}\n  ]')
    return "{\n" + ",\n".join(blocks) + "\n}\n"


if __name__ == "__main__":
    SNAPSHOT.write_text(render(faultmatrix.discover(FLOWS)))
    print(f"wrote {SNAPSHOT}")

"""The snapshot of each flow's calls (flows.json) is what a clean run makes today: a flow that makes a new call,
or stops making one, fails here until the snapshot is rewritten, so no call goes unfaulted."""

from __future__ import annotations

import pytest

from tests.reliability import faultmatrix, flows


@pytest.mark.parametrize("flow", flows.FLOWS, ids=[f"{p}-{c}" for p, c in flows.FLOWS])
def test_the_flow_snapshot_is_what_a_clean_run_makes(flow):
    kept = flows.load()
    assert list(kept) == flows.FLOWS, "flows.json holds other flows than FLOWS; rewrite it"
    found = faultmatrix.discover([flow])
    # The reads regboot makes at once (the platform's and the cloud's preflight) arrive in any order: what must not
    # change is which calls a flow makes, and each operation's occurrences, which a fault names.
    assert ordered(found) == ordered({flow: kept[flow]}), (
        f"the calls of {' '.join(reversed(flow))} changed; run `python -m tests.reliability.flows` and review the "
        "diff of flows.json"
    )


def ordered(found: flows.Flows) -> str:
    return flows.render(
        {flow: sorted(points, key=lambda p: (p.service, p.operation, p.occurrence)) for flow, points in found.items()}
    )

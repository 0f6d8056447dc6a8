"""The snapshot of each flow's calls (flows.json) is what a clean run makes today: a flow that makes a new call,
or stops making one, fails here until the snapshot is rewritten, so no call goes unfaulted."""

from __future__ import annotations

from tests.reliability import flows


def test_the_flow_snapshot_is_what_a_clean_run_makes():
    found = flows.render(flows.discover())
    assert found == flows.SNAPSHOT.read_text(), (
        "the flows' calls changed; run `python -m tests.reliability.flows` and review the diff of flows.json"
    )

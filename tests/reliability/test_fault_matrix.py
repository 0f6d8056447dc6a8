"""A fault at any call is either ridden out or fails clean, and the next run converges: the fault matrix in CI.

The cases come from the request logs of a clean run of each flow (tests/reliability/faultmatrix.py), kept as a
snapshot that test_flows.py checks against a fresh run (tests/reliability/flows.py). CI runs every fault kind at
every call of onboarding one provider per cloud (gcr, acr), and a sample of rotate (gar, acr) and offboard (gcr,
acr): the faults that take a different path (a 503, a timeout, a conflict, a not-yet-visible read) at every call
that changes something. A hung akka costs REGBOOT_AKKA_TIMEOUT a case, so akka hangs (before storing, or after:
the answer lost) only where it matters most: the platform taking the new secret.
`python benchmarks/reliability.py` runs all of it (about a thousand cases) and prints the figures.
"""

from __future__ import annotations

import pytest

from tests.reliability import endstate, faultmatrix, flows
from tests.reliability.faultmatrix import Case

EVERY_CALL = [("gcr", "onboard"), ("acr", "onboard")]
SAMPLED = [("gar", "rotate"), ("acr", "rotate"), ("gcr", "offboard"), ("acr", "offboard")]
SAMPLE_KINDS = {"503", "timeout", "conflict", "not_visible", "error"}  # "error": an akka command fails


def _wanted(case: Case) -> bool:
    if case.point.service == "akka" and case.kind in ("timeout", "late"):
        return case.point.operation == "docker add-credentials"
    if (case.provider, case.command) in EVERY_CALL:
        return True
    return case.point.mutating and case.kind in SAMPLE_KINDS


FLOWS = {flow: points for flow, points in flows.load().items() if flow in EVERY_CALL + SAMPLED}
CASES = [case for case in faultmatrix.cases(FLOWS) if _wanted(case)]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_fault_at_any_call_is_ridden_out_or_fails_clean(world, regboot, canaries, case):
    # A rerun follows a failure here; after a converged run, whose end state was judged, only in the benchmark.
    verdict = faultmatrix.run_case(case, world, regboot, rerun_converged=False)
    canaries.values += endstate.issued_secrets(world)  # the fixture looks for them in everything regboot printed

    assert verdict.reached, f"{case.id}: the run never made the call the fault was set on"
    assert verdict.outcome != "neither", verdict.explain()
    assert verdict.rerun_converged is not False, verdict.explain()


def test_the_judge_expects_the_identity_and_grant_a_verification_timeout_keeps():
    before = endstate.State(frozenset(), frozenset(), frozenset(), {}, None, False)
    kept = endstate.State(frozenset({"service account r@p"}), frozenset(), frozenset({"reader"}), {}, None, False)
    assert endstate.left_behind(before, kept, code="verification_timeout") == []
    assert endstate.left_behind(before, kept, code="failed") == ["grant reader", "service account r@p"]
    with_key = endstate.State(kept.identities, frozenset(), kept.grants, {"k1": "secret"}, None, False)
    assert endstate.left_behind(before, with_key, code="verification_timeout") == ["credential k1"]

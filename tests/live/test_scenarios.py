"""onboard -> rerun -> status -> verify -> rotate -> offboard for every provider, in the sandbox on every run and
against the real services when configured (`pytest -m live`, docs/live-tests.md)."""

from __future__ import annotations

import pytest

from tests.scenarios.world import PROVIDERS


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_consumer_is_onboarded_verified_rotated_and_offboarded_with_nothing_left(scenario):
    onboarded = scenario.onboard()
    scenario.rerun_writes_nothing()
    scenario.status_shows_the_credential()
    scenario.verification_proves_a_pull(onboarded)
    scenario.rotate()
    scenario.offboard()

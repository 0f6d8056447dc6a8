"""`pytest --live-sweep`: what runs over an hour old left behind is removed, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.scenarios import live
from tests.scenarios.runid import new_run_id
from tests.scenarios.steps import Scenario
from tests.scenarios.sweep import names_in_use, sweep


@pytest.mark.parametrize("world", ["sandbox"], indirect=True)
def test_sweep_removes_only_what_runs_over_an_hour_old_left_behind(world, regboot):
    now = datetime.now(UTC)
    old = Scenario(world, regboot, "gcr", f"{new_run_id(now - timedelta(hours=2))}-gcr")
    old_static = Scenario(world, regboot, "private", f"{new_run_id(now - timedelta(hours=2))}-private")
    running = Scenario(world, regboot, "acr", f"{new_run_id(now - timedelta(minutes=10))}-acr")
    foreign = Scenario(world, regboot, "gar", "rb-team-gar")  # looks alike, carries no run id
    for each in (old, old_static, running, foreign):
        each.onboard()

    swept, left = sweep(world, regboot, now=now)

    assert sorted(m.name for m in swept) == sorted([old.name, old_static.name]) and left == []
    assert old.leftovers() == [] and old_static.leftovers() == []
    still = names_in_use(world, regboot)
    assert running.name in still and foreign.name in still
    assert running.leftovers() and foreign.leftovers()


@pytest.mark.parametrize("world", [live.PARAM], indirect=True)
def test_live_sweep(world, regboot, request):
    if not request.config.getoption("--live-sweep"):
        pytest.skip("sweeps only when asked: pytest -m live --live-sweep")
    swept, left = sweep(world, regboot, now=datetime.now(UTC))
    print(f"swept {len(swept)}: {', '.join(m.name for m in swept) or 'nothing'}")
    assert left == [], f"could not remove: {left}"

"""Run ids name everything a run makes: valid for every provider's identity, and the only names a sweep reads."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.scenarios.runid import name_for, new_run_id, parse, stale
from tests.scenarios.world import PROVIDERS

GOOGLE_ACCOUNT_ID = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")  # 6-30 characters


def test_every_name_is_a_valid_service_account_id_carrying_its_start_time():
    started = datetime(2026, 12, 1, 14, 35, tzinfo=UTC)
    for provider in PROVIDERS:
        name = name_for(new_run_id(started), provider)
        assert GOOGLE_ACCOUNT_ID.fullmatch(name) and 6 <= len(name) <= 30, name
        assert parse(name) is not None and (parse(name).started, parse(name).provider) == (started, provider)


def test_only_names_with_a_run_id_over_an_hour_old_are_stale():
    now = datetime(2026, 12, 1, 14, 35, tzinfo=UTC)
    old, young = name_for(new_run_id(now - timedelta(minutes=61)), "gcr"), name_for(new_run_id(now), "acr")
    foreign = ["docker-credentials", "akka-docker-reader", "rb-team-gar", "rb2612011435-gcr", f"x{old}", f"{old}x!"]
    assert [m.name for m in stale([old, young, *foreign], now=now)] == [old]

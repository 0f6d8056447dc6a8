"""REGBOOT_SANDBOX_LATENCY_MS reaches what a rehearsal runs, and the stand-in akka says how long it took itself."""

from __future__ import annotations

from bootstrap.sandbox import latency
from bootstrap.sandbox.akka.client import reaches_platform
from bootstrap.sandbox.world import Sandbox
from tests.conftest import set_platform


def test_a_sandbox_started_with_latency_hands_it_to_the_shells_that_use_it(tmp_path, monkeypatch):
    monkeypatch.setenv(latency.ENV, "40")
    with Sandbox(tmp_path / "box") as box:
        assert box.env[latency.ENV] == "40"  # so the akka commands regboot runs from that shell wait too
    monkeypatch.delenv(latency.ENV)
    with Sandbox(tmp_path / "quiet") as box:
        assert latency.ENV not in box.env


def test_only_commands_that_reach_the_platform_take_its_latency():
    assert reaches_platform(["projects", "get", "demo-project", "--timeout", "60s"])
    assert reaches_platform(["docker", "list-credentials", "--project", "p"])
    for local in (["config", "get", "project"], ["docker", "--help"], ["version"], ["docker", "add-credentials", "-h"]):
        assert not reaches_platform(local), local


def test_the_stand_in_records_how_long_each_of_its_commands_took(sandbox, regboot, canaries):
    set_platform(sandbox, config={"project": "demo-project"})
    done = regboot(
        "onboard",
        "private",
        "--server",
        "r.example.com",
        "--username",
        "bot",
        "--password-stdin",
        "--no-verify",
        input=canaries.new(),
    )
    assert done.code == 0, done.stderr
    calls = sandbox.platform_state()["calls"]
    assert calls and all(call["began"] <= call["ended"] for call in calls)

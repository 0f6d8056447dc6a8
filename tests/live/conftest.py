"""Worlds for the scenarios: the sandbox always, the real services when REGBOOT_LIVE_* configure them.

A live test gets back what `isolated` took away (HOME, the cloud and Akka settings, as pytest was launched with)
except the metadata servers, which stay unreachable, and the socket guard is lifted only while it runs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import loopback
import pytest

from tests.scenarios import live
from tests.scenarios.runid import new_run_id
from tests.scenarios.sandbox import SandboxWorld
from tests.scenarios.steps import Scenario
from tests.scenarios.world import World

LAUNCH = dict(os.environ)  # read at collection, before `isolated` clears it for each test
RESTORED = ("REGBOOT_", "AKKA_", "AZURE_", "GOOGLE_", "CLOUDSDK_")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def run_id() -> str:
    return new_run_id()


@pytest.fixture(params=["sandbox", live.PARAM])
def world(request: pytest.FixtureRequest, isolated: None, tmp_path: Path, monkeypatch, canaries) -> Iterator[World]:
    if request.param == "sandbox":
        box = SandboxWorld(tmp_path / "sandbox", (canaries.new("hub-token"), canaries.new("private-password")))
        for key, value in box.env.items():
            monkeypatch.setenv(key, value)
        yield box
        box.stop()
        return
    callspec = getattr(request.node, "callspec", None)
    provider = callspec.params.get("provider") if callspec else None
    absent = live.missing(LAUNCH, provider)
    if absent:
        pytest.skip(f"live {provider or 'run'} not configured: set {', '.join(absent)} (see docs/live-tests.md)")
    assert request.node.get_closest_marker("live"), "only a test marked `live` may leave loopback"
    env = _launch_environment(monkeypatch)
    world = live.LiveWorld(LAUNCH, env)
    canaries.values.extend(s.password for s in world.statics.values() if s.password)
    with loopback.lifted():
        yield world


def _launch_environment(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """HOME and the cloud/Akka settings as launched; child processes without the guard; metadata still closed."""
    env = {
        key: value for key, value in LAUNCH.items() if key.startswith(RESTORED) or key in ("HOME", "XDG_CONFIG_HOME")
    }
    if env.get("AZURE_TOKEN_CREDENTIALS") not in live.AZURE_CHAINS:
        env["AZURE_TOKEN_CREDENTIALS"] = "AzureCliCredential"  # anything else may ask IMDS at 169.254.169.254
    env["PYTHONPATH"] = str(ROOT)
    if "XDG_CONFIG_HOME" not in env:
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def scenario(world: World, provider: str, run_id: str, regboot) -> Iterator[Scenario]:
    """One provider's consumer, named for this run; whatever it made is removed afterwards, even after a failure."""
    made = Scenario(world, regboot, provider, f"{run_id}-{provider}")
    yield made
    assert made.clean_up() == [], "left behind; run `pytest -m live --live-sweep` after an hour"

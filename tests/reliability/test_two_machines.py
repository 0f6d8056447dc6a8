"""Two machines working on one consumer at once: each regboot process has its own HOME and state directory, so no
local lock serialises them, and only what both can see (the platform) may. After every pair the platform's
credential must pull and be the identity's only key or password."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bootstrap.sandbox.world import GCP_PROJECT
from tests.lifecycle.conftest import ARGS, Cloud
from tests.reliability.interrupting import platform_secret_hash

PAIRS = {"gcr": 5, "acr": 3}  # an Azure run takes several times a Google one's seconds


def machine(world, home: Path) -> dict[str, str]:
    """The environment of a regboot on another machine: its own HOME and state, the same clouds and platform."""
    home.mkdir(parents=True, exist_ok=True)
    return {**os.environ, **world.env, "HOME": str(home), "REGBOOT_STATE_DIR": str(home / "state")}


def on_two_machines(world, tmp_path: Path, *argvs: list[str]) -> list[subprocess.CompletedProcess]:
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bootstrap", *argv],
            env=machine(world, tmp_path / f"machine-{n}"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, argv in enumerate(argvs)
    ]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=300), *p.communicate()) for p in processes]


def assert_one_working_credential(world, cloud: Cloud, runs: list[subprocess.CompletedProcess]) -> None:
    """The platform's credential is the identity's only key or password, and the registry lets it pull."""
    why = [r.stderr[-1500:] for r in runs]
    held = cloud.credentials()
    assert len(held) == 1, (held and [h[0] for h in held], why)
    [(_, secret)] = held
    assert platform_secret_hash(world) == hashlib.sha256(secret.encode()).hexdigest(), why
    [identity] = cloud.identities()
    username = "_json_key" if cloud.provider == "gcr" else identity
    decision = world.emulators["registry"].authorize_credential(username, secret, f"{GCP_PROJECT}/app")
    assert decision.authenticated and decision.pull, why
    assert len(cloud.grants()) == 1, why


@pytest.mark.timeout(600)  # every pair is two real runs, one after the other
@pytest.mark.parametrize("provider", ["gcr", "acr"])
def test_rotations_from_two_machines_leave_the_platform_a_working_credential(world, regboot, tmp_path, provider):
    cloud = Cloud(provider, ARGS[provider], world)
    assert regboot("onboard", provider, *cloud.args).code == 0
    for pair in range(PAIRS[provider]):
        runs = on_two_machines(world, tmp_path / f"pair-{pair}", *(["rotate", provider, *cloud.args] for _ in "ab"))
        assert all(r.returncode == 0 for r in runs), [r.stderr[-1500:] for r in runs]
        assert_one_working_credential(world, cloud, runs)


@pytest.mark.timeout(600)
def test_onboardings_from_two_machines_make_one_identity_with_a_working_credential(world, regboot, tmp_path):
    cloud = Cloud("gcr", ARGS["gcr"], world)
    for pair in range(PAIRS["gcr"]):
        runs = on_two_machines(world, tmp_path / f"pair-{pair}", *(["onboard", "gcr", *cloud.args] for _ in "ab"))
        assert all(r.returncode == 0 for r in runs), [r.stderr[-1500:] for r in runs]
        assert_one_working_credential(world, cloud, runs)
        assert regboot("offboard", "gcr", *cloud.args, "-y").code == 0

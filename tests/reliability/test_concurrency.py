"""Two runs for the same consumer at once end in one consistent state: one credential on the identity, and it
is the one the platform holds."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from tests.lifecycle.conftest import ARGS, Cloud
from tests.reliability.interrupting import platform_secret_hash


def together(world, *argvs: list[str]) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, **world.env}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bootstrap", *argv],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in argvs
    ]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=180), *p.communicate()) for p in processes]


@pytest.mark.parametrize("provider", ["gcr", "acr"])
@pytest.mark.parametrize("commands", [("onboard", "onboard"), ("onboard", "rotate"), ("rotate", "rotate")])
def test_two_runs_at_once_end_consistent(world, regboot, provider, commands):
    cloud = Cloud(provider, ARGS[provider], world)
    if "rotate" in commands:
        assert regboot("onboard", provider, *cloud.args).code == 0
    runs = together(world, *([command, provider, *cloud.args] for command in commands))
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    [(_, secret)] = cloud.credentials()
    assert platform_secret_hash(world) == hashlib.sha256(secret.encode()).hexdigest()
    assert len(cloud.identities()) == 1 and len(cloud.grants()) == 1

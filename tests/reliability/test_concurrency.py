"""Two runs for the same consumer at once end in one consistent state: one credential on the identity, and it
is the one the platform holds."""

from __future__ import annotations

import hashlib
import os
import subprocess

import pytest

from tests import launcher
from tests.lifecycle.conftest import ARGS, Cloud
from tests.reliability.interrupting import platform_secret_hash


def together(world, *argvs: list[str]) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, **world.env}
    processes = [launcher.start(argv, env) for argv in argvs]
    outputs = [p.communicate(timeout=180) for p in processes]
    return [
        subprocess.CompletedProcess(argv, p.returncode, out, err)
        for argv, p, (out, err) in zip(argvs, processes, outputs, strict=True)
    ]


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

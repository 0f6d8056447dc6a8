"""Ctrl-C (SIGINT) at every cloud call rolls back what the run made; SIGKILL at every call leaves a state the
next run detects and cleans. Both end with exactly one credential, the one the platform holds."""

from __future__ import annotations

import hashlib
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.lifecycle.conftest import ARGS, Cloud
from tests.reliability.interrupting import baseline_operations, platform_secret_hash, run_stopped

EMULATORS = {"gcr": ("google", "registry"), "acr": ("azure", "registry")}


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def operations(tmp_path_factory, provider: str, command: str) -> list[tuple[str, str]]:
    """The calls one clean run makes, learnt from a throwaway world's request logs."""
    from bootstrap.sandbox.world import Sandbox

    with Sandbox(tmp_path_factory.mktemp("baseline"), clouds=True) as box:
        import os

        from typer.testing import CliRunner

        from bootstrap.cli import build

        env = {**os.environ, **box.env}
        runner = CliRunner()
        if command == "rotate":
            assert runner.invoke(build(), ["onboard", provider, *ARGS[provider]], env=env).exit_code == 0
            for emulator in box.emulators.values():
                emulator.calls.clear()
        assert runner.invoke(build(), [command, provider, *ARGS[provider]], env=env).exit_code == 0
        return [*baseline_operations(box, EMULATORS[provider]), ("akka", "docker add-credentials")]


CASES = []
for _provider in ("gcr", "acr"):
    for _command in ("onboard", "rotate"):
        CASES.append((_provider, _command))


@pytest.fixture(scope="module")
def learnt(tmp_path_factory):
    return {case: operations(tmp_path_factory, *case) for case in CASES}


def prepare(world, regboot, provider: str, command: str) -> tuple[Cloud, set[str]]:
    cloud = Cloud(provider, ARGS[provider], world)
    if command == "rotate":
        assert regboot("onboard", provider, *cloud.args).code == 0
    return cloud, {cid for cid, _ in cloud.credentials()}


def settled(world, cloud: Cloud, regboot) -> None:
    """The next plain run converges: one credential on the identity, and it is the one the platform holds."""
    again = regboot("onboard", cloud.provider, *cloud.args)
    assert again.code == 0, again.stderr
    [(_, secret)] = cloud.credentials()
    assert platform_secret_hash(world) == sha(secret)
    assert len(cloud.identities()) == 1 and len(cloud.grants()) == 1


@contextmanager
def fresh_world(tmp_path, monkeypatch):
    """A new sandbox for one case, with this process pointed at it."""
    from bootstrap.sandbox.world import Sandbox

    with Sandbox(Path(tempfile.mkdtemp(dir=tmp_path)), clouds=True) as box:
        for key, value in box.env.items():
            monkeypatch.setenv(key, value)
        yield box


@pytest.mark.parametrize(("provider", "command"), CASES)
def test_sigint_at_every_call_rolls_back(tmp_path, monkeypatch, regboot, learnt, provider, command):
    for emulator, operation in learnt[(provider, command)]:
        with fresh_world(tmp_path, monkeypatch) as world:
            cloud, before = prepare(world, regboot, provider, command)
            held_before = platform_secret_hash(world)
            stopped = run_stopped(world, [command, provider, *cloud.args], emulator, operation, signal.SIGINT)
            case = f"{provider} {command}, SIGINT at {emulator} {operation}: exit {stopped.code}\n{stopped.stderr}"
            assert stopped.code == 130, case
            assert "Traceback" not in stopped.stderr, case
            now = {cid: secret for cid, secret in cloud.credentials()}
            held = platform_secret_hash(world)
            # Nothing the run minted is left unless the platform holds it; what the platform holds still exists.
            assert set(now) - before <= {cid for cid, s in now.items() if sha(s) == held}, case
            assert held is None or held in {sha(s) for s in now.values()}, case
            if held_before and held != held_before:
                assert stopped.code == 130 or not (before & set(now)), case
            settled(world, cloud, regboot)


@pytest.mark.parametrize("provider", ["gcr", "acr"])
def test_sigkill_at_every_call_is_cleaned_by_the_next_run(tmp_path, monkeypatch, regboot, learnt, provider):
    for emulator, operation in learnt[(provider, "onboard")]:
        with fresh_world(tmp_path, monkeypatch) as world:
            cloud, _ = prepare(world, regboot, provider, "onboard")
            stopped = run_stopped(world, ["onboard", provider, *cloud.args], emulator, operation, signal.SIGKILL)
            assert stopped.code == -signal.SIGKILL, f"{operation}: {stopped.code} {stopped.stderr}"
            settled(world, cloud, regboot)


@pytest.mark.parametrize("provider", ["gcr", "acr"])
def test_sigint_while_akka_answers_late_never_rolls_back_what_it_took(tmp_path, monkeypatch, regboot, provider):
    # akka stores the new credential, then hangs past its timeout; Ctrl-C meanwhile must wait for the retry
    monkeypatch.setenv("REGBOOT_AKKA_TIMEOUT", "1")
    with fresh_world(tmp_path, monkeypatch) as world:
        cloud, _ = prepare(world, regboot, provider, "rotate")
        argv = ["rotate", provider, *cloud.args]
        stopped = run_stopped(world, argv, "akka", "docker add-credentials", signal.SIGINT, akka={"late": 3})
        assert stopped.code == 130, stopped.stderr
        held = platform_secret_hash(world)
        assert held in {sha(secret) for _, secret in cloud.credentials()}, "the platform holds a deleted credential"
        settled(world, cloud, regboot)

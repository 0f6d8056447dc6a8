"""Ctrl-C (SIGINT) at every cloud call rolls back what the run made; SIGKILL at every call leaves a state the
next run detects and cleans. Both end with exactly one credential, the one the platform holds."""

from __future__ import annotations

import hashlib
import signal

import pytest

from tests.lifecycle.conftest import ARGS, Cloud
from tests.reliability import flows
from tests.reliability.interrupting import platform_secret_hash, run_stopped

EMULATORS = {"gcr": ("google", "registry"), "acr": ("azure", "registry")}


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def calls(provider: str, command: str) -> list[tuple[str, str]]:
    """(emulator, operation) of every distinct cloud call a clean run makes (the flows' snapshot), then akka
    taking the credential."""
    seen: list[tuple[str, str]] = []
    for point in flows.load()[(provider, command)]:
        if point.service in EMULATORS[provider] and (point.service, point.operation) not in seen:
            seen.append((point.service, point.operation))
    return [*seen, ("akka", "docker add-credentials")]


SIGINT = [(p, c, *call) for p in ("gcr", "acr") for c in ("onboard", "rotate") for call in calls(p, c)]
SIGKILL = [(p, *call) for p in ("gcr", "acr") for call in calls(p, "onboard")]


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


@pytest.mark.parametrize(("provider", "command", "emulator", "operation"), SIGINT)
def test_sigint_at_every_call_rolls_back(world, regboot, provider, command, emulator, operation):
    cloud, before = prepare(world, regboot, provider, command)
    stopped = run_stopped(world, [command, provider, *cloud.args], emulator, operation, signal.SIGINT)
    case = f"{provider} {command}, SIGINT at {emulator} {operation}: exit {stopped.code}\n{stopped.stderr}"
    assert stopped.code == 130, case
    assert "Traceback" not in stopped.stderr, case
    now = {cid: secret for cid, secret in cloud.credentials()}
    held = platform_secret_hash(world)
    # Nothing the run minted is left unless the platform holds it; what the platform holds still exists.
    assert set(now) - before <= {cid for cid, s in now.items() if sha(s) == held}, case
    assert held is None or held in {sha(s) for s in now.values()}, case
    settled(world, cloud, regboot)


@pytest.mark.parametrize(("provider", "emulator", "operation"), SIGKILL)
def test_sigkill_at_every_call_is_cleaned_by_the_next_run(world, regboot, provider, emulator, operation):
    cloud, _ = prepare(world, regboot, provider, "onboard")
    stopped = run_stopped(world, ["onboard", provider, *cloud.args], emulator, operation, signal.SIGKILL)
    assert stopped.code == -signal.SIGKILL, f"{operation}: {stopped.code} {stopped.stderr}"
    settled(world, cloud, regboot)


@pytest.mark.parametrize("provider", ["gcr", "acr"])
def test_sigint_while_akka_answers_late_never_rolls_back_what_it_took(world, monkeypatch, regboot, provider):
    # akka stores the new credential, then hangs past its timeout; Ctrl-C meanwhile must wait for the retry
    monkeypatch.setenv("REGBOOT_AKKA_TIMEOUT", "1")
    cloud, _ = prepare(world, regboot, provider, "rotate")
    argv = ["rotate", provider, *cloud.args]
    stopped = run_stopped(world, argv, "akka", "docker add-credentials", signal.SIGINT, akka={"late": 3})
    assert stopped.code == 130, stopped.stderr
    held = platform_secret_hash(world)
    assert held in {sha(secret) for _, secret in cloud.credentials()}, "the platform holds a deleted credential"
    settled(world, cloud, regboot)

"""Verification inside onboarding: after mint, before the platform call, rolled back on refusal."""

from __future__ import annotations

import pytest

from tests.conftest import akka_commands, platform_credentials
from tests.verify.conftest import SERVER

PRIVATE = ("onboard", "private", "--server", SERVER, "--username", "bot", "--password-stdin")


@pytest.fixture
def password(accounts, canaries) -> str:
    value = canaries.new("token")
    accounts.add("bot", value)
    return value


def test_the_platform_gets_the_credential_once_verified(sandbox, registry, regboot, password):
    done = regboot(*PRIVATE, "-o", "json", input=password)
    assert done.code == 0, done.stderr
    actions = done.json()["data"]["actions"]
    assert [a["verb"] for a in actions] == ["verified", "installed"]
    assert actions[0]["detail"].startswith("after ") and actions[0]["detail"].endswith(" s")
    assert f"verified credential {SERVER} (after " in done.stderr
    # REGBOOT_REGISTRY_ENDPOINT moved the calls, not the server the platform holds
    assert platform_credentials(sandbox)["docker-credentials"]["server"] == SERVER
    assert registry.seen[0]["path"] == "/v2/"


def test_a_refused_credential_never_reaches_the_platform(sandbox, registry, regboot, password, canaries):
    done = regboot(*PRIVATE, "-o", "json", input=canaries.new("wrong"))
    assert done.code == 1
    assert done.json()["errors"][0]["code"] == "verification_failed"
    assert platform_credentials(sandbox) == {}
    assert "docker add-credentials" not in akka_commands(sandbox)


def test_a_refusal_rolls_back_what_was_minted(sandbox, registry, regboot, password, canaries, monkeypatch):
    from dataclasses import replace

    from bootstrap.steps import Undo
    from providers.static import Private

    undone: list[str] = []
    use = Private._use

    def minting(self, identity):  # a provider that makes something and must unmake it on failure
        return replace(use(self, identity), undo=Undo("key test-key", lambda: undone.append("test-key")))

    monkeypatch.setattr(Private, "_use", minting)
    done = regboot(*PRIVATE, input=canaries.new("wrong"))
    assert done.code == 1
    assert undone == ["test-key"] and "rolled back: key test-key" in done.stderr
    assert platform_credentials(sandbox) == {}


def test_no_verify_skips_the_registry(sandbox, registry, regboot, password):
    assert regboot(*PRIVATE, "--no-verify", input=password).code == 0
    assert registry.seen == []


def test_the_plan_shows_verification_unless_skipped(sandbox, regboot):
    plan = regboot(*PRIVATE[:-1], "--dry-run", "-o", "json").json()["data"]["plan"]
    assert [s["verb"] for s in plan][-2:] == ["verify", "install"]
    skipped = regboot(*PRIVATE[:-1], "--dry-run", "--no-verify", "-o", "json").json()["data"]["plan"]
    assert "verify" not in [s["verb"] for s in skipped]


def test_dockerhub_verifies_against_its_v2_api_host(sandbox, registry, regboot, canaries, accounts):
    token = canaries.new("pat")
    accounts.add("octo", token)
    done = regboot("onboard", "dockerhub", "--username", "octo", "--password-stdin", input=token)
    assert done.code == 0, done.stderr
    assert "verified credential https://index.docker.io/v1/" in done.stderr


def test_verify_timeout_reaches_verification(sandbox, registry, regboot, password, accounts, monkeypatch):
    from bootstrap.verify import VerifyTarget
    from providers.static import Private

    # A provider whose credentials propagate, and one that never will: the timeout bounds the wait.
    accounts.add("bot", password, repositories={"team/app"})
    monkeypatch.setattr(Private, "verification", lambda self, minted: VerifyTarget(SERVER, "x/y", propagates=True))
    done = regboot(*PRIVATE, "--verify-timeout", "1", input=password)
    assert done.code == 1 and "still cannot pull" in done.stderr and "after 1 s" in done.stderr
    assert platform_credentials(sandbox) == {}


def test_verifying_loads_no_command_line_client(sandbox, registry, password):
    """httpx imports its own command-line client (click and rich, ~0.1 s) whenever they are installed, as they are
    beside typer: regboot, which never runs it, verifies without loading either."""
    import os
    import subprocess
    import sys

    code = (
        "import atexit, runpy, sys\n"
        "atexit.register(lambda: sys.__stderr__.write("
        "f\"\\nloaded: {sorted(m for m in ('httpx', 'rich', 'click') if m in sys.modules)}\\n\"))\n"
        "sys.argv = ['regboot', *sys.argv[1:]]\n"
        "runpy.run_module('bootstrap', run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *PRIVATE], input=password, env=dict(os.environ), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert registry.seen and "docker-credentials" in platform_credentials(sandbox)
    assert done.stderr.rsplit("loaded: ", 1)[1].strip() == "['httpx']"

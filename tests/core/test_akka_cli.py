"""How regboot drives the akka CLI on a real project: akka's own timeout, regions, service tokens, removal."""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import akka_commands, platform_credentials, set_platform

PRIVATE = ("--server", "https://registry.example.com/v1/", "--username", "bot")
MUTATING = {"docker add-credentials", "docker remove-credentials", "docker delete-credentials", "secrets delete"}


def onboard(regboot, canaries, *args: str, env: dict[str, str] | None = None):
    return regboot(
        "onboard", "private", *PRIVATE, *args, "--password-stdin", "--no-verify", input=canaries.new(), env=env
    )


# --- point 6: akka's own --timeout ------------------------------------------------------------------------
def test_a_platform_slower_than_akkas_default_timeout_is_waited_for(sandbox, regboot, canaries):
    """The platform takes 12 s, past akka's 10 s default but within regboot's 60 s: regboot's limit is in force."""
    set_platform(sandbox, fail={"docker add-credentials": {"latency": 12, "times": 9}})
    done = onboard(regboot, canaries)
    assert done.code == 0, done.stderr
    assert "docker-credentials" in platform_credentials(sandbox)
    assert {call["flags"].get("--timeout") for call in sandbox.platform_state()["calls"]} == {"60s"}


def test_a_platform_slower_than_regboots_limit_fails_inside_akka_at_that_limit(sandbox, regboot, canaries, monkeypatch):
    monkeypatch.setenv("REGBOOT_AKKA_TIMEOUT", "4.5")
    set_platform(sandbox, fail={"projects get": {"latency": 5, "times": 9}})
    done = onboard(regboot, canaries, "-o", "json")
    assert done.code == 1, done.stderr
    error = done.json()["errors"][0]
    assert error["code"] == "platform_unreachable" and "context deadline exceeded" in error["message"]
    calls = sandbox.platform_state()["calls"]
    assert calls and all(call["flags"].get("--timeout") == "4.5s" for call in calls)
    assert not MUTATING & set(akka_commands(sandbox))


def test_the_stand_in_reads_timeouts_as_go_durations():
    from bootstrap.sandbox.akka.cli import go_duration
    from bootstrap.sandbox.akka.model import AkkaError

    assert [go_duration(t) for t in ("60s", "1m30s", "500ms", "1.5s", "0", "2h")] == [60, 90, 0.5, 1.5, 0, 7200]
    for bad in ("60", "s", "1x", ""):
        with pytest.raises(AkkaError, match='for "--timeout" flag'):
            go_duration(bad)


def test_regboots_limit_is_written_as_a_go_duration():
    from bootstrap.platforms.akka import go_duration

    assert [go_duration(s) for s in (60, 4.5, 0.25, 90.0, 1e-6)] == ["60s", "4.5s", "0.25s", "90s", "0.001s"]


# --- point 11: a project service token in CI -------------------------------------------------------------
def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def test_a_service_token_that_describes_no_user_can_onboard_its_project(sandbox, regboot, canaries):
    token = canaries.new("akka-token")
    set_platform(sandbox, logged_in=False, service_tokens={sha(token): "demo-project"})
    done = onboard(regboot, canaries, env={"AKKA_TOKEN": token, "AKKA_PROJECT": "demo-project"})
    assert done.code == 0, done.stderr
    assert "docker-credentials" in platform_credentials(sandbox)
    # reading the token's project is the login check: `auth current-login`, which fails for it, is not asked
    assert "projects get" in akka_commands(sandbox) and "auth current-login" not in akka_commands(sandbox)


def test_a_bad_service_token_is_not_logged_in(sandbox, regboot, canaries):
    set_platform(sandbox, logged_in=False, service_tokens={sha(canaries.new("good")): "demo-project"})
    env = {"AKKA_TOKEN": canaries.new("bad-token"), "AKKA_PROJECT": "demo-project"}
    done = onboard(regboot, canaries, "-o", "json", env=env)
    assert done.code == 3, done.stderr
    error = done.json()["errors"][0]
    assert error["code"] == "not_logged_in" and "akka auth login" in error["fix"] and "AKKA_TOKEN" in error["fix"]
    assert not MUTATING & set(akka_commands(sandbox))


# --- point 7: projects with several regions ----------------------------------------------------------------
REGIONS = ["gcp-us-east1", "aws-us-east-2"]


def two_regions(sandbox) -> None:
    state = sandbox.platform_state()
    state["projects"]["demo-project"]["regions"] = REGIONS
    set_platform(sandbox, projects=state["projects"])


def test_a_project_with_several_regions_and_no_region_stops_before_any_write(sandbox, regboot, canaries):
    two_regions(sandbox)
    done = onboard(regboot, canaries, "-o", "json")
    assert done.code == 2, done.stderr
    error = done.json()["errors"][0]
    assert all(region in error["message"] for region in REGIONS) and "--akka-region" in error["fix"]
    assert not MUTATING & set(akka_commands(sandbox))


def test_offboard_on_a_project_with_several_regions_names_the_region_to_every_call(sandbox, regboot, canaries):
    two_regions(sandbox)
    region = ("--akka-region", "aws-us-east-2")
    assert onboard(regboot, canaries, *region).code == 0
    done = regboot("offboard", "private", *PRIVATE, *region, "-y")
    assert done.code == 0, done.stderr
    project = sandbox.platform_state()["projects"]["demo-project"]
    assert project["credentials"] == {} and project["secrets"] == {}
    regional = [c for c in sandbox.platform_state()["calls"] if c["command"][0] in ("docker", "secrets")]
    assert {c["flags"].get("--region") for c in regional if "--help" not in c["flags"]} == {"aws-us-east-2"}


def test_a_region_the_project_does_not_have_is_refused_before_any_write(sandbox, regboot, canaries):
    done = onboard(regboot, canaries, "--akka-region", "aws-eu-west-1")
    assert done.code == 2, done.stderr
    assert "gcp-us-east1" in done.stderr
    assert not MUTATING & set(akka_commands(sandbox))


# --- issue 17: fewer akka commands ---------------------------------------------------------------------------
def test_the_clis_dialect_is_learned_once_per_installed_binary(sandbox, regboot, canaries):
    from bootstrap.sandbox.akka.server import install

    assert onboard(regboot, canaries).code == 0
    assert onboard(regboot, canaries, "--secret-name", "second").code == 0
    assert akka_commands(sandbox).count("docker") == 1  # `akka docker --help`, asked by the first run only
    # An older CLI installed over it: a new file, whose dialect is learned anew and used.
    set_platform(sandbox, version="2.0.12")
    install(sandbox.bin, sandbox.akka_state_file, server=sandbox.akka_server.address)
    assert onboard(regboot, canaries).code == 0
    assert akka_commands(sandbox).count("docker") == 2
    assert "docker delete-credentials" not in akka_commands(sandbox)
    assert regboot("offboard", "private", *PRIVATE, "-y").code == 0
    assert "docker delete-credentials" in akka_commands(sandbox)


def test_an_onboarding_asks_the_platform_only_what_it_needs(sandbox, regboot, canaries):
    """The login is told by reading the project; the project comes from akka's local configuration. A run that
    writes also takes and releases the consumer's lease and reads the platform again once it holds it
    (docs/security.md, Concurrency)."""
    assert onboard(regboot, canaries).code == 0
    reads = ["config get", "projects get", "docker", "docker list-credentials"]
    lease = ["secrets create", "secrets list", "docker list-credentials", "secrets delete"]
    assert sorted(akka_commands(sandbox)) == sorted([*reads, *lease, "docker add-credentials"])

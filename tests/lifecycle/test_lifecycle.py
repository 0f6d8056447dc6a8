"""rotate, offboard, status and dry runs for every cloud provider, asserted on what the clouds and platform hold."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import akka_commands, platform_credentials

MUTATING_AKKA = {"docker add-credentials", "docker remove-credentials", "docker delete-credentials", "secrets delete"}
PAST = {
    "create": "created",
    "grant": "granted",
    "mint": "minted",
    "install": "installed",
    "retire": "retired",
    "remove": "removed",
    "delete": "deleted",
    "revoke": "revoked",
    "verify": "verified",
    "keep": "found",
}


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def run(regboot, *args: str, **kwargs):
    done = regboot(*args, **kwargs)
    assert done.code == 0, done.stderr
    return done


def test_rotate_leaves_exactly_the_new_credential_on_the_platform(world, cloud, regboot):
    run(regboot, "onboard", cloud.provider, *cloud.args)
    [(old_id, _)] = cloud.credentials()
    run(regboot, "rotate", cloud.provider, *cloud.args)
    [(new_id, new_secret)] = cloud.credentials()
    assert new_id != old_id
    assert platform_credentials(world)["docker-credentials"]["password_sha256"] == sha(new_secret)
    assert len(cloud.identities()) == 1 and len(cloud.grants()) == 1


def test_failed_rotation_keeps_the_platform_on_the_old_credential(world, cloud, regboot):
    from tests.conftest import set_platform

    run(regboot, "onboard", cloud.provider, *cloud.args)
    [(old_id, old_secret)] = cloud.credentials()
    set_platform(world, fail={"docker add-credentials": {"message": "the platform is down"}})
    assert regboot("rotate", cloud.provider, *cloud.args).code == 1
    assert cloud.credentials() == [(old_id, old_secret)]
    assert platform_credentials(world)["docker-credentials"]["password_sha256"] == sha(old_secret)


def test_offboard_removes_everything(world, cloud, regboot):
    run(regboot, "onboard", cloud.provider, *cloud.args)
    run(regboot, "offboard", cloud.provider, *cloud.args, "-y")
    project = world.platform_state()["projects"]["demo-project"]
    assert project["credentials"] == {} and project["secrets"] == {}
    assert cloud.identities() == [] and cloud.credentials() == [] and cloud.grants() == []
    again = run(regboot, "offboard", cloud.provider, *cloud.args, "-y")
    assert "already gone" in again.stdout


def test_offboard_goes_on_when_removing_the_credential_took_its_secret(world, cloud, regboot):
    """An akka whose remove-credentials deletes the secret too: `secrets delete` then finds none, which is done."""
    from tests.conftest import set_platform

    run(regboot, "onboard", cloud.provider, *cloud.args)
    set_platform(world, removal_takes_secret=True)
    done = regboot("offboard", cloud.provider, *cloud.args, "-y")
    assert done.code == 0, done.stderr
    project = world.platform_state()["projects"]["demo-project"]
    assert project["credentials"] == {} and project["secrets"] == {}
    assert cloud.identities() == [] and cloud.credentials() == [] and cloud.grants() == []


def test_offboard_keep_identity_keeps_only_the_identity(world, cloud, regboot):
    run(regboot, "onboard", cloud.provider, *cloud.args)
    run(regboot, "offboard", cloud.provider, *cloud.args, "-y", "--keep-identity")
    assert len(cloud.identities()) == 1
    assert cloud.credentials() == [] and cloud.grants() == []
    assert platform_credentials(world) == {}


# A password the user holds is used as it is: the step that says so changes nothing, so a real run records nothing.
RECORDS_NOTHING = {"use"}
STATIC = {
    "dockerhub": ("--username", "bob"),
    "private": ("--server", "https://registry.example.com/v1/", "--username", "bot"),
}


@pytest.mark.parametrize("command", ["onboard", "rotate", "offboard"])
@pytest.mark.parametrize("provider", ["gcr", "gar", "acr", "dockerhub", "private"])
def test_a_dry_run_plans_the_very_steps_the_real_run_takes(world, regboot, canaries, provider, command):
    """The plan and the execution come from the same data: for every provider and flow, the dry run's steps are,
    one for one and in order, the steps the real run that follows records."""
    from tests.lifecycle.conftest import ARGS, Cloud

    args = STATIC.get(provider) or ARGS[provider]
    # the user's own password: nothing registry.example.com could prove here
    password = ("--password-stdin", "--no-verify") if provider in STATIC and command != "offboard" else ()
    cloud = Cloud(provider, args, world)

    def go(*argv: str):
        return run(regboot, *argv, input=canaries.new("token") if "--password-stdin" in argv else None)

    if command != "onboard":
        go("onboard", provider, *args, *(("--password-stdin", "--no-verify") if provider in STATIC else ()))
    extra = ("-y",) if command == "offboard" else ()
    cloud.clear_log()
    akka_before = len(akka_commands(world))
    plan = go(command, provider, *args, *password, *extra, "--dry-run", "-o", "json").json()["data"]["plan"]
    if provider not in STATIC:
        assert cloud.mutations() == []
    assert not MUTATING_AKKA & set(akka_commands(world)[akka_before:])
    actions = go(command, provider, *args, *password, *extra, "-o", "json").json()["data"]["actions"]
    planned = [(PAST[s["verb"]], s["what"]) for s in plan if s["verb"] not in RECORDS_NOTHING]
    assert planned == [(a["verb"], a["what"]) for a in actions]
    assert planned, plan  # a flow that plans nothing cannot tell


def test_status_shows_age_expiry_and_strays(world, regboot):
    from tests.lifecycle.conftest import ARGS, Cloud

    run(regboot, "onboard", "acr", *ARGS["acr"], "--expires-in", "10d", "--secret-name", "acr")
    run(regboot, "onboard", "gcr", *ARGS["gcr"], "--secret-name", "gcr")
    gcr = Cloud("gcr", ARGS["gcr"], world)
    [email] = gcr.identities()
    gcr.google.model.create_key(f"projects/{ARGS['gcr'][1]}/serviceAccounts/{email}")  # a key made by hand
    done = regboot("status", "-o", "json")
    rows = {r["secret_name"]: r for r in done.json()["data"]["credentials"]}
    assert rows["acr"]["age_days"] == 0
    expires = datetime.fromisoformat(rows["acr"]["expires"])
    assert timedelta(days=9) <= expires - datetime.now(UTC) <= timedelta(days=11)
    assert any("expires in" in note for note in rows["acr"]["notes"])
    assert "stray credential" in " ".join(rows["gcr"]["notes"]) and rows["gcr"]["expires"] is None
    assert rows["gcr"]["credentials"] == 2 and len(rows["gcr"]["stray"]) == 1
    assert rows["gcr"]["grant"].startswith("roles/artifactregistry.reader on projects/")
    assert rows["acr"]["grant"].startswith("AcrPull on /subscriptions/")
    text = regboot("status").stdout
    assert "warning: acr: credential" in text and "warning: gcr: stray credential" in text


def test_status_fails_once_a_credential_has_expired_by_the_clock_the_clouds_keep(world, regboot):
    """Expiry is judged against the clock regboot runs on (the sandbox's, which the emulators share), and the exit
    status comes from that judgement."""
    from tests.lifecycle.conftest import ARGS

    run(regboot, "onboard", "acr", *ARGS["acr"], "--expires-in", "1h")
    assert regboot("status").code == 0
    world.clock.advance(2 * 3600)
    done = regboot("status", "-o", "json")
    assert done.code == 1, done.stderr
    [row] = done.json()["data"]["credentials"]
    assert any(note.startswith("credential ") and " expired on " in note for note in row["notes"]), row["notes"]


# The read inspection makes first: the one a replica behind answers "no such identity" to.
FIRST_READ = {"gcr": "iam.GetServiceAccount", "gar": "iam.GetServiceAccount", "acr": "graph.applications.list"}


@pytest.mark.parametrize("command", ["rotate", "offboard"])
def test_a_replica_behind_right_after_onboarding_is_not_believed(world, cloud, regboot, command):
    from bootstrap.sandbox.faults import Fault

    run(regboot, "onboard", cloud.provider, *cloud.args)
    [identity] = cloud.identities()
    emulator = cloud.azure if cloud.provider == "acr" else cloud.google
    emulator.calls.inject(FIRST_READ[cloud.provider], Fault(kind="not_visible"), times=2)
    extra = ("-y",) if command == "offboard" else ()
    done = run(regboot, command, cloud.provider, *cloud.args, *extra)
    assert "identity to be listed" in done.stderr
    if command == "rotate":  # the same identity, not a second one beside it
        assert cloud.identities() == [identity] and len(cloud.credentials()) == 1
    else:
        assert cloud.identities() == [] and cloud.credentials() == [] and cloud.grants() == []


LOST = {"docker add-credentials": {"late": 3, "times": 3}}  # akka stores the credential, its answer never comes


def test_a_rotation_akka_never_answers_keeps_both_credentials(world, cloud, regboot, monkeypatch):
    from tests.conftest import set_platform

    monkeypatch.setenv("REGBOOT_AKKA_TIMEOUT", "1")
    run(regboot, "onboard", cloud.provider, *cloud.args)
    [(old_id, _)] = cloud.credentials()
    set_platform(world, fail=LOST)
    done = regboot("rotate", cloud.provider, *cloud.args, "-o", "json")
    assert done.code == 1
    error = done.json()["errors"][0]
    assert error["code"] == "platform_unanswered" and "3 tries" in error["message"]
    # the platform took the new credential: retiring it, or keeping only the old one, would break pulls
    held = {sha(secret): key for key, secret in cloud.credentials()}
    assert len(held) == 2 and old_id in held.values()
    assert platform_credentials(world)["docker-credentials"]["password_sha256"] in held
    set_platform(world, fail={})
    run(regboot, "rotate", cloud.provider, *cloud.args)
    [(_, secret)] = cloud.credentials()
    assert platform_credentials(world)["docker-credentials"]["password_sha256"] == sha(secret)


def test_a_first_onboarding_akka_never_answers_is_settled_by_its_listing(world, cloud, regboot, monkeypatch):
    from tests.conftest import set_platform

    monkeypatch.setenv("REGBOOT_AKKA_TIMEOUT", "1")
    set_platform(world, fail=LOST)
    done = regboot("onboard", cloud.provider, *cloud.args)
    assert done.code == 0, done.stderr
    assert "the platform lists docker-credentials now" in done.stderr
    [(_, secret)] = cloud.credentials()
    assert platform_credentials(world)["docker-credentials"]["password_sha256"] == sha(secret)


def _propagation(cloud, seconds: float) -> None:
    """How long a new key or password takes to authenticate at the registry."""
    if cloud.provider == "acr":
        cloud.azure.model.password_delay = seconds
    else:
        cloud.google.model.configure(key_propagation_delay=seconds)


def test_a_verification_timeout_keeps_the_identity_and_grant_for_the_next_run(world, cloud, regboot):
    _propagation(cloud, 3600)  # longer than regboot may wait: the key never works within this run
    done = regboot("onboard", cloud.provider, *cloud.args, "--verify-timeout", "2", "-o", "json")
    assert done.code == 1, done.stderr
    identities, grants = cloud.identities(), cloud.grants()
    assert identities and len(grants) == 1  # kept: they hold no secret, and their propagation has begun
    assert cloud.credentials() == []  # the unproven key or password is retired
    assert "docker add-credentials" not in akka_commands(world)
    error = done.json()["errors"][0]
    assert error["code"] == "verification_timeout" and "again" in error["fix"]
    kept = " ".join(done.json()["data"]["kept"])
    assert "grant" in kept or "assignment" in kept
    assert any(name in kept for name in ("service account", "app registration"))

    _propagation(cloud, 0)
    cloud.clear_log()
    run(regboot, "onboard", cloud.provider, *cloud.args)
    made = [m for m in cloud.mutations() if "Key" not in m and "addPassword" not in m and "Password" not in m]
    assert cloud.identities() == identities and cloud.grants() == grants
    assert not [m for m in made if "Create" in m or "SetIamPolicy" in m or m.startswith(("POST", "PUT"))], made
    assert len(cloud.credentials()) == 1

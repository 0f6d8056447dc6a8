"""Several registries in one Akka project: a secret holding another registry is never replaced by accident, and
credentials the user holds rotate like the clouds' do."""

from __future__ import annotations

import hashlib

from bootstrap.sandbox.world import GCP_PROJECT
from tests.conftest import akka_commands, platform_credentials

SERVER = "https://registry.example.com/v1/"
PRIVATE = ("onboard", "private", "--server", SERVER, "--username", "bot", "--password-stdin", "--no-verify")
GCR = ("onboard", "gcr", "--gcp-project", GCP_PROJECT)


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def test_onboard_never_replaces_another_registrys_credential_by_accident(world, regboot, canaries):
    token = canaries.new("token")
    assert regboot(*PRIVATE, input=token).code == 0
    for dry in ((), ("--dry-run",)):
        refused = regboot(*GCR, *dry, "-o", "json")
        assert refused.code == 3, refused.stderr
        error = refused.json()["errors"][0]
        assert error["code"] == "secret_holds_another_registry"
        assert SERVER in error["message"] and "docker-credentials" in error["message"]
        assert "--secret-name gcr" in error["fix"] and "--replace" in error["fix"]
    assert platform_credentials(world)["docker-credentials"]["password_sha256"] == sha(token)
    writes = [c for e in world.emulators.values() for c in e.calls.mutating()]
    assert writes == []  # refused before any cloud write
    assert akka_commands(world).count("docker add-credentials") == 1  # the private onboarding's alone


def test_replace_takes_another_registrys_secret_on_purpose(world, regboot, canaries):
    assert regboot(*PRIVATE, input=canaries.new("token")).code == 0
    done = regboot(*GCR, "--replace", "-y")
    assert done.code == 0, done.stderr
    assert platform_credentials(world)["docker-credentials"]["server"] == "https://gcr.io"


def test_the_suggested_secret_name_is_free(world, regboot, canaries):
    assert regboot(*PRIVATE, input=canaries.new("token")).code == 0
    assert regboot(*PRIVATE, "--secret-name", "gcr", input=canaries.new("token")).code == 0
    refused = regboot(*GCR, "-o", "json")
    assert refused.code == 3 and "--secret-name gcr-2" in refused.json()["errors"][0]["fix"]


def test_rotate_private_installs_a_new_token_verified_first(tmp_path, monkeypatch, regboot, canaries):
    from bootstrap.sandbox.world import Sandbox

    old, new = canaries.new("old"), canaries.new("new")
    with Sandbox(tmp_path / "box", clouds=True, accounts=(("bot", new),)) as box:  # the registry knows the new one
        for key, value in box.env.items():
            monkeypatch.setenv(key, value)
        assert regboot(*PRIVATE, input=old).code == 0
        rotate = ("rotate", "private", "--server", SERVER, "--username", "bot", "--password-stdin")
        refused = regboot(*rotate, input=canaries.new("wrong"))
        assert refused.code == 1 and "refused bot" in refused.stderr
        assert platform_credentials(box)["docker-credentials"]["password_sha256"] == sha(old)
        done = regboot(*rotate, input=new)
        assert done.code == 0, done.stderr
        assert "verified credential" in done.stderr
        assert platform_credentials(box)["docker-credentials"]["password_sha256"] == sha(new)


def test_rotate_dockerhub_installs_the_new_token(sandbox, regboot, canaries):
    hub = ("dockerhub", "--username", "octo", "--password-stdin", "--no-verify")
    assert regboot("onboard", *hub, input=canaries.new("old")).code == 0
    new = canaries.new("new")
    done = regboot("rotate", *hub, input=new)
    assert done.code == 0, done.stderr
    assert platform_credentials(sandbox)["docker-credentials"]["password_sha256"] == sha(new)


def test_an_onboard_already_in_place_says_the_token_was_not_sent(sandbox, regboot, canaries):
    assert regboot(*PRIVATE, input=canaries.new("old")).code == 0
    again = regboot(*PRIVATE, "-o", "json", input=canaries.new("new"))
    assert again.code == 0
    warning = " ".join(again.json()["data"]["warnings"])
    assert "not sent" in warning and "regboot rotate private" in warning
    text = regboot(*PRIVATE, input=canaries.new("new"))
    assert "not sent" in text.stdout + text.stderr


def test_rotate_and_offboard_by_secret_name_alone(sandbox, regboot, canaries):
    assert regboot(*PRIVATE, "--secret-name", "priv", input=canaries.new("old")).code == 0
    new = canaries.new("new")
    rotated = regboot("rotate", "--secret-name", "priv", "--password-stdin", "--no-verify", input=new)
    assert rotated.code == 0, rotated.stderr
    held = platform_credentials(sandbox)["priv"]
    assert (held["server"], held["username"], held["password_sha256"]) == (SERVER, "bot", sha(new))
    done = regboot("offboard", "--secret-name", "priv", "-y")
    assert done.code == 0, done.stderr
    assert "priv" not in platform_credentials(sandbox)
    again = regboot("offboard", "--secret-name", "priv", "-y")
    assert again.code == 0 and "already gone" in again.stdout


def test_rotate_by_a_name_the_platform_does_not_hold_is_refused(sandbox, regboot):
    done = regboot("rotate", "--secret-name", "nope", "-o", "json")
    assert done.code == 3 and done.json()["errors"][0]["code"] == "unknown_secret"


def test_options_before_the_provider_are_refused_not_dropped(sandbox, regboot):
    done = regboot("offboard", "--secret-name", "priv", "private", "--server", SERVER, "--username", "bot", "-y")
    assert done.code == 2 and "--secret-name must come after the provider name" in done.stderr
    assert "docker remove-credentials" not in akka_commands(sandbox)

"""Verification of Google, Azure and static credentials against the sandbox registry, which asks the emulated
clouds who may pull: waiting out propagation, failing fast when a grant can never pull, and rolling back."""

from __future__ import annotations

import json

from bootstrap.sandbox.world import ACR_REGISTRY, GCP_PROJECT
from tests.conftest import akka_commands, platform_credentials

GCR = ("onboard", "gcr", "--gcp-project", GCP_PROJECT)
ACR = ("onboard", "acr", "--registry", ACR_REGISTRY)


def waited(done) -> float:
    [verified] = [a for a in done.json()["data"]["actions"] if a["verb"] == "verified"]
    return float(verified["detail"].split("after ")[1].split(" s")[0])


def test_google_waits_for_a_new_key_to_work(world, regboot):
    world.emulators["google"].model.configure(key_propagation_delay=20)
    done = regboot(*GCR, "-o", "json")
    assert done.code == 0, done.stderr
    assert waited(done) >= 19  # it waited the key out, and said so
    assert "waiting for _json_key to be able to pull" in done.stderr
    assert "gcr.io" in platform_credentials(world)["docker-credentials"]["server"]


def test_azure_waits_for_a_new_password_to_work(world, regboot):
    world.emulators["azure"].model.password_delay = 20
    done = regboot(*ACR, "-o", "json")
    assert done.code == 0, done.stderr
    assert waited(done) >= 19
    assert platform_credentials(world)["docker-credentials"]["server"] == f"{ACR_REGISTRY}.azurecr.io"


def test_a_grant_that_cannot_pull_fails_as_never_within_seconds(world, regboot):
    google = world.emulators["google"]
    done = regboot(*GCR, "--role", "roles/storage.objectViewer", "-o", "json")
    assert done.code == 1
    assert "to be able to pull" not in done.stderr  # "never" at the first refusal: no waiting for propagation
    error = done.json()["errors"][0]
    assert error["code"] == "verification_failed" and "roles/artifactregistry.reader" in error["fix"]
    assert google.model.list_service_accounts(f"projects/{GCP_PROJECT}")[0] == []  # made by this run: rolled back
    assert "docker add-credentials" not in akka_commands(world)


def test_a_credential_that_never_starts_working_is_retired_and_its_identity_kept(world, regboot):
    azure = world.emulators["azure"]
    azure.model.password_delay = 3600
    done = regboot(*ACR, "--verify-timeout", "3")
    assert done.code == 1 and "still cannot pull" in done.stderr and "run the same command again" in done.stderr
    [app] = azure.model.directory.applications_list()
    assert app.passwords == []  # the unproven password is retired; the app and its grant wait for the next run
    assert len(list(azure.model.role_assignments.values())) == 1
    assert "docker add-credentials" not in akka_commands(world)


def test_rotation_on_a_failed_verification_keeps_the_old_key(world, regboot):
    google = world.emulators["google"]
    assert regboot(*GCR).code == 0
    account = google.model.list_service_accounts(f"projects/{GCP_PROJECT}")[0][0]
    old = [k.key_id for k in google.model.list_keys(account.name, ["USER_MANAGED"])]
    google.model.configure(key_propagation_delay=3600)
    done = regboot("rotate", "gcr", "--gcp-project", GCP_PROJECT, "--verify-timeout", "2")
    assert done.code == 1
    assert [k.key_id for k in google.model.list_keys(account.name, ["USER_MANAGED"])] == old


def test_the_old_credential_is_rejected_after_rotation(world, regboot, canaries):
    google = world.emulators["google"]
    assert regboot(*GCR).code == 0
    account = google.model.list_service_accounts(f"projects/{GCP_PROJECT}")[0][0]
    [old] = google.model.list_keys(account.name, ["USER_MANAGED"])
    old_json = old.private_key_data
    canaries.values.append(json.loads(old_json)["private_key"])
    probe = (
        "verify",
        "--server",
        "https://gcr.io",
        "--username",
        "_json_key",
        "--password-stdin",
        "--repository",
        f"{GCP_PROJECT}/regboot-verify",
    )
    assert regboot(*probe, input=old_json).code == 0
    assert regboot("rotate", "gcr", "--gcp-project", GCP_PROJECT).code == 0
    rejected = regboot(*probe, input=old_json)
    assert rejected.code == 1 and "refused _json_key" in rejected.stderr


def test_static_credentials_verify_and_a_wrong_one_is_final(tmp_path, monkeypatch, regboot, canaries):
    from bootstrap.sandbox.world import Sandbox

    token = canaries.new("token")
    with Sandbox(tmp_path / "box", clouds=True, accounts=(("bot", token),)) as box:
        for key, value in box.env.items():
            monkeypatch.setenv(key, value)
        private = (
            "onboard",
            "private",
            "--server",
            "https://registry.example.com/v1/",
            "--username",
            "bot",
            "--password-stdin",
        )
        wrong = regboot(*private, input=canaries.new("wrong"))
        assert wrong.code == 1 and "refused bot" in wrong.stderr
        assert "docker add-credentials" not in akka_commands(box)
        done = regboot(*private, input=token)
        assert done.code == 0, done.stderr
        assert "verified credential https://registry.example.com/v1/" in done.stderr

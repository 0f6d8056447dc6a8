"""What the akka CLI is given and what it may answer: no secret of regboot's in its environment, and no bytes it
prints can make regboot roll back a credential the platform may hold."""

from __future__ import annotations

import hashlib

from bootstrap.sandbox.world import GCP_PROJECT
from tests.conftest import platform_credentials, set_platform

SERVER = "https://registry.example.com/v1/"
PRIVATE = ("onboard", "private", "--server", SERVER, "--username", "bot", "--no-verify")


def test_no_akka_process_is_handed_regboots_password_variable(sandbox, regboot, canaries):
    token = canaries.new("token")
    done = regboot(*PRIVATE, env={"REGBOOT_PASSWORD": token})
    assert done.code == 0, done.stderr
    calls = sandbox.platform_state()["calls"]
    assert calls and all("REGBOOT_PASSWORD" not in call["regboot_env"] for call in calls)
    assert any("REGBOOT_AKKA_BIN" in call["regboot_env"] for call in calls)  # the record does see regboot's variables


def test_bytes_that_are_not_utf8_after_akka_stored_the_credential_roll_nothing_back(world, regboot):
    set_platform(world, fail={"docker add-credentials": {"garbage": True, "times": 1}})
    done = regboot("onboard", "gcr", "--gcp-project", GCP_PROJECT)
    assert done.code == 0, done.stderr
    assert "internal error" not in done.stderr
    google = world.emulators["google"].model
    [account] = google.list_service_accounts(f"projects/{GCP_PROJECT}")[0]
    [key] = google.list_keys(account.name, ["USER_MANAGED"])  # the key the platform holds was not retired
    held = platform_credentials(world)["docker-credentials"]
    assert held["password_sha256"] == hashlib.sha256(key.private_key_data.encode()).hexdigest()


def test_a_token_given_as_a_stray_argument_is_never_echoed(sandbox, regboot, canaries):
    token = canaries.new("pasted")
    done = regboot(*PRIVATE, "--password-stdin", token, input=canaries.new())
    assert done.code == 2 and "1 unexpected argument" in done.stderr + done.stdout
    # the canaries fixture checks the token appears in nothing regboot printed


def test_a_password_over_64_kib_is_refused_before_any_call(sandbox, regboot):
    done = regboot(*PRIVATE, "--password-stdin", input="x" * (64 * 1024 + 1))
    assert done.code == 2 and "over 64 KiB" in done.stderr
    assert sandbox.platform_state()["calls"] == []


def test_a_changed_email_on_a_rerun_is_sent(sandbox, regboot, canaries):
    token = canaries.new()
    assert regboot(*PRIVATE, "--password-stdin", "--email", "old@example.com", input=token).code == 0
    again = regboot(*PRIVATE, "--password-stdin", "--email", "new@example.com", input=token)
    assert again.code == 0 and "already in place" not in again.stdout
    assert platform_credentials(sandbox)["docker-credentials"]["email"] == "new@example.com"


GAR = ("--gcp-project", GCP_PROJECT, "--location", "us-central1", "--repository", "apps")


def test_email_on_a_google_registry_is_ignored_with_a_note_and_status_still_reads_the_entry(world, regboot):
    # A Google entry's email is its service account's: status, rotate and offboard by --secret-name read it there.
    for provider, args in (("gcr", ("--gcp-project", GCP_PROJECT)), ("gar", GAR)):
        done = regboot("onboard", provider, *args, "--secret-name", provider, "--email", "team@example.com")
        assert done.code == 0, done.stderr
        assert "--email is ignored" in done.stderr, done.stderr
        held = platform_credentials(world)[provider]
        assert held["email"].endswith(".iam.gserviceaccount.com"), held
    status = regboot("status", "-o", "json")
    assert status.code == 0, status.stdout + status.stderr
    rows = status.json()["data"]["credentials"]
    assert [r["notes"] for r in rows] == [[], []], rows
    assert all(r["identity"] == r["email"] for r in rows), rows

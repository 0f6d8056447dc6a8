"""Onboarding and offboarding credentials the user holds (Docker Hub, any private registry) end to end."""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import akka_commands, platform_credentials, set_platform

SERVER = "https://registry.example.com/v1/"
PRIVATE = ("--server", SERVER, "--username", "bot")


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def test_onboard_private_stores_the_credential(sandbox, regboot, canaries):
    token = canaries.new("token")
    done = regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=token)
    assert done.code == 0, done.stderr
    held = platform_credentials(sandbox)["docker-credentials"]
    assert (held["server"], held["username"], held["password_sha256"]) == (SERVER, "bot", sha(token))
    assert "docker-credentials" in sandbox.platform_state()["projects"]["demo-project"]["secrets"]


def test_rerun_changes_nothing(sandbox, regboot, canaries):
    token = canaries.new("token")
    regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=token)
    before = akka_commands(sandbox)
    again = regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=token)
    assert again.code == 0
    assert "already in place" in again.stdout
    assert "docker add-credentials" not in akka_commands(sandbox)[len(before) :]


def test_update_sends_a_new_token(sandbox, regboot, canaries):
    regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=canaries.new())
    new = canaries.new("new-token")
    done = regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", "--update", input=new)
    assert done.code == 0
    assert platform_credentials(sandbox)["docker-credentials"]["password_sha256"] == sha(new)


def test_offboard_removes_credential_and_secret(sandbox, regboot, canaries):
    regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=canaries.new())
    done = regboot("offboard", "private", *PRIVATE, "-y")
    assert done.code == 0, done.stderr
    project = sandbox.platform_state()["projects"]["demo-project"]
    assert project["credentials"] == {} and project["secrets"] == {}
    again = regboot("offboard", "private", *PRIVATE, "-y")
    assert again.code == 0 and "already gone" in again.stdout


def test_offboard_leaves_another_consumers_credential_alone(sandbox, regboot, canaries):
    regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=canaries.new())
    done = regboot("offboard", "private", "--server", "https://other.example.com", "--username", "bot", "-y")
    assert done.code == 3
    assert "leaving it alone" in done.stderr
    assert "docker-credentials" in platform_credentials(sandbox)


def test_dockerhub_round_trip(sandbox, regboot, canaries):
    token = canaries.new("pat")
    done = regboot("onboard", "dockerhub", "--username", "octo", "--password-stdin", "--no-verify", input=token)
    assert done.code == 0, done.stderr
    held = platform_credentials(sandbox)["docker-credentials"]
    assert (held["server"], held["username"]) == ("https://index.docker.io/v1/", "octo")
    assert (
        regboot("onboard", "dockerhub", "--username", "octo", "--password-stdin", "--no-verify", input=token).code == 0
    )
    assert regboot("offboard", "dockerhub", "--username", "octo", "-y").code == 0
    assert platform_credentials(sandbox) == {}


def test_password_from_stdin_loses_one_trailing_newline(sandbox, regboot, canaries):
    token = canaries.new()
    regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=token + "\n")
    assert platform_credentials(sandbox)["docker-credentials"]["password_sha256"] == sha(token)


def test_password_from_environment(sandbox, regboot, canaries):
    token = canaries.new()
    done = regboot("onboard", "private", *PRIVATE, "--no-verify", env={"REGBOOT_PASSWORD": token})
    assert done.code == 0
    assert platform_credentials(sandbox)["docker-credentials"]["password_sha256"] == sha(token)


@pytest.mark.parametrize("stdin", ["", "\n", "nul\0byte"])
def test_missing_or_malformed_password_is_usage(sandbox, regboot, stdin):
    done = regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=stdin)
    assert done.code == 2
    assert "docker add-credentials" not in akka_commands(sandbox)


def test_custom_secret_name_and_platform_scope_reach_akka(sandbox, regboot, canaries):
    state = sandbox.platform_state()
    state["projects"]["shop"] = {"owner": "acme", "regions": ["aws-us-east-2"], "credentials": {}, "secrets": {}}
    set_platform(sandbox, projects=state["projects"])
    done = regboot(
        "onboard",
        "private",
        *PRIVATE,
        "--password-stdin",
        "--no-verify",
        "--secret-name",
        "shop-pull",
        "--akka-project",
        "shop",
        "--akka-owner",
        "acme",
        "--akka-region",
        "aws-us-east-2",
        "--email",
        "ops@example.com",
        input=canaries.new(),
    )
    assert done.code == 0, done.stderr
    held = sandbox.platform_state()["projects"]["shop"]["credentials"]["shop-pull"]
    assert (held["region"], held["email"]) == ("aws-us-east-2", "ops@example.com")
    add = next(c for c in sandbox.platform_state()["calls"] if c["command"][:2] == ["docker", "add-credentials"])
    assert add["flags"]["--project"] == "shop" and add["flags"]["--owner"] == "acme"
    assert add["flags"]["--disable-prompt"] is True


def test_status_lists_what_the_platform_holds(sandbox, regboot, canaries):
    regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=canaries.new())
    regboot(
        "onboard",
        "dockerhub",
        "--username",
        "octo",
        "--password-stdin",
        "--no-verify",
        "--secret-name",
        "hub",
        input=canaries.new(),
    )
    done = regboot("status", "-o", "json")
    assert done.code == 0
    rows = {r["secret_name"]: r for r in done.json()["data"]["credentials"]}
    assert rows["docker-credentials"]["provider"] == "private"
    assert rows["hub"]["provider"] == "dockerhub"
    text = regboot("status").stdout
    assert "SECRET NAME" in text and "hub" in text


def test_a_key_file_is_a_valid_password(sandbox, regboot, canaries):
    key_file = '{\n  "type": "service_account",\n  "private_key": "' + canaries.new("pem") + '"\n}\n'
    done = regboot(
        "onboard",
        "private",
        "--server",
        "https://europe-docker.pkg.dev",
        "--username",
        "_json_key",
        "--password-stdin",
        "--no-verify",
        input=key_file,
    )
    assert done.code == 0, done.stderr
    assert platform_credentials(sandbox)["docker-credentials"]["password_sha256"] == sha(key_file[:-1])

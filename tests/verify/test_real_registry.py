"""Against a real registry: Debian's docker-registry with htpasswd auth (Basic), and in token-auth mode (Bearer)."""

from __future__ import annotations

from tests.conftest import akka_commands, platform_credentials

PLATFORM_SERVER = "https://registry.internal.example"  # what the platform holds; the calls go to the real registry


def test_verify_succeeds_with_the_right_password(real, regboot):
    done = regboot("verify", "--server", real.url, "--username", real.username, "--password-stdin", input=real.password)
    assert done.code == 0, done.stderr
    assert done.stdout.startswith(f"verified: alice can log in to {real.url} (basic auth")


def test_an_empty_repository_on_the_real_registry_proves_the_credential(real, regboot):
    args = ("--server", real.url, "--username", real.username, "--repository", "team/app", "-o", "json")
    done = regboot("verify", *args, "--password-stdin", input=real.password)
    assert done.code == 0, done.stderr
    assert done.json()["data"]["note"] == "repository team/app has no images yet"


def test_verify_fails_clearly_with_a_wrong_password(real, regboot, canaries):
    args = ("--server", real.url, "--username", real.username, "-o", "json")
    done = regboot("verify", *args, "--password-stdin", input=canaries.new("wrong"))
    assert done.code == 1
    error = done.json()["errors"][0]
    assert error["code"] == "verification_failed"
    assert error["message"].startswith("127.0.0.1:") and "refused alice" in error["message"]
    assert len(done.stderr.strip().splitlines()) == 2


def test_verify_runs_as_its_own_process(real, regboot_process):
    args = ("--server", real.url, "--username", real.username, "--repository", "team/app")
    done = regboot_process("verify", *args, "--password-stdin", input=real.password)
    assert done.code == 0, done.stderr


def test_onboarding_private_verifies_before_the_platform_call(real, sandbox, regboot):
    args = ("--server", PLATFORM_SERVER, "--username", real.username, "-o", "json")
    done = regboot("onboard", "private", *args, "--password-stdin", input=real.password)
    assert done.code == 0, done.stderr
    verbs = [(a["verb"], a["name"]) for a in done.json()["data"]["actions"]]
    assert verbs[:2] == [("verified", PLATFORM_SERVER), ("installed", "docker-credentials")]
    assert f"verified credential {PLATFORM_SERVER} (after " in done.stderr
    assert platform_credentials(sandbox)["docker-credentials"]["server"] == PLATFORM_SERVER


def test_onboarding_with_a_wrong_password_leaves_the_platform_alone(real, sandbox, regboot, canaries):
    args = ("--server", PLATFORM_SERVER, "--username", real.username)
    done = regboot("onboard", "private", *args, "--password-stdin", input=canaries.new("wrong"))
    assert done.code == 1
    assert "registry.internal.example refused alice" in done.stderr
    assert platform_credentials(sandbox) == {}
    assert "docker add-credentials" not in akka_commands(sandbox)


def test_bearer_tokens_from_the_realm_satisfy_a_real_registry(bearer_real, regboot):
    real, tokens = bearer_real
    args = ("--server", real.url, "--username", real.username, "--password-stdin")
    done = regboot("verify", *args, "--repository", "team/app", "-o", "json", input=real.password)
    assert done.code == 0, done.stderr
    assert done.json()["data"]["scheme"] == "bearer"
    assert any(s["path"] == "/v2/token" and s["auth"] == "basic" for s in tokens.seen)


def test_a_real_registry_refuses_a_token_without_the_scope(bearer_real, regboot, canaries):
    real, _ = bearer_real
    args = ("--server", real.url, "--username", real.username, "--password-stdin")
    done = regboot("verify", *args, "--repository", "other/app", input=real.password)
    assert done.code == 1
    assert "a read of other/app answered 401" in done.stderr and "[insufficient_scope]" in done.stderr
    wrong = regboot("verify", *args, input=canaries.new("wrong"))
    assert wrong.code == 1 and "the token endpoint answered 401" in wrong.stderr

"""`regboot verify` and the v2 auth flow against the emulated registry: challenges, tokens, redirects, waiting,
and each way it can fail saying so in its own words."""

from __future__ import annotations

import socket

import pytest

from bootstrap.credentials import RegistryCredential, Secret
from bootstrap.errors import VerificationError
from bootstrap.sandbox.faults import Fault
from bootstrap.settings import Settings
from bootstrap.ui import Ui
from bootstrap.verify import VerifyTarget, verify_credential
from bootstrap.waiting import Patience
from tests.verify.conftest import SERVER

LOGIN = ("verify", "--server", SERVER, "--username", "bot", "--password-stdin")


class Recorder(Ui):
    """A Ui that keeps what it was told."""

    def __init__(self) -> None:
        super().__init__(interactive=False)
        self.lines: list[str] = []

    def say(self, message: str) -> None:
        self.lines.append(message)

    progress = warn = say


@pytest.fixture
def password(accounts, canaries) -> str:
    value = canaries.new("pw")
    accounts.add("bot", value, repositories={"team/app"})
    return value


@pytest.mark.parametrize("challenge", ["bearer", "basic"])
def test_a_working_credential_verifies(registry, regboot, password, challenge):
    registry.challenge = challenge
    registry.repositories["team/app"] = ["1.0"]
    done = regboot(*LOGIN, "--repository", "team/app", "-o", "json", input=password)
    assert done.code == 0, done.stderr
    data = done.json()["data"]
    assert (data["scheme"], data["attempts"], data["note"]) == (challenge, 1, "")
    assert {"path": "/v2/team/app/tags/list", "host": registry.url.split("//")[1], "auth": challenge} in registry.seen


@pytest.mark.parametrize("key", ["token", "access_token", "both"])
def test_the_token_may_come_as_token_or_access_token(registry, regboot, password, key):
    registry.token_key = key
    assert regboot(*LOGIN, input=password).code == 0


def test_an_empty_repository_still_proves_the_credential(registry, regboot, password):
    done = regboot(*LOGIN, "--repository", "team/app", input=password)
    assert done.code == 0, done.stderr
    assert "has no images yet" in done.stdout


def test_a_wrong_password_is_final_at_once(registry, regboot, password, canaries):
    done = regboot(*LOGIN, "-o", "json", input=canaries.new("wrong"))
    assert done.code == 1
    assert registry.calls.operations().count("registry.token") == 1  # final at once: no second attempt
    error = done.json()["errors"][0]
    assert error["code"] == "verification_failed"
    assert "registry.example.com refused bot" in error["message"] and "password" in error["fix"]
    assert len(done.stderr.strip().splitlines()) <= 2
    assert [s["path"] for s in registry.seen] == ["/v2/", "/v2/token"]  # one attempt, no waiting


def test_a_repository_out_of_reach_is_never(registry, regboot, password):
    done = regboot(*LOGIN, "--repository", "other/app", input=password)
    assert done.code == 1
    assert "a read of other/app answered 403" in done.stderr and "may pull other/app" in done.stderr


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", 'Bearer realm=""', 'Bearer realm="not a url"', 'Digest realm="r", nonce="1"', '"""'],
)
def test_a_missing_or_garbled_challenge_is_a_malformed_answer(registry, regboot, password, header):
    registry.header = header
    done = regboot(*LOGIN, "-o", "json", input=password)
    assert done.code == 1
    assert done.json()["errors"][0]["code"] == "registry_malformed"
    assert "registry registry.example.com" in done.stderr


@pytest.mark.parametrize(
    "header",
    [
        'bearer REALM="{realm}" , Service="registry.sandbox"',
        'Negotiate abc==, Basic realm="old", Bearer realm="{realm}",scope="repository:x:pull,push"',
        "Bearer realm={realm}",
    ],
)
def test_odd_but_valid_challenges_are_understood(registry, regboot, password, header):
    registry.header = header.format(realm=f"{registry.url}/v2/token")
    assert regboot(*LOGIN, "--repository", "team/app", input=password).code == 0


def test_redirects_on_the_same_host_are_followed(registry, regboot, password):
    registry.redirects = dict.fromkeys(("registry.ping", "registry.token", "registry.tags"), "same")
    done = regboot(*LOGIN, "--repository", "team/app", input=password)
    assert done.code == 0, done.stderr
    assert {s["path"] for s in registry.seen} >= {"/moved/v2/token", "/moved/v2/team/app/tags/list"}


def test_the_password_never_follows_a_redirect_to_another_host(registry, regboot, password):
    registry.redirects = {"registry.token": "other"}
    done = regboot(*LOGIN, input=password)
    assert done.code == 1
    moved = [s for s in registry.seen if s["path"].startswith("/moved")]
    assert moved and all(s["host"].startswith("localhost") and s["auth"] == "" for s in moved)


def test_a_realm_on_another_host_gets_the_password(registry, regboot, password):
    registry.realm_host = "localhost"  # like auth.docker.io for registry-1.docker.io
    assert regboot(*LOGIN, input=password).code == 0
    token = next(s for s in registry.seen if s["path"] == "/v2/token")
    assert token["host"].startswith("localhost") and token["auth"] == "basic"


def test_an_open_registry_is_reported_as_unchecked(registry, regboot, password):
    registry.challenge = "none"
    done = regboot(*LOGIN, "--repository", "team/app", "-o", "json", input=password)
    assert done.code == 0, done.stderr
    assert done.json()["data"]["scheme"] == "none" and "no credential" in done.json()["data"]["note"]
    assert registry.seen and all(s["auth"] == "" for s in registry.seen)  # asked, and the password never sent


def test_an_open_v2_endpoint_still_gets_the_repository_challenge_answered(registry, regboot, password):
    registry.challenge = "open-ping"
    done = regboot(*LOGIN, "--repository", "team/app", "-o", "json", input=password)
    assert done.code == 0, done.stderr
    assert done.json()["data"]["scheme"] == "bearer"


def test_not_a_registry(registry, regboot, password):
    registry.calls.inject("registry.ping", Fault(status=404, message="no such page"))
    done = regboot(*LOGIN, input=password)
    assert done.code == 1 and "is not a container registry" in done.stderr


def test_throttling_is_waited_out_honouring_retry_after(registry, regboot, password):
    registry.calls.inject("registry.token", Fault(status=429, retry_after=1))
    done = regboot(*LOGIN, "-o", "json", input=password)
    assert done.code == 0, done.stderr
    assert done.json()["data"]["attempts"] == 2 and done.json()["data"]["waited_seconds"] >= 1
    assert "waiting for bot" in done.stderr


def test_a_registry_that_echoes_the_password_is_scrubbed(registry, regboot, password, canaries):
    wrong = canaries.new("wrong")
    registry.calls.inject("registry.token", Fault(status=401, message=f"bad password {wrong}"))
    done = regboot(*LOGIN, "--debug", input=wrong)
    assert done.code == 1 and "bad password ***" in done.stderr  # the canary fixture checks nothing leaked


def test_connection_refused_has_its_own_message(regboot, canaries, monkeypatch):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("REGBOOT_REGISTRY_ENDPOINT", f"http://127.0.0.1:{port}")
    done = regboot(*LOGIN, "-o", "json", input=canaries.new())
    assert done.code == 1
    error = done.json()["errors"][0]
    assert error["code"] == "registry_unreachable" and "connection refused" in error["message"]


def test_tls_to_a_plain_http_port_has_its_own_message(registry, regboot, password, monkeypatch):
    monkeypatch.setenv("REGBOOT_REGISTRY_ENDPOINT", registry.url.replace("http://", "https://"))
    done = regboot(*LOGIN, "-o", "json", input=password)
    assert done.code == 1
    error = done.json()["errors"][0]
    assert error["code"] == "registry_unreachable" and "TLS handshake failed" in error["message"]
    assert "http://" in error["fix"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--server", "ftp://r.example.com", "--username", "bot"), "invalid registry server"),
        (("--server", SERVER, "--username", "a:b"), "invalid --username"),
        (("--server", SERVER, "--username", "bot", "--repository", "Team/App"), "invalid --repository"),
        (("--server", SERVER, "--username", "bot", "--verify-timeout", "0"), "invalid --verify-timeout"),
    ],
)
def test_bad_input_is_usage(regboot, canaries, args, fragment):
    done = regboot("verify", *args, "--password-stdin", "-o", "json", input=canaries.new())
    assert done.code == 2 and fragment in done.json()["errors"][0]["message"]


# --- propagation: what a cloud provider's target asks for ----------------------------------------------------
def test_not_yet_then_ok_reports_the_wait(registry, accounts, canaries):
    registry.propagation = 1.0
    key = canaries.new("key")
    accounts.add("new-key", key, repositories={"team/app"})
    ui = Recorder()
    target = VerifyTarget(SERVER, "team/app", propagates=True, patience=Patience(deadline=20))
    proof = verify_credential(
        target, RegistryCredential(SERVER, "new-key", Secret(key)), ui=ui, settings=_settings(registry)
    )
    assert proof.attempts > 1 and proof.waited > 0.9
    assert any("waiting for new-key to be able to pull" in line for line in ui.lines)


def test_a_refusal_past_the_deadline_is_never(registry, password):
    target = VerifyTarget(SERVER, "other/app", propagates=True)
    with pytest.raises(VerificationError, match=r"still cannot pull from .* after \d+ s") as raised:
        verify_credential(
            target,
            RegistryCredential(SERVER, "bot", Secret(password)),
            ui=Recorder(),
            settings=_settings(registry),
            timeout=1.5,
        )
    assert "--verify-timeout" in raised.value.fix


def test_a_static_refusal_does_not_wait_even_with_time_to_spare(registry, password, canaries):
    target = VerifyTarget(SERVER, "team/app")
    with pytest.raises(VerificationError):
        verify_credential(
            target,
            RegistryCredential(SERVER, "bot", Secret(canaries.new())),
            ui=Recorder(),
            settings=_settings(registry),
        )
    assert len([s for s in registry.seen if s["path"] == "/v2/token"]) == 1


def _settings(registry) -> Settings:
    return Settings.read({"REGBOOT_REGISTRY_ENDPOINT": registry.url})

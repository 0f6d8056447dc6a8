"""The command-line contract: envelope, exit codes, one-line errors, dry runs, preconditions."""

from __future__ import annotations

import json

import pytest

from tests.conftest import akka_commands, platform_credentials, set_platform

PRIVATE = ("--server", "https://registry.example.com/v1/", "--username", "bot")
MUTATING = {"docker add-credentials", "docker remove-credentials", "docker delete-credentials", "secrets delete"}


def test_json_success_envelope(sandbox, regboot, canaries):
    done = regboot(
        "onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", "-o", "json", input=canaries.new()
    )
    doc = done.json()
    assert done.code == 0
    assert doc["regboot_result_version"] == 2 and doc["command"] == "onboard" and doc["status"] == "success"
    assert doc["errors"] == [] and isinstance(doc["data"], dict)
    assert doc["data"]["credential"] == {"server": "https://registry.example.com/v1/", "username": "bot", "email": ""}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--server", "https://user:pw@registry.example.com", "--username", "bot"), "carries credentials"),
        (("--server", "ftp://registry.example.com", "--username", "bot"), "invalid --server"),
        (("--server", "https://registry.example.com/v1/ ; rm -rf /", "--username", "bot"), "invalid --server"),
        (("--server", "https://registry.example.com:99999", "--username", "bot"), "invalid --server"),
        (("--server", "https://registry.example.com", "--username", "bot\nx"), "invalid --username"),
        ((*PRIVATE, "--secret-name", "Bad_Name"), "invalid secret name"),
        ((*PRIVATE, "--secret-name", "x" * 64), "invalid secret name"),
        ((*PRIVATE, "--akka-project", "$(id)"), "invalid --akka-project"),
        ((*PRIVATE, "--email", "not-an-email"), "invalid --email"),
        ((*PRIVATE, "--verify-timeout", "-1"), "invalid --verify-timeout"),
    ],
)
def test_bad_input_exits_2_touching_nothing(sandbox, regboot, canaries, args, fragment):
    done = regboot("onboard", "private", *args, "--password-stdin", "-o", "json", input=canaries.new())
    assert done.code == 2, done.stderr
    doc = done.json()
    assert doc["status"] == "error" and doc["data"] == {} and doc["errors"][0]["code"] == "usage"
    assert fragment in doc["errors"][0]["message"]
    assert len(done.stderr.strip().splitlines()) <= 2
    assert akka_commands(sandbox) == []


def test_not_logged_in_is_a_precondition(sandbox, regboot, canaries):
    set_platform(sandbox, logged_in=False)
    done = regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=canaries.new())
    assert done.code == 3
    assert "akka auth login" in done.stderr
    assert not MUTATING & set(akka_commands(sandbox))


UNREACHABLE = "rpc error: code = Unavailable desc = connection error: dial tcp: lookup api.akka.io: i/o timeout"


@pytest.mark.parametrize("command", ["auth current-login", "config get", "projects get", "docker list-credentials"])
def test_an_unreachable_platform_is_not_taken_for_a_verdict(sandbox, regboot, canaries, command):
    """No network is not "not logged in" nor "no such project": exit 1, retry advised, nothing changed."""
    set_platform(sandbox, fail={command: {"message": UNREACHABLE}})
    if command == "auth current-login":  # asked only to tell "logged out" from "no project configured"
        set_platform(sandbox, config={})
    args = () if command in ("config get", "auth current-login") else ("--akka-project", "demo-project")
    done = regboot(
        "onboard", "private", *PRIVATE, *args, "--password-stdin", "--no-verify", "-o", "json", input=canaries.new()
    )
    assert done.code == 1, done.stderr
    error = done.json()["errors"][0]
    assert error["code"] == "platform_unreachable" and "could not reach Akka" in error["message"]
    assert "run this command again" in error["fix"]
    assert not MUTATING & set(akka_commands(sandbox))


def test_missing_akka_is_a_precondition(sandbox, regboot, canaries, monkeypatch):
    monkeypatch.setenv("REGBOOT_AKKA_BIN", str(sandbox.dir / "no-such-akka"))
    done = regboot(
        "onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", "-o", "json", input=canaries.new()
    )
    assert done.code == 3
    assert done.json()["errors"][0]["code"] == "akka_missing"
    assert "REGBOOT_AKKA_BIN" in done.json()["errors"][0]["fix"]


def test_unknown_project_is_a_precondition(sandbox, regboot, canaries):
    done = regboot(
        "onboard",
        "private",
        *PRIVATE,
        "--password-stdin",
        "--no-verify",
        "--akka-project",
        "nope",
        input=canaries.new(),
    )
    assert done.code == 3
    assert "nope" in done.stderr and "akka projects list" in done.stderr
    assert not MUTATING & set(akka_commands(sandbox))


def test_no_configured_project_says_how_to_set_one(sandbox, regboot, canaries):
    set_platform(sandbox, config={})
    done = regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=canaries.new())
    assert done.code == 3 and "akka config set project" in done.stderr


def test_platform_failure_exits_1_without_the_password(sandbox, regboot, canaries):
    token = canaries.new()
    set_platform(sandbox, fail={"docker add-credentials": {"message": "internal server error (500)"}})
    done = regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", "-o", "json", input=token)
    assert done.code == 1
    error = done.json()["errors"][0]
    assert error["code"] == "platform_failed" and "internal server error" in error["message"]
    assert platform_credentials(sandbox) == {}


def test_platform_that_echoes_the_password_is_scrubbed(sandbox, regboot, canaries):
    token = canaries.new()
    set_platform(sandbox, fail={"docker add-credentials": {"message": "bad password {password}"}})
    done = regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", "--debug", input=token)
    assert done.code == 1 and "bad password ***" in done.stderr


def test_platform_timeout_is_reported_without_the_command_line(sandbox, regboot, canaries, monkeypatch):
    monkeypatch.setenv("REGBOOT_AKKA_TIMEOUT", "1")
    set_platform(sandbox, fail={"docker add-credentials": {"sleep": 3, "times": 3}})  # every try hangs
    done = regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", "--debug", input=canaries.new())
    assert done.code == 1 and "did not answer within 1s" in done.stderr


def test_a_platform_call_killed_while_it_hangs_is_retried_and_goes_through(sandbox, regboot, canaries, monkeypatch):
    # the stand-in akka hangs once; killed at the timeout, that hang must not come back on the retry
    # A timeout well above a loaded machine's start-up of an akka process, and a hang well above the timeout.
    monkeypatch.setenv("REGBOOT_AKKA_TIMEOUT", "5")
    set_platform(sandbox, fail={"docker add-credentials": {"sleep": 30, "times": 1}})
    done = regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=canaries.new())
    assert done.code == 0, done.stderr
    assert akka_commands(sandbox).count("docker add-credentials") == 2
    assert set(platform_credentials(sandbox)) == {"docker-credentials"}


def test_dry_run_changes_nothing(sandbox, regboot, canaries):
    done = regboot("onboard", "private", *PRIVATE, "--dry-run", "-o", "json")
    assert done.code == 0
    doc = done.json()
    assert doc["status"] == "success" and doc["data"]["dry_run"] is True
    assert [s["verb"] for s in doc["data"]["plan"]][-1] == "install"
    assert not MUTATING & set(akka_commands(sandbox))


def test_offboard_dry_run_changes_nothing(sandbox, regboot, canaries):
    regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=canaries.new())
    done = regboot("offboard", "private", *PRIVATE, "--dry-run")
    assert done.code == 0 and "remove platform credential docker-credentials" in done.stdout
    assert "docker-credentials" in platform_credentials(sandbox)


def test_older_akka_cli_uses_delete_credentials(sandbox, regboot, canaries):
    set_platform(sandbox, version="2.0.12")
    assert regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=canaries.new()).code == 0
    assert regboot("status", "-o", "json").json()["data"]["credentials"][0]["server"] == PRIVATE[1]
    done = regboot("offboard", "private", *PRIVATE, "-y")
    assert done.code == 0, done.stderr
    assert "docker delete-credentials" in akka_commands(sandbox)
    assert platform_credentials(sandbox) == {}


def test_older_akka_cli_refuses_secret_names(sandbox, regboot, canaries):
    set_platform(sandbox, version="2.0.12")
    done = regboot("onboard", "private", *PRIVATE, "--password-stdin", "--secret-name", "x", input=canaries.new())
    assert done.code == 3 and "3.0.4" in done.stderr


def test_internal_errors_show_no_traceback_without_debug(sandbox, regboot, canaries, monkeypatch):
    from bootstrap.platforms import akka

    monkeypatch.setattr(akka.Akka, "entries", lambda self: 1 / 0)
    done = regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=canaries.new())
    assert done.code == 1 and "Traceback" not in done.stderr and "internal error: ZeroDivisionError" in done.stderr
    debug = regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", "--debug", input="x" * 8)
    assert "Traceback" in debug.stderr


def test_version(regboot):
    from bootstrap import __version__

    assert regboot("--version").stdout.strip() == f"regboot {__version__}"


def test_plugins_lists_built_ins_with_their_origin(regboot):
    doc = regboot("plugins", "-o", "json").json()
    static = next(p for p in doc["data"]["plugins"] if p["name"] == "static")
    assert static["distribution"] == "registry-bootstrap" and static["providers"] == ["dockerhub", "private"]


def test_broken_plugin_is_a_warning_not_a_crash(tmp_path):
    import subprocess
    import sys

    code = "from bootstrap.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "plugins", "-o", "json"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "REGBOOT_PLUGINS": "broken=tests.plugins.broken,extra=tests.plugins.extra"},
    )
    assert done.returncode == 0, done.stderr
    plugins = {p["name"]: p for p in json.loads(done.stdout)["data"]["plugins"]}
    assert "ImportError" in plugins["broken"]["error"]
    assert plugins["extra"]["providers"] == ["nexus"]
    assert "plugin broken (tests.plugins.broken) was skipped" in done.stderr


def test_third_party_provider_gets_commands(sandbox, canaries, regboot_process, monkeypatch):
    monkeypatch.setenv("REGBOOT_PLUGINS", "extra=tests.plugins.extra")
    done = regboot_process("onboard", "nexus", *PRIVATE, "--password-stdin", "--no-verify", input=canaries.new())
    assert done.code == 0, done.stderr
    assert "docker-credentials" in platform_credentials(sandbox)


def test_a_sandbox_keeps_its_locks_apart_from_real_runs(sandbox, regboot, canaries, tmp_path, monkeypatch):
    state = tmp_path / "xdg-state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    assert regboot("onboard", "private", *PRIVATE, "--password-stdin", "--no-verify", input=canaries.new()).code == 0
    assert list((sandbox.dir / "state" / "locks").glob("*.lock"))  # the sandbox's own
    assert not (state / "regboot").exists()  # where a real run on this machine takes its locks

"""What regboot does with a person at a terminal, and without one: prompts that stop cleanly, destructive steps that
are never assumed, and usage errors that scripts asking for JSON can read."""

from __future__ import annotations

import json
import os
import sys
import time

import pexpect
import pytest

from tests.conftest import akka_commands, platform_credentials

SERVER = "https://registry.example.com/v1/"
PRIVATE = ("private", "--server", SERVER, "--username", "bot")


def spawn(*args: str) -> pexpect.spawn:
    """regboot on a pseudo-terminal of its own, as a person runs it."""
    return pexpect.spawn(sys.executable, ["-m", "bootstrap", *args], env=dict(os.environ), timeout=60)


def reading(child: pexpect.spawn, prompt: str) -> None:
    """Wait until regboot shows `prompt` and is blocked reading the answer. A signal sent earlier, between the
    prompt's write and the read, is one Python has noted but not yet handled, and the read then blocks for good
    (CPython checks for signals before a blocking call, not inside it): a race no person is fast enough to lose, but
    a test is. So a test sends its key only once the process sleeps, which after the prompt is the read."""
    child.expect_exact(prompt)
    stat = f"/proc/{child.pid}/stat"
    if not os.path.exists(stat):  # not Linux: give it time instead
        time.sleep(0.5)
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with open(stat) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]  # the field after the command's name, which may hold spaces
        if state == "S":
            return
        time.sleep(0.005)
    raise AssertionError(f"regboot did not wait for an answer after {prompt!r}")


def finished(child: pexpect.spawn) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before.decode(errors="replace")


@pytest.mark.parametrize("key", ["ctrl-c", "ctrl-d"])
def test_stopping_at_the_password_prompt_exits_130(sandbox, key):
    child = spawn("onboard", *PRIVATE, "--no-verify")
    reading(child, "Password: ")  # the space comes from getpass, once the terminal is set up (input before is flushed)
    child.sendintr() if key == "ctrl-c" else child.sendeof()
    code, screen = finished(child)
    assert code == 130, screen
    assert "internal error" not in screen and "interrupted" in screen
    assert "docker add-credentials" not in akka_commands(sandbox)


def test_stopping_at_the_confirmation_exits_130_and_removes_nothing(sandbox, regboot, canaries):
    assert regboot("onboard", *PRIVATE, "--password-stdin", "--no-verify", input=canaries.new()).code == 0
    child = spawn("offboard", *PRIVATE)
    reading(child, "[y/N]: ")  # the space is the prompt input() writes just before it reads
    child.sendintr()
    code, screen = finished(child)
    assert code == 130 and "internal error" not in screen, screen
    assert "docker-credentials" in platform_credentials(sandbox)


def test_offboard_without_a_terminal_or_yes_refuses(sandbox, regboot, canaries):
    assert regboot("onboard", *PRIVATE, "--password-stdin", "--no-verify", input=canaries.new()).code == 0
    done = regboot("offboard", *PRIVATE, "-o", "json")
    assert done.code == 2, done.stderr
    assert done.json()["errors"][0]["fix"] == "Pass -y (--yes) to confirm."
    assert "docker-credentials" in platform_credentials(sandbox)
    assert "docker remove-credentials" not in akka_commands(sandbox)


def test_reassign_without_a_terminal_or_yes_refuses_before_any_call(world, regboot):
    done = regboot("onboard", "gcr", "--gcp-project", "demo-gcp-project", "--reassign")
    assert done.code == 2 and "-y" in done.stderr
    assert akka_commands(world) == []


@pytest.mark.parametrize(
    "argv",
    [
        ("onboard", "gcr", "--bogus", "-o", "json"),
        ("onbaord", "--output=json"),
        ("status", "--bogus", "-ojson"),
        ("offboard", "private", "--output", "json"),  # required options missing
    ],
)
def test_a_command_line_that_does_not_parse_answers_json_when_asked(regboot, argv):
    done = regboot(*argv)
    assert done.code == 2
    document = json.loads(done.stdout)
    assert document["status"] == "error" and document["errors"][0]["code"] == "usage"
    assert document["command"] == (argv[0] if argv[0] != "onbaord" else "regboot")

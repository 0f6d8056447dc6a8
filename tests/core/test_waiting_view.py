"""Waiting as a person sees it: one live line on a terminal, a line per change of state in a log, and a lock wait
that names who holds the lock."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pexpect

from bootstrap import lock
from bootstrap.consumer import Consumer
from bootstrap.settings import Settings
from bootstrap.ui import Ui

PRIVATE = ("onboard", "private", "--server", "https://registry.example.com/v1/", "--username", "bot", "--no-verify")
HOLDER = ["regboot", "rotate", "private", "--server", "https://registry.example.com/v1/", "--username", "bot"]
MORE_TRIES = 3.0  # seconds the lock stays held once the run waits for it: several tries at its short first waits


def held_lock(monkeypatch) -> object:
    """The consumer's lock as another run holds it (this test process, with that run's command line)."""
    monkeypatch.setattr(sys, "argv", HOLDER)
    consumer = Consumer(secret_name="docker-credentials", project="demo-project")
    return lock.hold(consumer, ui=Ui(interactive=False), state_dir=Settings.read(os.environ).state_dir)


def test_a_lock_wait_in_a_log_is_one_line_naming_the_holder(sandbox, monkeypatch, canaries):
    handle = held_lock(monkeypatch)
    run = subprocess.Popen(
        [sys.executable, "-m", "bootstrap", *PRIVATE],
        env={**os.environ, "REGBOOT_PASSWORD": canaries.new()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert run.stderr is not None
    first = run.stderr.readline()  # the run says it waits...
    time.sleep(MORE_TRIES)  # ...and tries again a few times meanwhile
    handle.release()
    _out, rest = run.communicate(timeout=120)
    stderr = first + rest
    canaries.saw("stderr", stderr)
    assert run.returncode == 0, stderr
    waits = [line for line in stderr.splitlines() if "waiting for" in line]
    assert len(waits) == 1, stderr
    assert f"held by pid {os.getpid()}: {' '.join(HOLDER)}" in waits[0]
    assert "\r" not in stderr and "\x1b[" not in stderr


def test_a_lock_wait_on_a_terminal_is_one_live_line(sandbox, monkeypatch, canaries):
    handle = held_lock(monkeypatch)
    inherited = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}  # the terminal's own size
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bootstrap", *PRIVATE],
        env={**inherited, "REGBOOT_PASSWORD": canaries.new()},
        timeout=120,
        dimensions=(24, 250),
    )
    child.expect("waiting for")
    time.sleep(MORE_TRIES)
    handle.release()
    child.expect(pexpect.EOF)
    child.close()
    screen = "waiting for" + child.before.decode()
    canaries.saw("terminal", screen)
    assert child.exitstatus == 0, screen
    assert screen.count("\r… waiting for") >= 2, screen  # each try rewrote the line in place
    assert f"held by pid {os.getpid()}: {' '.join(HOLDER)}" in screen
    assert re.search(r"\(\d+s, next try in \d+s\)", screen)  # elapsed and the next try
    assert not any("waiting for" in line for line in shown(screen)), screen  # and it went once the wait ended


def shown(raw: str) -> list[str]:
    """The lines left on a terminal: a carriage return goes back to the line's start, ESC [K erases to its end."""
    lines = []
    for physical in raw.replace("\r\n", "\n").split("\n"):
        line, column = "", 0
        for part in re.split(r"(\r|\x1b\[K)", physical):
            if part == "\r":
                column = 0
            elif part == "\x1b[K":
                line = line[:column]
            else:
                line = line[:column] + part + line[column + len(part) :]
                column += len(part)
        lines.append(line)
    return lines

"""Who holds a consumer's lock: a small file beside the lock naming the holder's pid and command line, so a run
that waits can say whom it waits for. No secrets: a password is never an argument of regboot."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from bootstrap.credentials import scrub

LONGEST = 160  # characters of the holder's command line shown


def path_for(lock: Path) -> Path:
    return lock.with_name(lock.name + ".holder")


def write(lock: Path) -> None:
    """Say this process holds `lock` (called once it does)."""
    command = scrub(shlex.join(["regboot", *sys.argv[1:]]))
    path_for(lock).write_text(f"{os.getpid()}\n{command[:LONGEST]}\n")


def describe(lock: Path) -> str:
    """`pid 4242: regboot rotate gcr --gcp-project p`, or "" when the holder is unknown or gone."""
    try:
        pid_text, command = path_for(lock).read_text().split("\n")[:2]
        pid = int(pid_text)
        os.kill(pid, 0)  # the file may be left from a run that has ended: only a live process holds the lock
    except (OSError, ValueError):
        return ""
    return f"pid {pid}: {command}"

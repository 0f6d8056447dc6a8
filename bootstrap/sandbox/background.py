"""A sandbox in the background: `regboot sandbox env` or `up --detach` starts it, its state directory holds its pid
and environment, `regboot sandbox down` stops it."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bootstrap.clock import REAL
from bootstrap.sandbox.world import README_ACCOUNTS, Sandbox
from bootstrap.ui import Ui
from bootstrap.waiting import Patience, Retry, poll

PID = "sandbox.pid"
ENV = "sandbox.env.json"
LOG = "sandbox.log"
# What a sandbox writes in its state directory; `down` removes these and nothing else (--dir may be anyone's).
MADE = (PID, ENV, LOG, "bin", "akka-state.json", "akka-state.lock", "clock")
STARTING = Patience(deadline=60.0, first=0.1, factor=1.5, cap=0.5)


class Unready(Exception):
    """The background sandbox has not written its environment yet."""


def state_dir(directory: Path | None, env: Mapping[str, str]) -> Path:
    if directory is not None:
        return directory.resolve()
    base = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "state")
    return Path(base) / "regboot" / "sandbox"


def described(sandbox: Sandbox) -> dict[str, Any]:
    """What a shell needs to use the sandbox: its environment, and the directory PATH gains."""
    return {"env": {k: v for k, v in sandbox.env.items() if k != "PATH"}, "bin": str(sandbox.bin)}


def exports(description: dict[str, Any]) -> str:
    """`export` lines for eval: PATH is added to, not replaced."""
    users = " and ".join(user for user, _ in README_ACCOUNTS)
    token = README_ACCOUNTS[0][1]
    lines = [f"# regboot sandbox: its registry accounts {users} take the token {token} (the README's $TOKEN)"]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in sorted(description["env"].items())]
    lines.append(f'export PATH={shlex.quote(description["bin"])}:"$PATH"')
    return "\n".join(lines) + "\n"


@contextmanager
def running(sandbox: Sandbox) -> Iterator[None]:
    """Record a started sandbox in its state directory while it runs, so that `env` and `down` find it."""
    (sandbox.dir / ENV).write_text(json.dumps(described(sandbox)))
    (sandbox.dir / PID).write_text(f"{os.getpid()}\n")
    try:
        yield
    finally:
        for name in (ENV, PID):
            (sandbox.dir / name).unlink(missing_ok=True)


def refuse_if_running(state: Path) -> None:
    """A second sandbox in one state directory would overwrite the first one's platform."""
    other = alive(state)
    if other is not None:
        raise SystemExit(
            f"error: a regboot sandbox already runs in {state} (pid {other})\n"
            'Use it (`eval "$(regboot sandbox env)"`) or stop it (`regboot sandbox down`).'
        )


def alive(state: Path) -> int | None:
    """The pid of the sandbox running in `state`, if one does."""
    try:
        pid = int((state / PID).read_text())
    except (OSError, ValueError):
        return None
    return pid if runs(pid) else None


def runs(pid: int) -> bool:
    """Whether `pid` still runs. One that has ended stays a zombie until reaped, and not every init reaps."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our own child, ended: now reaped
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:  # no /proc (macOS): the signal's answer stands
        return True
    except OSError:
        return False


def start(state: Path, project: str) -> dict[str, Any]:
    """The running sandbox's description, starting one in the background first if none runs in `state`."""
    if alive(state) is None:
        state.mkdir(parents=True, exist_ok=True)
        (state / ENV).unlink(missing_ok=True)
        (state / "akka-state.json").unlink(missing_ok=True)  # a new sandbox's clouds are empty: so is its platform
        with open(state / LOG, "w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bootstrap", "sandbox", "serve", "--dir", str(state), "--akka-project", project],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # a Ctrl-C in the shell that started it does not stop it: `down` does
            )

        def ready() -> dict[str, Any]:
            if process.poll() is not None:
                raise SystemExit(f"error: the sandbox did not start:\n{(state / LOG).read_text()[-2000:]}")
            if not (state / ENV).exists():
                raise Unready
            return dict(json.loads((state / ENV).read_text()))

        unready = lambda exc: Retry("starting") if isinstance(exc, Unready) else None  # noqa: E731
        return poll(ready, what="the sandbox", not_yet=unready, ui=Ui(), patience=STARTING, clock=REAL)
    return dict(json.loads((state / ENV).read_text()))


def stop(state: Path) -> bool:
    """Stop the sandbox running in `state` and remove what it wrote there; False if none was running."""
    pid = alive(state)
    if pid is not None:
        os.kill(pid, signal.SIGTERM)

        def gone() -> None:  # the process, not its pid file: that goes first, the emulators stop after it
            if runs(pid):
                raise Unready

        stopping = lambda exc: Retry("stopping") if isinstance(exc, Unready) else None  # noqa: E731
        poll(gone, what="the sandbox to stop", not_yet=stopping, ui=Ui(), patience=STARTING, clock=REAL)
    remove_made(state)
    return pid is not None


def remove_made(state: Path) -> None:
    """What a sandbox wrote in its state directory, and nothing else there."""
    for name in MADE:
        path = state / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)

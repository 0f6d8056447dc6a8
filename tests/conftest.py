"""Test hygiene for the whole suite: loopback only, no metadata probes, each test in its own HOME and
sandbox state, and secret canaries checked in everything a test's runs produced."""

from __future__ import annotations

import json
import os
import signal
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUARD = Path(__file__).resolve().parent / "guard"
sys.path.insert(0, str(GUARD))
import loopback  # noqa: E402

loopback.install()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--live-sweep",
        action="store_true",
        help="with live configuration: remove what live runs over an hour old left behind (docs/live-tests.md)",
    )


STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))
CLEARED_PREFIXES = ("REGBOOT_", "AKKA_", "AZURE_", "GOOGLE_", "CLOUDSDK_", "GCE_", "MSI_", "IDENTITY_", "IMDS_")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh HOME, no inherited cloud or regboot settings, metadata servers unreachable, guard on in children."""
    for key in list(os.environ):
        if key.startswith(CLEARED_PREFIXES) or key in ("COLUMNS", "LINES", "NO_COLOR"):  # the runner's terminal
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("NO_GCE_CHECK", "true")
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")
    monkeypatch.setenv("GCE_METADATA_IP", "127.0.0.1:9")
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    guard_log = tmp_path / "guard.log"
    monkeypatch.setenv("REGBOOT_GUARD_LOG", str(guard_log))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(GUARD), str(ROOT)]))
    before = len(loopback.blocked)
    handlers = [signal.getsignal(s) for s in STOP_SIGNALS]
    yield
    assert loopback.blocked[before:] == [], "a connection outside loopback was attempted"
    # a run in this process that took a stop signal's handler must give it back, or the worker's later tests differ
    assert [signal.getsignal(s) for s in STOP_SIGNALS] == handlers, "a stop signal's handler was left changed"
    assert not guard_log.exists() or not guard_log.read_text(), guard_log.read_text()


@dataclass
class Canaries:
    """Secret values a test hands to regboot; none may appear in anything regboot produced."""

    values: list[str] = field(default_factory=list)
    seen: list[tuple[str, str]] = field(default_factory=list)

    def new(self, prefix: str = "canary") -> str:
        value = f"{prefix}-{uuid.uuid4().hex}"
        self.values.append(value)
        return value

    def saw(self, where: str, text: str | bytes | None) -> None:
        if text:
            self.seen.append((where, text.decode(errors="replace") if isinstance(text, bytes) else text))

    def leaks(self, roots: list[Path]) -> list[str]:
        found = [f"{where}" for where, text in self.seen for v in self.values if v in text]
        for root in roots:
            for path in root.rglob("*") if root.exists() else []:
                if path.is_file() and not path.is_symlink():
                    data = path.read_bytes()
                    found += [str(path) for v in self.values if v.encode() in data]
        return found


@pytest.fixture(autouse=True)
def canaries(isolated: None, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    canaries = Canaries()
    yield canaries
    for record in caplog.records:
        canaries.saw(f"log record {record.name}", record.getMessage() + (record.exc_text or ""))
    leaks = canaries.leaks([tmp_path])  # HOME is tmp_path/home
    assert not leaks, f"a secret canary leaked into: {leaks}"


@pytest.fixture
def stop_signals(monkeypatch: pytest.MonkeyPatch):
    """The stop signals' handling as main() installs it (the in-process runner does not), for this test only.
    `install` also marks the process as regboot's own, after which a run's `settle` ignores every stop signal, and
    chains the unraisable hook: left in place, the worker's later tests would run with Ctrl-C ignored."""
    from bootstrap import interrupts

    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)
    monkeypatch.setattr(interrupts, "_installed", interrupts._installed)
    handlers = {s: signal.getsignal(s) for s in interrupts.STOP_SIGNALS}
    interrupts.install()
    interrupts.begin()
    yield
    for signum, handler in handlers.items():
        signal.signal(signum, handler)
    interrupts.begin()


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


@pytest.fixture
def regboot(canaries: Canaries):
    """Run regboot in this process (fast); output and any exception are checked for canaries."""
    from typer.testing import CliRunner

    from bootstrap.cli import build

    app = build()

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Outcome:
        result = CliRunner().invoke(app, list(args), input=input, env=env)
        canaries.saw("stdout", result.stdout)
        canaries.saw("stderr", result.stderr)
        if result.exception and not isinstance(result.exception, SystemExit):
            import traceback

            canaries.saw("exception", "".join(traceback.format_exception(result.exception)))
        return Outcome(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def regboot_process(canaries: Canaries):
    """Run regboot as its own process, as a user would (forked from one that has imported it: tests/launcher.py)."""
    from tests import launcher

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> Outcome:
        done = launcher.run(list(args), {**os.environ, **(env or {})}, input=input, timeout=timeout)
        canaries.saw("process stdout", done.stdout)
        canaries.saw("process stderr", done.stderr)
        return Outcome(done.code, done.stdout, done.stderr)

    return run


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The stand-in akka (and emulators), with this process's environment pointed at them."""
    from bootstrap.sandbox.world import Sandbox

    box = Sandbox(tmp_path / "sandbox")
    for key, value in box.start().items():
        monkeypatch.setenv(key, value)
    yield box
    box.stop()


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The whole sandbox: stand-in akka plus the Google and Azure emulators (with the stand-in az on PATH)."""
    from bootstrap.sandbox.world import Sandbox

    box = Sandbox(tmp_path / "sandbox", clouds=True)
    for key, value in box.start().items():
        monkeypatch.setenv(key, value)
    yield box
    box.stop()


def cloud_calls(box: Any) -> list[str]:
    """Every request any cloud emulator of the sandbox has seen."""
    return [c.operation for emulator in box.emulators.values() for c in emulator.calls.calls]


def akka_commands(box: Any) -> list[str]:
    """The akka commands run so far, e.g. 'docker add-credentials'."""
    return [" ".join(call["command"][:2]) for call in box.platform_state()["calls"]]


def platform_credentials(box: Any, project: str = "demo-project") -> dict[str, dict[str, str]]:
    return box.platform_state()["projects"][project]["credentials"]


def set_platform(box: Any, **changes: Any) -> None:
    state = box.platform_state()
    state.update(changes)
    box.akka_state_file.write_text(json.dumps(state))

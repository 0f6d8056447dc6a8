"""The stand-in `akka` executable, compiled (client.c) or Python (client.py): the same command gives the same output,
exit status and platform state through either, every fault included; what it hands the server keeps secrets home."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bootstrap.sandbox import latency
from bootstrap.sandbox.akka import build, wire
from bootstrap.sandbox.akka.cli import Answer
from bootstrap.sandbox.akka.client import handed
from bootstrap.sandbox.akka.model import default_state
from bootstrap.sandbox.akka.server import install
from tests.conftest import set_platform

needs_cc = pytest.mark.skipif(build.compiler() is None, reason="no C compiler (.ci/run installs gcc)")
KINDS = ("compiled", "python")
ADD = ("docker", "add-credentials", "--docker-server", "r.example.com", "--docker-username", "bot")
NOT_UTF8 = os.fsdecode(b"caf\xff")  # an argument as the OS gave it, not text


def is_compiled(exe: Path) -> bool:
    return not exe.read_bytes().startswith(b"#!")


def installed(sandbox: Any, kind: str, monkeypatch: pytest.MonkeyPatch, server: str | None = "") -> Path:
    """A fresh platform and the `kind` of client for it; server "" is the sandbox's own."""
    with monkeypatch.context() as patch:
        if kind == "python":
            patch.setenv("CC", "no-such-compiler")
        address = sandbox.akka_server.address if server == "" else server
        exe = install(sandbox.bin, sandbox.akka_state_file, state=default_state(), server=address)
    assert is_compiled(exe) == (kind == "compiled")
    return exe


def akka(exe: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> tuple[int, bytes, bytes]:
    done = subprocess.run([exe, *args], capture_output=True, env={**os.environ, **(env or {})}, timeout=timeout)
    return done.returncode, done.stdout, done.stderr


def end_state(sandbox: Any) -> dict[str, Any]:
    """The platform's state, but for the call log's timings: `pid` (who ran akka) stays."""
    state = sandbox.platform_state()
    for call in state["calls"]:
        for timing in ("began", "ended"):
            call.pop(timing, None)
    return state


def through_both(sandbox, monkeypatch, commands, env=None, server="", **platform) -> dict[str, Any]:
    """Each client on a fresh platform: every command's outcome and the end state, the same through both."""
    seen = {}
    for kind in KINDS:
        exe = installed(sandbox, kind, monkeypatch, server)
        if platform:
            set_platform(sandbox, **platform)
        outcomes = [akka(exe, *command, env=env) for command in commands]
        seen[kind] = (outcomes, end_state(sandbox))
    assert seen["compiled"] == seen["python"]
    return {"outcomes": seen["python"][0], "state": seen["python"][1]}


@needs_cc
def test_commands_and_their_errors_print_and_exit_alike(sandbox, monkeypatch):
    commands = [
        [],
        ["version"],
        ["config", "get", "project"],
        ["config", "set", "project", "demo-project"],
        ["projects", "get", "demo-project", "--timeout", "60s"],
        ["docker", "--help"],
        [*ADD, "--docker-email", "bot@example.com", "--docker-password", "pw-not-secret"],
        ["docker", "list-credentials"],
        ["secrets", "list"],
        ["nope"],  # unknown command: exit 1
        ["secrets", "delete", "missing"],
        ["projects", "get", "demo-project", "--timeout", "ten"],
        ["docker", NOT_UTF8],
        ["projects", "get", "other-project"],
    ]
    seen = through_both(sandbox, monkeypatch, commands)
    codes = [code for code, _, _ in seen["outcomes"]]
    assert codes == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    assert b"caf\xff" in seen["outcomes"][12][2]  # echoed back as the bytes it came as
    assert len(seen["state"]["calls"]) == len(commands)
    assert "docker-credentials" in seen["state"]["projects"]["demo-project"]["credentials"]


@needs_cc
@pytest.mark.parametrize(
    "fault",
    [
        {"message": "quota exceeded for {password}", "exit": 4},
        {"latency": 12},  # past akka's own 10 s: context deadline exceeded
        {"late": 0.2},
        {"garbage": True},
        {"sleep": 0.2},  # hangs its own process: run by client.py, in the compiled client's process
        {"after": 1, "message": "second time unlucky"},
    ],
    ids=lambda fault: "-".join(fault),
)
def test_faults_end_alike(sandbox, monkeypatch, fault):
    add = [*ADD, "--docker-password", "pw-not-secret"]
    seen = through_both(sandbox, monkeypatch, [add, add], fail={"docker add-credentials": {**fault, "times": 1}})
    assert [call["command"][:2] for call in seen["state"]["calls"]] == [["docker", "add-credentials"]] * 2
    assert seen["state"]["fail"]["docker add-credentials"]["times"] == 0  # the fault was met


@needs_cc
def test_a_defect_of_the_stand_in_is_said_alike(sandbox, monkeypatch):
    seen = {}
    for kind in KINDS:
        exe = installed(sandbox, kind, monkeypatch)
        sandbox.akka_state_file.write_text("{not json")  # the server's command fails inside the stand-in itself
        seen[kind] = akka(exe, "projects", "get", "demo-project")
    assert seen["compiled"] == seen["python"]
    assert seen["python"][0] == 70 and seen["python"][2].startswith(b"stand-in akka server: JSONDecodeError")


@needs_cc
def test_a_signal_reaches_the_process_that_ran_akka(sandbox, monkeypatch):
    """The fault signals the caller: the shell that ran akka, through either client (the same pid runs it)."""
    shell = ["sh", "-c", 'trap "echo caught USR1" USR1; "$@"; echo "akka exited $?"', "sh"]
    seen = {}
    for kind in KINDS:
        exe = installed(sandbox, kind, monkeypatch)
        set_platform(sandbox, fail={"projects get": {"signal": "USR1"}})
        done = subprocess.run([*shell, exe, "projects", "get", "demo-project"], capture_output=True, timeout=60)
        seen[kind] = (done.returncode, done.stdout, done.stderr, len(end_state(sandbox)["calls"]))
    assert seen["compiled"] == seen["python"]
    assert seen["python"][1].endswith(b"caught USR1\nakka exited 0\n")


@needs_cc
@pytest.mark.parametrize("hang", ["sleep", "late"])
def test_a_hung_command_is_ended_by_killing_the_process_that_ran_it(sandbox, monkeypatch, hang):
    """`sleep` hangs before the work, holding the platform's lock; `late` after it, the answer unsaid. Killing the
    process regboot started must end either: else the next command would wait for the lock, or the answer come."""
    seen = {}
    for kind in KINDS:
        exe = installed(sandbox, kind, monkeypatch)
        set_platform(sandbox, fail={"projects get": {hang: 120, "times": 1}})
        hung = subprocess.Popen([exe, "projects", "get", "demo-project"], stdout=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while sandbox.platform_state()["fail"]["projects get"]["times"] > 0 and time.monotonic() < deadline:
            time.sleep(0.05)  # the fault is saved as used before the process hangs
        hung.kill()
        hung.wait()
        unsaid = hung.stdout.read()
        hung.stdout.close()
        seen[kind] = (unsaid, akka(exe, "projects", "get", "demo-project", timeout=30), end_state(sandbox))
    assert seen["compiled"] == seen["python"]
    assert seen["python"][0] == b"" and seen["python"][1][0] == 0


@needs_cc
def test_without_a_server_the_command_runs_in_the_executable(sandbox, monkeypatch, tmp_path):
    """A sandbox that has stopped (its socket gone), or a socket nobody listens on: the same work, done locally."""
    refusing = Path(tempfile.mkdtemp(prefix="akka-")) / "s"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unbound:
        unbound.bind(str(refusing))  # bound, never listening: connect() is refused
        for server in (str(tmp_path / "gone.sock"), str(refusing), None):
            seen = through_both(sandbox, monkeypatch, [["projects", "get", "demo-project"]], server=server)
            assert seen["outcomes"][0][0] == 0 and len(seen["state"]["calls"]) == 1
    refusing.unlink()
    refusing.parent.rmdir()


@needs_cc
def test_with_latency_set_the_command_takes_it_and_ends_alike(sandbox, monkeypatch):
    seen = through_both(sandbox, monkeypatch, [["projects", "get", "demo-project"]], env={latency.ENV: "1"})
    assert seen["outcomes"][0][0] == 0
    assert latency.ENV in seen["state"]["calls"][0]["regboot_env"]


@needs_cc
@pytest.mark.parametrize("kind", KINDS)
def test_a_command_that_reaches_the_platform_waits_the_latency_first(sandbox, monkeypatch, kind):
    # a lower bound only: sleeping at least this long holds however loaded the machine is
    exe = installed(sandbox, kind, monkeypatch)
    for command in (["config", "get", "project"], ["projects", "get", "demo-project"], ["docker", "--help"]):
        assert akka(exe, *command, env={latency.ENV: "300"})[0] == 0
    local, remote, helped = sandbox.platform_state()["calls"][-3:]
    assert remote["ended"] - remote["began"] >= 0.3
    assert local["command"] == ["config", "get", "project"] and helped["flags"].get("--help")


@needs_cc
def test_with_a_compiler_the_sandbox_installs_the_compiled_client(sandbox):
    """So the speed-up cannot vanish unseen: a compiler present and a Python script installed fails here."""
    assert is_compiled(Path(sandbox.env["REGBOOT_AKKA_BIN"]))


def test_a_compiler_that_fails_leaves_the_python_client(sandbox, monkeypatch):
    monkeypatch.setenv("CC", "false")
    exe = install(sandbox.bin, sandbox.akka_state_file, server=sandbox.akka_server.address)
    assert not is_compiled(exe)
    assert akka(exe, "projects", "get", "demo-project")[0] == 0


class Listener:
    """A server that records the one request it gets and answers it: what an executable hands over, as sent."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="akka-"))  # short: a socket path holds about 100 bytes
        self.address = str(self.folder / "s")
        self.request = b""
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.bind(self.address)
        self._socket.listen(1)
        self._thread = threading.Thread(target=self._answer, daemon=True)
        self._thread.start()

    def _answer(self) -> None:
        connection, _ = self._socket.accept()
        with connection:
            self.request = b"".join(iter(lambda: connection.recv(65536), b""))
            connection.sendall(wire.pack(wire.answer(Answer(out="ok\n"))))

    def close(self) -> None:
        self._thread.join(timeout=60)
        self._socket.close()
        Path(self.address).unlink()
        self.folder.rmdir()


@pytest.mark.parametrize("kind", [pytest.param("compiled", marks=needs_cc), "python"])
def test_a_password_in_the_environment_never_reaches_the_server(sandbox, monkeypatch, canaries, kind):
    password = canaries.new("password")
    env = {
        "REGBOOT_PASSWORD": password,
        "AKKA_PROJECT": "demo-project",
        "HTTPS_PROXY": "http://proxy.example:3128",
        "UNRELATED_TOKEN": canaries.new("unrelated"),
    }
    listener = Listener()
    exe = installed(sandbox, kind, monkeypatch, server=listener.address)
    assert akka(exe, "projects", "get", "x", env=env) == (0, b"ok\n", b"")
    listener.close()
    assert all(value.encode() not in listener.request for value in canaries.values)
    args, given, caller, began = wire.read_request(listener.request)
    assert given == handed({**os.environ, **env})  # HOME, akka's and the network's variables, regboot's by name
    assert given["REGBOOT_PASSWORD"] == "" and given["AKKA_PROJECT"] == "demo-project"
    assert (args, caller) == (["projects", "get", "x"], os.getpid()) and began <= time.time()


@pytest.mark.parametrize("kind", [pytest.param("compiled", marks=needs_cc), "python"])
def test_the_platform_records_a_passwords_name_and_never_its_value(sandbox, monkeypatch, canaries, kind):
    password = canaries.new("password")
    exe = installed(sandbox, kind, monkeypatch)
    assert akka(exe, "projects", "get", "demo-project", env={"REGBOOT_PASSWORD": password})[0] == 0
    assert "REGBOOT_PASSWORD" in sandbox.platform_state()["calls"][0]["regboot_env"]
    assert password not in json.dumps(sandbox.platform_state())

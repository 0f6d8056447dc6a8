"""regboot as its own process, forked from a parent that has imported regboot and the cloud SDKs already.

A fresh `python -m bootstrap` spends most of a second importing the Google and Azure SDKs before it does anything,
and the tests that need regboot as a real process (signals at every call, two runs at once) start hundreds. A fork
is still a process of its own: its own pid, environment, working directory, stdio and exit status; it is signalled,
killed and reaped like any other. What it shares with its parent is only the imported modules, and the parent has
never run a command. TEST_FORK=0 starts plain interpreters instead (a name the tests' isolation leaves alone).

One parent (the zygote) per test worker, started on first use. It forks on request and reports each child's wait
status when the child ends; the test side holds the child's pipes, as with subprocess.Popen.
"""

from __future__ import annotations

import atexit
import contextlib
import faulthandler
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What a run imports lazily, so that no child pays for it: regboot, its providers, and the clouds' SDKs.
PRELOAD = (
    "bootstrap.cli.app",
    "bootstrap.engine.onboard",
    "providers.static",
    "providers.gcp.provider",
    "providers.gcp.cloud",
    "providers.gcp.rest",
    "providers.azure.provider",
    "providers.azure.cloud",
    "providers.azure.graph",
    "grpc",
    "google.auth.transport.requests",
    "google.cloud.iam_admin_v1.services.iam.transports",
    "azure.identity",
    "azure.mgmt.authorization",
    "msgraph.graph_request_adapter",
    "msgraph_core",
    "kiota_http.middleware.options",
    "kiota_authentication_azure.azure_identity_authentication_provider",
    "kiota_serialization_json.json_parse_node_factory",
    "kiota_serialization_text.text_parse_node_factory",
)
_MAX_REQUEST = 1 << 20
HUNG = 100.0  # seconds after which a run is taken to hang


@dataclass
class Ended:
    code: int
    stdout: str
    stderr: str


class Child:
    """A forked regboot: `pid`, `stdin`, `stdout` and `stderr` as subprocess.Popen has them, text mode."""

    def __init__(self, pid: int, replies, stdin, stdout, stderr) -> None:
        self.pid, self._replies = pid, replies
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._replies.settimeout(timeout)
            try:
                status = self._replies.makefile().readline()
            except TimeoutError:
                raise subprocess.TimeoutExpired(["regboot"], timeout or 0) from None
            self._replies.close()
            self.returncode = os.waitstatus_to_exitcode(int(status))
        return self.returncode

    def communicate(self, input: str | None = None, timeout: float | None = None) -> tuple[str, str]:
        """Like Popen.communicate: send `input`, read both streams to their end, wait for the exit."""
        streams: dict[str, str] = {}

        def drain(name: str, stream) -> None:
            streams[name] = stream.read()
            stream.close()

        pairs = (("out", self.stdout), ("err", self.stderr))
        readers = [threading.Thread(target=drain, args=pair, daemon=True) for pair in pairs]
        for reader in readers:
            reader.start()
        try:
            if input:
                self.stdin.write(input)
            self.stdin.close()
        except BrokenPipeError:  # it ended without reading all of it, as a process may
            pass
        for reader in readers:
            reader.join(timeout)
            if reader.is_alive():
                raise subprocess.TimeoutExpired(["regboot"], timeout or 0)
        self.wait(timeout)
        return streams["out"], streams["err"]


class Zygote:
    """The parent process: imports once, forks a child per request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._address: str | None = None
        self._process: subprocess.Popen | None = None

    def _start(self) -> str:
        if self._address is None:
            import tempfile

            folder = tempfile.mkdtemp(prefix="regboot-zygote-")
            address = os.path.join(folder, "socket")
            ready_r, ready_w = os.pipe()
            self._process = subprocess.Popen(
                [sys.executable, "-c", "from tests.launcher import serve; serve()", address, str(ready_w)],
                pass_fds=(ready_w,),
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "guard"), str(ROOT)])},
            )
            os.close(ready_w)
            with os.fdopen(ready_r) as ready:
                if ready.read() != "ready":
                    raise RuntimeError("the regboot zygote did not start")
            self._address = address
            atexit.register(self.stop)
        return self._address

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(10)

    def spawn(self, argv: list[str], env: dict[str, str], *, hold: bool) -> Child:
        with self._lock:
            address = self._start()
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(address)
        ends = [os.pipe() for _ in range(3)]  # stdin, stdout, stderr: (read, write)
        theirs = [ends[0][0], ends[1][1], ends[2][1]]
        request = json.dumps({"argv": argv, "env": env, "cwd": os.getcwd(), "hold": hold}).encode()
        socket.send_fds(connection, [request], theirs)
        for fd in theirs:
            os.close(fd)
        pid = int(_line(connection))
        return Child(
            pid,
            connection,
            os.fdopen(ends[0][1], "w"),
            os.fdopen(ends[1][0], errors="replace"),
            os.fdopen(ends[2][0], errors="replace"),
        )


def _line(connection: socket.socket) -> str:
    """One line, read a byte at a time: what follows it (the exit status) stays in the socket for `wait`."""
    got = b""
    while not got.endswith(b"\n"):
        byte = connection.recv(1)
        if not byte:
            raise RuntimeError("the regboot zygote went away")
        got += byte
    return got.decode()


_zygote = Zygote()


def start(argv: list[str], env: dict[str, str], *, hold: bool = False) -> Child | subprocess.Popen:
    """`regboot argv` as a process of its own, with `env` as its whole environment. With `hold`, it reads one line
    from stdin before it starts, so a test can aim a signal at its pid first."""
    if os.environ.get("TEST_FORK", "1") == "0":
        # SIGINT back to Python's own handler: started from a background job, the tests inherit it ignored.
        launch = (
            "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
            + ("sys.stdin.readline(); " if hold else "")
            + "from bootstrap.cli import main; sys.argv[0] = 'regboot'; main()"
        )
        return subprocess.Popen(
            [sys.executable, "-c", launch, *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
    return _zygote.spawn(argv, env, hold=hold)


def run(argv: list[str], env: dict[str, str], input: str | None = None, timeout: float = 120) -> Ended:
    child = start(argv, env)
    out, err = child.communicate(input, timeout=timeout)
    return Ended(child.returncode if child.returncode is not None else child.wait(), out, err)


# --- the zygote's side ------------------------------------------------------------------------------------------


def serve() -> None:
    address, ready = sys.argv[1], int(sys.argv[2])
    import importlib

    for name in PRELOAD:
        with contextlib.suppress(ImportError):  # a provider gone or renamed: its children import it themselves
            importlib.import_module(name)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)
    os.write(ready, b"ready")
    os.close(ready)
    waiting: dict[int, socket.socket] = {}  # child pid -> the connection its status goes to
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "request")
    selector.register(wake_r, selectors.EVENT_READ, "child")
    parent = os.getppid()
    while os.getppid() == parent:  # the test worker gone (even killed): go too
        for key, _ in selector.select(timeout=2):
            if key.data == "child":
                os.read(wake_r, 4096)
            else:
                connection, _ = listener.accept()
                request, fds, _, _ = socket.recv_fds(connection, _MAX_REQUEST, 3)
                pid = os.fork()
                if pid == 0:
                    _child(json.loads(request), fds)
                for fd in fds:
                    os.close(fd)
                connection.sendall(f"{pid}\n".encode())
                waiting[pid] = connection
        while waiting:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            connection = waiting.pop(pid, None)
            if connection:
                connection.sendall(f"{status}\n".encode())
                connection.close()


def _child(request: dict, fds: list[int]) -> None:
    """In the fork: become `regboot argv` with the request's stdio, environment and working directory."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM):  # the zygote's own; SIGPIPE stays ignored, as Python has it
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        os.closerange(3, 1 << 16)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the process's own stdio, for its whole life
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        sys.argv = ["regboot", *request["argv"]]
        if request["hold"]:
            sys.stdin.readline()
        # A run that hangs prints where every thread of it is, and ends, before the test's own timeout (120 s)
        # kills the test and leaves nothing but "Timeout" to read.
        faulthandler.dump_traceback_later(HUNG, exit=True)
        from bootstrap.cli import main

        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        except KeyboardInterrupt:
            # as an interpreter does: die by the signal, so the parent sees what a user's shell would
            sys.stdout.flush()
            sys.stderr.flush()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)

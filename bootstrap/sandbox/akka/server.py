"""The stand-in akka as a sandbox runs it: the `akka` executable installed on its PATH, and the server, a thread of
the sandbox's process, that answers the executable's commands on a unix socket (one request, one answer per
connection, in wire.py's format; client.c and client.py have the other side)."""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
import threading
from pathlib import Path

from bootstrap.sandbox.akka import build, wire
from bootstrap.sandbox.akka.cli import Answer, RunLocally, run
from bootstrap.sandbox.akka.model import default_state

_ROOT = Path(__file__).resolve().parents[3]
_MAX_ADDRESS = 100  # sun_path holds 108 bytes on Linux, 104 on macOS


def install(
    bin_dir: Path,
    state_file: Path,
    *,
    project: str = "demo-project",
    state: dict | None = None,
    server: str | None = None,
) -> Path:
    """Write an executable `akka` into bin_dir that asks the server at `server` (or, without one, does the work
    itself), and a fresh state file unless one exists; return the executable's path. The executable is client.c
    compiled when a C compiler is found, with client.py beside it for what must run in Python; else client.py."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    exe = bin_dir / "akka"
    binary = build.compiled()
    script = _python_client((bin_dir / ".akka.py").absolute() if binary else exe, server)  # run from any cwd
    if binary:
        # one build serves every sandbox: this one's server and client.py ride at the end, where client.c reads them
        trailer = os.fsencode(server or "") + b"\0" + os.fsencode(script) + b"\0"
        _replace(exe, binary.read_bytes() + trailer + b"%08d" % len(trailer))
    if state is not None or not state_file.exists():
        state_file.write_text(json.dumps(state or default_state(project), indent=2))
    return exe


def _python_client(path: Path, server: str | None) -> Path:
    # -S: the suite starts thousands of these, and site's .pth processing costs about what a command does. What
    # site would have given is added by hand: this package's root and, from PYTHONPATH, the tests' socket guard.
    # The clock starts before the imports: what the stand-in records is all of its own time but the interpreter's
    # start (a few ms), which a Go binary pays too.
    _replace(
        path,
        (
            f"#!{sys.executable} -S\n"
            "import time\nbegan = time.time()\n"
            f"import sys\nsys.path.append({str(_ROOT)!r})\n"
            "try:\n    import sitecustomize  # noqa: F401  (the tests' loopback guard, when PYTHONPATH names it)\n"
            "except ImportError:\n    pass\n"
            "from bootstrap.sandbox.akka.client import main\n"
            f"raise SystemExit(main({server!r}, began))\n"
        ).encode(),
    )
    return path


def _replace(path: Path, content: bytes) -> None:
    """Written whole under another name, then moved into place: a command started meanwhile runs the old file or
    the new one, never half of one (and a running executable's file cannot be opened for writing)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    partial.write_bytes(content)
    partial.chmod(0o755)
    os.replace(partial, path)


def _answer(connection: socket.socket) -> None:
    """One command: its request read to the end, run against the state, the answer sent back."""
    with connection:
        request = b"".join(iter(lambda: connection.recv(65536), b""))
        try:
            args, env, caller, began = wire.read_request(request)
            answer = wire.answer(run(args, env, caller=caller, began=began, local=False))
        except RunLocally:
            answer = wire.LOCAL
        except Exception as error:  # a defect of the stand-in: say it where the test will see it
            answer = wire.answer(Answer(err=f"stand-in akka server: {error!r}\n", code=70))
        connection.sendall(wire.pack(answer))


class AkkaServer:
    """Serves the commands of the executables `install(server=...)` wrote, each in a thread of this process."""

    def __init__(self, near: Path) -> None:
        """The socket goes at `near`, or in a new temporary folder when that path is too long for one."""
        self._near = near
        self._folder: Path | None = None
        self.address = str(near)
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    def start(self) -> str:
        if len(str(self._near)) > _MAX_ADDRESS:
            self._folder = Path(tempfile.mkdtemp(prefix="regboot-akka-"))
            self.address = str(self._folder / "socket")
        Path(self.address).unlink(missing_ok=True)  # left by a sandbox process that was killed
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(self.address)
        self._listener.listen(64)
        self._thread = threading.Thread(target=self._serve, args=(self._listener,), name="akka-server", daemon=True)
        self._thread.start()
        return self.address

    def _serve(self, listener: socket.socket) -> None:
        while True:
            connection, _ = listener.accept()
            if self._stopping:
                connection.close()
                return
            threading.Thread(target=_answer, args=(connection,), name="akka-command", daemon=True).start()

    def stop(self) -> None:
        """At once: a connection of its own wakes the accepting thread, where a polling loop would be waited for."""
        if self._listener is None or self._thread is None:
            return
        self._stopping = True
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as wake:
            wake.connect(self.address)
        self._thread.join()
        self._listener.close()
        self._listener = None
        Path(self.address).unlink(missing_ok=True)
        if self._folder:
            self._folder.rmdir()

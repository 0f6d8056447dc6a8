"""The stand-in akka as a sandbox runs it: the `akka` executable installed on its PATH, and the server, a thread of
the sandbox's process, that answers the executable's commands on a unix socket (one request, one answer per
connection, in marshal's format; client.py has the other side)."""

from __future__ import annotations

import json
import marshal
import socket
import sys
import tempfile
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bootstrap.sandbox.akka.cli import RunLocally, run
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
    itself), and a fresh state file unless one exists; return the executable's path."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    exe = bin_dir / "akka"
    # -S: the suite starts thousands of these, and site's .pth processing costs about what a command does. What
    # site would have given is added by hand: this package's root and, from PYTHONPATH, the tests' socket guard.
    # The clock starts before the imports: what the stand-in records is all of its own time but the interpreter's
    # start (a few ms), which a Go binary pays too.
    exe.write_text(
        f"#!{sys.executable} -S\n"
        "import time\nbegan = time.time()\n"
        f"import sys\nsys.path.append({str(_ROOT)!r})\n"
        "try:\n    import sitecustomize  # noqa: F401  (the tests' loopback guard, when PYTHONPATH names it)\n"
        "except ImportError:\n    pass\n"
        "from bootstrap.sandbox.akka.client import main\n"
        f"raise SystemExit(main({server!r}, began))\n"
    )
    exe.chmod(0o755)
    if state is not None or not state_file.exists():
        state_file.write_text(json.dumps(state or default_state(project), indent=2))
    return exe


def _answer(connection: socket.socket) -> None:
    """One command: its request read to the end, run against the state, the answer sent back."""
    with connection:
        request = marshal.loads(b"".join(iter(lambda: connection.recv(65536), b"")))  # client.py, this interpreter
        try:
            done = run(request["argv"], request["env"], caller=request["caller"], began=request["began"], local=False)
            answer: dict[str, Any] = asdict(done)
        except RunLocally:
            answer = {"local": True}
        except Exception as error:  # a defect of the stand-in: say it where the test will see it
            answer = {"out": "", "err": f"stand-in akka server: {error!r}\n", "code": 70, "late": 0, "garbage": False}
        connection.sendall(marshal.dumps(answer))


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

"""The stand-in akka as a sandbox runs it: the `akka` executable installed on its PATH, and the server, a thread of
the sandbox's process, that answers the executable's commands on a unix socket (one request, one answer per
connection, in marshal's format; client.py has the other side)."""

from __future__ import annotations

import json
import marshal
import socketserver
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


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        request = marshal.loads(self.rfile.read())  # from client.py, run by this very interpreter
        try:
            done = run(request["argv"], request["env"], caller=request["caller"], began=request["began"], local=False)
            answer: dict[str, Any] = asdict(done)
        except RunLocally:
            answer = {"local": True}
        except Exception as error:  # a defect of the stand-in: say it where the test will see it
            answer = {"out": "", "err": f"stand-in akka server: {error!r}\n", "code": 70, "late": 0, "garbage": False}
        self.wfile.write(marshal.dumps(answer))


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class AkkaServer:
    """Serves the commands of the executables `install(server=...)` wrote, in threads of this process."""

    def __init__(self, near: Path) -> None:
        """The socket goes at `near`, or in a new temporary folder when that path is too long for one."""
        self._folder = None if len(str(near)) <= _MAX_ADDRESS else Path(tempfile.mkdtemp(prefix="regboot-akka-"))
        self.address = str(self._folder / "socket" if self._folder else near)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        Path(self.address).unlink(missing_ok=True)  # left by a sandbox process that was killed
        self._server = _Server(self.address, _Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="akka-server", daemon=True
        )
        self._thread.start()
        return self.address

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server = None
        Path(self.address).unlink(missing_ok=True)
        if self._folder:
            self._folder.rmdir()

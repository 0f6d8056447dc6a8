"""What each installed akka CLI calls things, learned once per binary and remembered across runs.

`akka docker --help` tells a CLI from before 3.0.4 (delete-credentials, no secret names) from a later one; asking
it on every run costs a process. The answer belongs to the binary, so it is kept in regboot's state directory keyed
by the binary's resolved path, size and modification time: an upgrade replaces the file, which changes the key.
The file holds those keys and a yes/no per binary, nothing secret; a missing or unreadable file is only a miss.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

FILE = "akka-dialects.json"
KEEP = 16  # binaries remembered; more than one machine ever has


def remembered(binary: str, state_dir: Path, learn: Callable[[], bool]) -> bool:
    """Whether `binary` is a modern CLI: remembered, or learned by `learn()` and then remembered."""
    key = _key(binary)
    path = state_dir / FILE
    known = _read(path)
    if key is not None and isinstance(known.get(key), bool):
        return bool(known[key])
    modern = learn()
    if key is not None:
        known = {k: v for k, v in list(known.items())[-(KEEP - 1) :] if k != key} | {key: modern}
        _write(path, known)
    return modern


def _key(binary: str) -> str | None:
    try:
        real = os.path.realpath(binary)
        stat = os.stat(real)
    except OSError:
        return None
    return f"{real}|{stat.st_size}|{stat.st_mtime_ns}"


def _read(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, known: dict[str, object]) -> None:
    """Written whole and renamed into place, so that a concurrent run reads the old file or the new one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{FILE}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(known))
        tmp.replace(path)
    except OSError:
        pass  # remembering is an optimisation: the next run asks the CLI again

"""The compiled `akka` executable (client.c): built once per source, compiler and defines, and cached per user.

pytest-xdist workers install sandboxes concurrently: each build is written under a name of its own and moved into
place, so a reader only ever finds a whole binary. No compiler, or a build that fails: None, and the sandbox uses
client.py alone, which does the same work at a Python start per command.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from bootstrap.sandbox.akka.client import LATENCY_ENV, NETWORK_ENV, RUN_HERE

SOURCE = Path(__file__).with_name("client.c")
# No -Werror: a warning a newer compiler adds must not turn the sandbox back to the slow client. The source is kept
# clean under `-Wall -Wextra -Werror` by hand.
FLAGS = ("-std=c99", "-O2", "-Wall")


def compiler() -> list[str] | None:
    """`CC` (a command, with any flags of its own) or `cc`, when it is found."""
    words = shlex.split(os.environ.get("CC") or "cc")
    found = shutil.which(words[0]) if words else None
    return [found, *words[1:]] if found else None


def defines() -> list[str]:
    """client.py's names, so that the two clients cannot disagree on them."""
    quoted = ",".join(f'"{name}"' for name in NETWORK_ENV)
    return [f"-DNETWORK_ENV={quoted}", f'-DLATENCY_ENV="{LATENCY_ENV}"', f'-DRUN_HERE="{RUN_HERE}"']


def cache_dir() -> Path:
    """The user's own cache: XDG_CACHE_HOME, else ~/.cache of the account, not of $HOME (each test has its own)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(pwd.getpwuid(os.getuid()).pw_dir, ".cache")
    return Path(base) / "registry-bootstrap" / "akka-client"


def compiled() -> Path | None:
    """The binary for this source, this compiler and these defines; built now if the cache lacks it."""
    cc = compiler()
    if cc is None:
        return None
    command = [*cc, *FLAGS, *defines()]
    tool = os.stat(cc[0])  # a compiler upgraded in place is another compiler
    key = hashlib.sha256(SOURCE.read_bytes())
    key.update(repr((command, tool.st_size, tool.st_mtime_ns)).encode())
    binary = cache_dir() / f"akka-{key.hexdigest()[:24]}"
    if binary.exists():
        return binary
    try:
        binary.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=binary.parent, prefix=".build-")
        os.close(handle)
        try:
            subprocess.run([*command, "-o", partial, str(SOURCE)], check=True, capture_output=True, timeout=120)
            os.chmod(partial, 0o755)  # mkstemp's 0600, should the linker have written into it rather than anew
            os.replace(partial, binary)
        finally:
            Path(partial).unlink(missing_ok=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return binary

"""The socket guard is lifted only for live tests that run: the sandbox worlds keep it on."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import loopback
import pytest


@pytest.mark.parametrize("world", ["sandbox"], indirect=True)
def test_sandbox_scenarios_keep_the_socket_guard_on(world):
    with pytest.raises(loopback.NonLoopbackConnection):
        socket.create_connection(("192.0.2.1", 9), timeout=1)  # TEST-NET-1: never routed anywhere
    # recorded as the guard records every attempt; forgotten here so `isolated` does not fail this test for it
    assert loopback.blocked.pop() == "192.0.2.1:9"
    Path(os.environ["REGBOOT_GUARD_LOG"]).unlink()


@pytest.mark.parametrize("first", ["socket", "loopback", "http.client"])
def test_a_child_process_is_guarded_whatever_it_imports_first(tmp_path, first):
    # The guard goes on as a child first imports socket (tests/guard/sitecustomize.py), whoever imports it.
    attempt = (
        f"import {first}\nimport socket\n"
        "try:\n    socket.create_connection(('192.0.2.1', 9), timeout=1)\n"
        "except OSError as error:\n    print(type(error).__name__)\n"
    )
    log = tmp_path / "child-guard.log"
    done = subprocess.run(
        [sys.executable, "-c", attempt],
        capture_output=True,
        text=True,
        env={**os.environ, "REGBOOT_GUARD_LOG": str(log)},
    )
    assert done.stdout.strip() == "NonLoopbackConnection", done.stderr
    assert log.read_text().split()[1:] == ["192.0.2.1:9"]

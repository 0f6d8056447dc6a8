"""The socket guard is lifted only for live tests that run: the sandbox worlds keep it on."""

from __future__ import annotations

import os
import socket
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

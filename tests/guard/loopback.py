"""The socket guard: any connection outside loopback fails, and is recorded so a swallowed failure still fails
the test. Installed in the test process by conftest and in every child Python process by sitecustomize."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: sitecustomize installs this guard as a child first imports socket
    import socket

_ALLOWED_NAMES = {"localhost", "ip6-localhost"}
blocked: list[str] = []
_lifted = False


class NonLoopbackConnection(OSError):
    pass


@contextmanager
def lifted() -> Iterator[None]:
    """Let this process reach beyond loopback: only for a test marked `live`, only while it runs."""
    global _lifted
    _lifted = True
    try:
        yield
    finally:
        _lifted = False


def _check(sock: socket.socket, address: object) -> None:
    import socket

    if _lifted:
        return
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
        return
    host = str(address[0]).split("%")[0]
    if host in _ALLOWED_NAMES:
        return
    import ipaddress  # here, not at the top: every child process loads this guard, few connect anywhere

    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    target = f"{host}:{address[1]}"
    blocked.append(target)
    log = os.environ.get("REGBOOT_GUARD_LOG")
    if log:
        with open(log, "a") as f:
            f.write(f"{os.getpid()} {target}\n")
    raise NonLoopbackConnection(f"socket guard: connection to {target} is outside loopback")


def install() -> None:
    import socket

    if getattr(socket.socket, "_regboot_guarded", False):
        return
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: object) -> None:
        _check(self, address)
        return connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        _check(self, address)
        return connect_ex(self, address)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]
    socket.socket._regboot_guarded = True  # type: ignore[attr-defined]

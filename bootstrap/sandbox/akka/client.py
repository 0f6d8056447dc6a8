"""The `akka` executable in Python: hands its command to the sandbox's akka server and prints the answer, as a process.

regboot runs it as it runs the real CLI: a process with its own argv, environment, stdio and exit status, which a
timeout kills and which can signal its parent. Only the platform's work moves to the server (server.py): a
Python start with the model's imports cost more than the command, and the suite runs thousands. So this module
imports almost nothing. The faults that hang or signal the process itself, and a missing server, make it run the
command here instead (cli.py), with the same state file.

Where a C compiler is found, the executable is client.c, which does the same at a Go binary's cost and hands
those cases to this script by execv (RUN_HERE says when it already knows the command must run here).
"""

from __future__ import annotations

import _socket  # not socket: its enum and selectors imports would double what this process costs
import os
import sys
import time

from bootstrap.sandbox.akka import wire

# What the real CLI, a Go program, reads to reach the platform through a corporate network: net/http's
# ProxyFromEnvironment takes HTTP_PROXY, HTTPS_PROXY and NO_PROXY "or the lowercase versions thereof", and
# crypto/x509 loads extra roots from SSL_CERT_FILE / SSL_CERT_DIR on Linux (pkg.go.dev/net/http#ProxyFromEnvironment,
# pkg.go.dev/crypto/x509#SystemCertPool). Each call records them, so a test can see what akka was handed.
NETWORK_ENV = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "SSL_CERT_FILE")
LATENCY_ENV = "REGBOOT_SANDBOX_LATENCY_MS"  # bootstrap/sandbox/latency.py, imported only when it is set
RUN_HERE = "AKKA_SANDBOX_RUN_HERE"  # set by client.c to when it began, when the command must run in this process


def main(address: str | None, began: float) -> int:
    args = sys.argv[1:]
    here = os.environ.pop(RUN_HERE, None)
    answer = None
    if here is not None:
        began = float(here)
    else:
        if os.environ.get(LATENCY_ENV) and reaches_platform(args):
            from bootstrap.sandbox import latency

            latency.travel()  # the platform's round trip, before the state lock
        answer = _ask(address, wire.request(args, handed(os.environ), os.getppid(), began))
    if answer is None:
        from bootstrap.sandbox.akka.cli import run

        answer = wire.answer(run(args, os.environ, caller=os.getppid(), began=began, local=True))
    return show(answer)


def handed(environ: dict[str, str] | os._Environ[str]) -> dict[str, str]:
    """What of its environment the command hands over: akka's own variables, HOME (the default state), the network
    settings, and the names of regboot's variables (their values, a password among them, stay here)."""
    wanted = {"HOME", *NETWORK_ENV}
    return {
        name: "" if name.startswith("REGBOOT_") else value
        for name, value in environ.items()
        if name in wanted or name.startswith(("AKKA_", "REGBOOT_"))
    }


def _ask(address: str | None, request: bytes) -> list[bytes] | None:
    """The server's answer (wire.py); None when there is no server, or the command must run in this process."""
    if address is None:
        return None
    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        connection.connect(address)
    except (FileNotFoundError, ConnectionRefusedError):  # the sandbox that installed this has stopped
        return None
    connection.sendall(request)
    connection.shutdown(_socket.SHUT_WR)
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    connection.close()
    answer = wire.unpack(b"".join(chunks))
    return None if answer == wire.LOCAL else answer


def show(answer: list[bytes]) -> int:
    """Print the answer as the command's own output, after any hang a fault asks for once the work is done."""
    _, code, late, out, err, garbage = answer
    time.sleep(float(late))  # saved and unlocked: what a caller that gives up now misses is only the answer
    sys.stdout.buffer.write(out)  # bytes, as client.c and a Go program print them
    sys.stderr.buffer.write(err)
    sys.stdout.buffer.write(garbage)
    return int(code)


def reaches_platform(args: list[str]) -> bool:
    """Whether the real CLI would ask the platform: not for help, its version, or its own configuration ("stored
    in a file on your local system, by default at .akka/config.yaml", https://doc.akka.io/reference/cli/akka-cli/
    akka_config.html)."""
    words = [a for a in args if not a.startswith("-")]
    return bool(words) and words[0] not in ("config", "version", "help") and not {"--help", "-h"} & set(args)

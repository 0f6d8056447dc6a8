"""A stand-in `az` for the sandbox: `account get-access-token` and `account show`, answered by the Azure emulator.

azure-identity's AzureCliCredential runs `az account get-access-token --output json --resource R [--tenant T]
[--subscription S]` and parses what it prints; this prints the same keys (accessToken, expiresOn, expires_on,
subscription, tenant, tokenType) for a token the emulator minted for R. The emulator is found through
REGBOOT_SANDBOX_AZURE_CONTROL (its ARM URL), which the launcher from `AzureEmulator.install_az` sets. Errors go to
stderr as `ERROR: ...` with exit status 1, like the real CLI, except a login endpoint it cannot reach, which the real
CLI reports as an unexpected error with requests' message and a traceback; commands it does not emulate exit 2.

It imports only the standard library: the launcher runs this file as a script (`python -S -P`), so each token costs
one bare interpreter start (azure-identity runs `az` once per token, and msgraph asks for a token on every request).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import sys
from urllib.parse import urlencode, urlsplit

CONTROL_ENV = "REGBOOT_SANDBOX_AZURE_CONTROL"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="az", description="regboot sandbox stand-in for the Azure CLI")
    groups = parser.add_subparsers(dest="group", required=True)
    account = groups.add_parser("account").add_subparsers(dest="command", required=True)
    token = account.add_parser("get-access-token")
    which = token.add_mutually_exclusive_group()
    which.add_argument("--resource")
    which.add_argument("--scope", nargs="+")
    show = account.add_parser("show")
    for command in (token, show):
        command.add_argument("--output", "-o", default="json", choices=["json"])
        command.add_argument("--subscription")
    token.add_argument("--tenant", "-t")
    return parser


def _ask(what: str, query: dict[str, str]) -> dict:
    base = urlsplit(os.environ.get(CONTROL_ENV, ""))
    if base.scheme != "http" or base.hostname not in _LOOPBACK:
        raise RuntimeError(
            f"regboot sandbox az: {CONTROL_ENV} must name the emulator on loopback, not {base.geturl()!r}; "
            "run the launcher that AzureEmulator.install_az writes"
        )
    try:
        status, answer = _get(
            base.hostname, base.port or 80, f"/_sandbox/{what}?{urlencode({k: v for k, v in query.items() if v})}"
        )
        body = json.loads(answer or b"{}")
    except OSError as err:
        raise RuntimeError(
            f"regboot sandbox az: the Azure emulator at {base.geturl()} does not answer: {err}"
        ) from None
    if status != 200:
        error = body.get("error", {})
        if error.get("code") == "NetworkError":
            raise _Unexpected(error["message"])
        raise RuntimeError(error.get("message", f"HTTP {status}"))
    return body


def _get(host: str, port: int, target: str) -> tuple[int, bytes]:
    """One GET in HTTP/1.0, after whose answer the server closes the connection. Not http.client: it loads ssl and
    email, which cost more than all the rest of this process; not urllib: it consults proxy settings, and the
    emulator is on loopback."""
    with socket.create_connection((host, port), timeout=10) as connection:
        name = f"[{host}]" if ":" in host else host
        connection.sendall(f"GET {target} HTTP/1.0\r\nHost: {name}:{port}\r\n\r\n".encode())
        data = b"".join(iter(lambda: connection.recv(65536), b""))
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(None, 2)[1]), body


class _Unexpected(RuntimeError):
    """An error az does not expect (a network failure): printed with its traceback, not as `ERROR: ...`."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "show":
            result = _ask("account", {"subscription": args.subscription})
        else:
            resource = args.resource
            if args.scope:
                if len(args.scope) != 1:
                    raise RuntimeError("regboot sandbox az: exactly one --scope is supported")
                resource = args.scope[0].removesuffix("/.default")
            result = _ask(
                "token",
                {
                    "resource": resource or "https://management.core.windows.net/",
                    "tenant": args.tenant,
                    "subscription": args.subscription,
                },
            )
    except _Unexpected as err:
        print(
            f"The command failed with an unexpected error. Here is the traceback:\n{err}\n"
            'Traceback (most recent call last):\n  File "/opt/az/lib/python3.11/site-packages/knack/cli.py", '
            f"line 233, in invoke\nrequests.exceptions.ConnectionError: {err}",
            file=sys.stderr,
        )
        return 1
    except RuntimeError as err:
        print(f"ERROR: {err}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    # The launcher runs this with -S (site's .pth files cost what the rest does): the tests' guard, if any, by hand.
    with contextlib.suppress(ImportError):
        import sitecustomize  # noqa: F401
    sys.exit(main())

"""Telling a host that cannot be reached at all (its name does not resolve, the connection is refused, TLS fails)
from a call that may yet succeed: only the second is worth waiting for."""

from __future__ import annotations

import re

NETWORK_FIX = "Check the network, DNS, proxy (HTTPS_PROXY, NO_PROXY) and CA bundle for that host, then run again."

_DNS = re.compile(r"name resolution|Name or service not known|Failed to resolve|nodename nor servname|getaddrinfo")
_REFUSED = re.compile(r"Connection refused|actively refused")
_TLS = re.compile(r"SSLError|SSL:|CERTIFICATE_VERIFY_FAILED|certificate verify failed")


def unreachable(exc: BaseException) -> str | None:
    """Why a host could not be reached at all, if that is what `exc` says: its name does not resolve, the
    connection is refused, or TLS fails. None for anything else (a reset or a timeout mid-call may pass)."""
    import socket
    import ssl

    chain = _causes(exc)
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "the name does not resolve"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "the connection was refused"
    tls = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
    if tls is not None:
        return f"TLS failed ({first_line(tls)})"
    from azure.core.exceptions import ClientAuthenticationError

    text = str(exc) if isinstance(exc, ClientAuthenticationError) else ""  # az's output, passed on as text
    if _DNS.search(text):
        return "the name does not resolve"
    if _REFUSED.search(text):
        return "the connection was refused"
    if _TLS.search(text):
        return "TLS failed (" + (re.findall(r"\[SSL: [^\]]+\][^'(]*", text) or ["see --debug"])[0].strip() + ")"
    return None


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception it wraps: causes, contexts, azure-core's inner_exception, urllib3's reason."""
    seen: list[BaseException] = []
    todo: list[object] = [exc]
    while todo:
        e = todo.pop()
        if not isinstance(e, BaseException) or any(e is s for s in seen):
            continue
        seen.append(e)
        todo += [e.__cause__, e.__context__, getattr(e, "inner_exception", None), getattr(e, "reason", None), *e.args]
    return seen


def first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0][:300]

"""Telling a host that cannot be reached at all (its name does not resolve, the connection is refused, TLS fails)
from a call that may yet succeed: only the second is worth waiting for."""

from __future__ import annotations

import re

from bootstrap.api import network

NETWORK_FIX = "Check the network, DNS, proxy (HTTPS_PROXY, NO_PROXY) and CA bundle for that host, then run again."

_DNS = re.compile(r"name resolution|Name or service not known|Failed to resolve|nodename nor servname|getaddrinfo")
_REFUSED = re.compile(r"Connection refused|actively refused")
_TLS = re.compile(r"SSLError|SSL:|CERTIFICATE_VERIFY_FAILED|certificate verify failed")


def unreachable(exc: BaseException) -> str | None:
    """Why a host could not be reached at all, if that is what `exc` says (see bootstrap.network.unreachable), also
    when the stand-in for the SDK's transport is az's own printed text."""
    from azure.core.exceptions import ClientAuthenticationError

    if cause := network.unreachable(exc):
        return cause
    text = str(exc) if isinstance(exc, ClientAuthenticationError) else ""  # az's output, passed on as text
    if _DNS.search(text):
        return "the name does not resolve"
    if _REFUSED.search(text):
        return "the connection was refused"
    if _TLS.search(text):
        return (
            "the TLS handshake failed ("
            + (re.findall(r"\[SSL: [^\]]+\][^'(]*", text) or ["see --debug"])[0].strip()
            + ")"
        )
    return None


def first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0][:300]

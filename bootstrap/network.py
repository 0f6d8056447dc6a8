"""Corporate networks: the proxy and CA bundle a user sets, in whichever usual spelling, reach every client.

The clients disagree on what they read. gRPC's C core (Google IAM) reads only the lower-case `https_proxy`,
`http_proxy` and `no_proxy`, and takes its roots from `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH` alone
(github.com/grpc/grpc doc/environment_variables.md); requests (google-auth, the Google REST clients, azure-core)
reads `REQUESTS_CA_BUNDLE`, not `SSL_CERT_FILE`; httpx (Microsoft Graph, the registry check) reads `SSL_CERT_FILE`,
not `REQUESTS_CA_BUNDLE`. So each setting given is copied to the spellings left unset, in this process's environment,
which every client and the akka CLI read.
"""

from __future__ import annotations

from collections.abc import MutableMapping

PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY")
CA_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH")


def share(env: MutableMapping[str, str]) -> None:
    """Fill the unset spellings of each proxy and CA bundle setting from the one the user gave."""
    for upper in PROXY_VARIABLES:
        if env.get(upper) and not env.get(upper.lower()):
            env[upper.lower()] = env[upper]
    bundle = next((env[name] for name in CA_VARIABLES if env.get(name)), None)
    if bundle:
        for name in CA_VARIABLES:
            if not env.get(name):
                env[name] = bundle


def causes(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception it wraps: causes, contexts, and where the SDKs keep theirs (azure-core's
    `inner_exception`, urllib3's `reason`, and args)."""
    seen: list[BaseException] = []
    todo: list[object] = [exc]
    while todo:
        link = todo.pop()
        if not isinstance(link, BaseException) or any(link is s for s in seen):
            continue
        seen.append(link)
        todo += [link.__cause__, link.__context__, getattr(link, "inner_exception", None)]
        todo += [getattr(link, "reason", None), *link.args]
    return seen


def unreachable(exc: BaseException) -> str | None:
    """Why a host could not be reached at all, when that is what `exc` wraps: its name does not resolve, the
    connection is refused, or TLS fails; no retry mends those. None for anything else (a reset or a timeout mid-call
    may pass)."""
    import socket  # here: every run imports this module, and a static provider's never needs these two
    import ssl

    chain = causes(exc)
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "the name does not resolve"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "the connection was refused"
    tls = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
    if tls is not None:
        return f"the TLS handshake failed ({tls.reason or (str(tls).strip().splitlines() or ['?'])[0][:300]})"
    return None

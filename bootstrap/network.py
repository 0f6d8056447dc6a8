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

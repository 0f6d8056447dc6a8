"""The one error the Azure model raises; ARM and Graph each render it in their own shape."""

from __future__ import annotations

from bootstrap.sandbox.http import HttpError


class CloudError(HttpError):
    """A refusal in the cloud's own terms: HTTP status, error code, message (an HttpError, so a handler need not
    translate it: the emulator's `error_body` gives it ARM's or Graph's shape)."""

    def __init__(self, status: int, code: str, message: str, *, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(status, message, code=code, details=details)


# ARM's longer refusals, word for word as the real service words them (clients match on code, people read the text).


def principal_not_found(principal_id: str, tenant: str) -> CloudError:
    return CloudError(
        400,
        "PrincipalNotFound",
        f"Principal {principal_id.replace('-', '')} does not exist in the directory {tenant}. Check that you have the "
        "correct principal ID. If you are creating this principal and then immediately assigning a role, this error "
        "might be related to a replication delay. In this case, set the role assignment principalType property to a "
        "value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype",
    )


def unmatched_principal_type(principal_id: str, actual: str, given: str) -> CloudError:
    return CloudError(
        400,
        "UnmatchedPrincipalType",
        f"The PrincipalId '{principal_id.replace('-', '')}' has type '{actual}' , which is different from specified "
        f"PrincipalType '{given}'.",
    )


def role_assignment_exists(existing_name: str) -> CloudError:
    return CloudError(
        409,
        "RoleAssignmentExists",
        f"The role assignment already exists. The ID of the existing role assignment is "
        f"{existing_name.replace('-', '')}.",
    )


def authorization_failed(upn: str, object_id: str, action: str, scope: str) -> CloudError:
    return CloudError(
        403,
        "AuthorizationFailed",
        f"The client '{upn}' with object id '{object_id}' does not have authorization to perform action '{action}' "
        f"over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your "
        "credentials.",
    )


def missing_subscription_registration(namespace: str) -> CloudError:
    """409 with the namespace both in the message and as `details[].target`, as ARM answers it (issue threads
    quoting the body: Azure/azure-service-operator#2513, microsoft/microsoft-foundry-for-vscode#270; the fix is in
    https://learn.microsoft.com/azure/azure-resource-manager/templates/error-register-resource-provider)."""
    message = (
        f"The subscription is not registered to use namespace '{namespace}'. "
        "See https://aka.ms/rps-not-found for how to register subscriptions."
    )
    detail = {"code": "MissingSubscriptionRegistration", "target": namespace, "message": message}
    return CloudError(409, "MissingSubscriptionRegistration", message, details=[detail])


LOGIN_HOST = "login.microsoftonline.com"
_NETWORK_CAUSES = {
    "dns": "NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f6bd8e06ce0>: Failed to establish a "
    "new connection: [Errno -3] Temporary failure in name resolution')",
    "refused": "NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f6bd8e06ce0>: Failed to "
    "establish a new connection: [Errno 111] Connection refused')",
    "tls": "SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
    "self-signed certificate in certificate chain (_ssl.c:1006)'))",
}


def login_unreachable(kind: str) -> CloudError:
    """What `az` says when it cannot reach Entra's token endpoint: requests' error for the connection, first line of
    "The command failed with an unexpected error" (as quoted in Azure/azure-cli#24841 and #21514)."""
    if kind not in _NETWORK_CAUSES:
        raise ValueError(f"login_unreachable: one of {sorted(_NETWORK_CAUSES)}, not {kind!r}")
    return CloudError(
        503,
        "NetworkError",
        f"HTTPSConnectionPool(host='{LOGIN_HOST}', port=443): Max retries exceeded with url: "
        f"/organizations/oauth2/v2.0/token (Caused by {_NETWORK_CAUSES[kind]})",
    )

"""The one error the Azure model raises; ARM and Graph each render it in their own shape."""

from __future__ import annotations

from bootstrap.sandbox.http import HttpError


class CloudError(HttpError):
    """A refusal in the cloud's own terms: HTTP status, error code, message (an HttpError, so a handler need not
    translate it: the emulator's `error_body` gives it ARM's or Graph's shape)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, message, code=code)


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

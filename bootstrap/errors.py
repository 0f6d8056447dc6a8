"""Domain errors. Each carries a stable code, an exit status and a message that says what to do.

The CLI catches `RegbootError` once, at the top, and renders it; anything else is a bug and shows a traceback
only with --debug. Never format a secret into a message: `Secret` renders as *** anyway.
"""

from __future__ import annotations


class RegbootError(Exception):
    """Something failed: `message` says what and on which resource, `fix` what to do about it."""

    code = "failed"
    exit_status = 1

    def __init__(self, message: str, *, fix: str = "", code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        if code:
            self.code = code

    def __str__(self) -> str:
        return f"{self.message}\n{self.fix}" if self.fix else self.message


class UsageError(RegbootError):
    """Bad usage or input; nothing was touched."""

    code = "usage"
    exit_status = 2


class PreconditionError(RegbootError):
    """Not logged in, missing permission, an org policy: the user or an admin must act first."""

    code = "precondition"
    exit_status = 3


class OperationError(RegbootError):
    """A step failed while running (a cloud or the platform said no, a timeout)."""

    code = "failed"
    exit_status = 1


class VerificationError(OperationError):
    """A credential did not work against its registry."""

    code = "verification_failed"


class Interrupted(RegbootError):
    """Ctrl-C or SIGTERM: whatever this run made was rolled back."""

    code = "interrupted"
    exit_status = 130

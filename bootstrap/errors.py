"""Domain errors. Each carries a stable code, an exit status and a message that says what to do.

The CLI catches `RegbootError` once, at the top, and renders it; anything else is a bug and shows a traceback
only with --debug. Never format a secret into a message: `Secret` renders as *** anyway.
"""

from __future__ import annotations

from typing import Any

from bootstrap import interrupts


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
        self.data: dict[str, Any] = {}  # what a failed run still reports in the JSON envelope's `data`

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


class StillPropagating(VerificationError):
    """A new credential the registry still refused when the wait ran out: it may only need more time, as new keys,
    passwords and grants take minutes to reach a registry."""

    code = "verification_timeout"


class Interrupted(RegbootError):
    """A stop signal (Ctrl-C, SIGTERM, SIGHUP) ended the run; the message says what was rolled back."""

    code = "interrupted"
    exit_status = 130

    def __init__(self, message: str, *, fix: str = "") -> None:
        super().__init__(message, fix=fix)
        self.exit_status = interrupts.exit_status()  # 130, 143 or 129, as the signal was

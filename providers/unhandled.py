"""How a cloud's error that no step handled reads, for every cloud alike: what was refused, and what to do."""

from __future__ import annotations

from bootstrap import api


def unhandled(
    cloud: str, what: str, reason: str, *, denied: bool, answer: str, denied_fix: str, status_page: str
) -> api.RegbootError:
    """One line on `what`: a refusal (`denied`) is a missing permission, and `denied_fix` names the roles to check;
    any other `answer` (its status and code) failed the operation, and trying again is the fix."""
    reason = reason[:300]
    if denied:
        return api.PreconditionError(f"{cloud} refused {what}: {reason}", fix=denied_fix, code="missing_permission")
    return api.OperationError(
        f"{cloud} answered {answer} for {what}: {reason}",
        fix=f"Run the same command again; if it keeps failing, check the {status_page} status page.",
        code="cloud_error",
    )

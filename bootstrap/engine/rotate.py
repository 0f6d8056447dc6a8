"""rotate: a new credential for an existing identity; the old one works until the platform holds the new one."""

from __future__ import annotations

from bootstrap.engine import Context, Request
from bootstrap.engine.onboard import onboard
from bootstrap.errors import UsageError
from bootstrap.plugins import registry
from bootstrap.result import Result


def rotate(request: Request, ctx: Context) -> Result:
    if not registry().provider(request.provider).rotates:
        raise UsageError(
            f"{request.provider} credentials belong to you, regboot cannot rotate them",
            fix=f"Run `regboot onboard {request.provider} --update` with the new password.",
        )
    # Rotation is onboarding that always mints: same identity, grant and platform entry, a fresh secret, and
    # the identity's other credentials retired once the platform holds the new one.
    return onboard(request, ctx, command="rotate")

"""rotate: a new credential for an existing identity; the old one works until the platform holds the new one."""

from __future__ import annotations

from bootstrap.engine import Context, Request
from bootstrap.engine.onboard import onboard
from bootstrap.result import Result


def rotate(request: Request, ctx: Context) -> Result:
    # Rotation is onboarding that always mints (or, for a password the user holds, always sends the one handed in):
    # same identity, grant and platform entry, a fresh secret verified first, and the identity's other credentials
    # retired once the platform holds the new one.
    return onboard(request, ctx, command="rotate")

"""rotate and offboard by --secret-name alone: the provider and its options, read from the platform's entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bootstrap.credentials import Secret
from bootstrap.engine import Context, Request
from bootstrap.engine.offboard import offboard
from bootstrap.engine.rotate import rotate
from bootstrap.errors import PreconditionError
from bootstrap.platforms import PlatformEntry
from bootstrap.plugins import registry
from bootstrap.result import Result


def rotate_named(request: Request, ctx: Context, password: Callable[[], Secret]) -> Result:
    """`password` is asked for only when the entry turns out to hold a password the user holds (dockerhub, private)."""
    request, entry = _resolve(request, ctx, "rotate")
    if entry is None:
        raise PreconditionError(
            f"no credential named {request.consumer.secret_name} on the platform",
            fix="Check the name with `regboot status`, or onboard it first.",
            code="unknown_secret",
        )
    if request.provider is not None and request.provider.takes_password and not request.dry_run:
        request = replace(request, password=password())
    return rotate(request, ctx)


def offboard_named(request: Request, ctx: Context) -> Result:
    request, entry = _resolve(request, ctx, "offboard")
    if entry is not None:
        return offboard(request, ctx)
    name = request.consumer.secret_name
    return Result(
        "offboard",
        f"already gone: the platform holds no credential named {name}",
        data={"consumer": request.consumer.public(), "changed": False},
        warnings=[
            f"without its platform entry regboot cannot tell which identity {name} used; if one remains, run "
            "`regboot offboard <provider>` with the options it was onboarded with"
        ],
    )


def _resolve(request: Request, ctx: Context, command: str) -> tuple[Request, PlatformEntry | None]:
    """The request with the provider and options the consumer's platform entry names, and that entry (None when
    the platform holds nothing under that name: the request comes back unchanged)."""
    platform = ctx.platform(request.consumer)
    consumer = platform.preflight()
    entry = platform.find()
    if entry is None:
        return replace(request, consumer=consumer), None
    cls = registry().claimant(entry)
    if cls is None:
        raise PreconditionError(
            f"no installed provider knows {entry.server}, held by {entry.name} in Akka project {consumer.project}",
            fix="Install the provider plugin for that registry (see `regboot plugins`).",
            code="unknown_provider",
        )
    return replace(request, provider=cls, target=cls.check(cls.options_for(entry, command=command))), entry

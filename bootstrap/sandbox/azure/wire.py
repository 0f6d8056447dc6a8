"""What the ARM and Graph wire layers share: reading the fault a request carries."""

from __future__ import annotations

from bootstrap.sandbox.http import HttpError, Request


def lagging(request: Request) -> bool:
    """A `not_visible` fault: this call sees a replica that has not caught up yet."""
    return request.fault is not None and request.fault.kind == "not_visible"


def racing(request: Request) -> bool:
    """A `conflict` fault: a concurrent writer got there just before this call."""
    return request.fault is not None and request.fault.kind == "conflict"


def refuse_unmodelled_race(request: Request, operation: str, racy: set[str]) -> None:
    """Where the model has no notion of a race, a `conflict` fault is a plain 409."""
    if racing(request) and operation not in racy:
        raise HttpError(409, request.fault.message, code="Conflict")  # type: ignore[union-attr]

"""Taking the steps a provider describes: each change made and its undo journalled, each removal tried, each retired
credential recorded. The plan of a dry run comes from the same objects (bootstrap.steps)."""

from __future__ import annotations

from typing import Any

from bootstrap.journal import Journal
from bootstrap.parallel import made_together
from bootstrap.provider import Held, Run
from bootstrap.result import Step
from bootstrap.steps import Change, Removal, Removals, Retirement, Taken
from bootstrap.waiting import Retry, poll


def take(change: Change, value: Any, journal: Journal, run: Run, *, secret: bool = False) -> Any:
    """Take one change from the previous step's value; return the value the next step gets. The call that makes
    something and the push of its undo happen together: a Ctrl-C meanwhile lands after both. `secret`: what it
    makes holds a secret (see `Journal.keep_secretless`)."""
    taken = _made(change, value, journal, secret=secret)
    if taken.done is not None:
        _record(run, taken.done)
    return taken.value


def take_beside(changes: list[Change], mint: Change, value: Any, journal: Journal, run: Run) -> tuple[Any, Any]:
    """Take `changes` one after another from `value`, and meanwhile `mint` from `value`, which needs none of them:
    (the last change's value, the mint's). Both are waited for, a Ctrl-C included, so that every undo is on the
    journal before anything is rolled back; what they did is recorded in plan order, failed or not."""
    if not changes:
        return value, take(mint, value, journal, run, secret=True)
    done: list[Taken] = []
    minted: list[Taken] = []

    def chain() -> None:
        now = value
        for change in changes:
            done.append(_made(change, now, journal))
            now = done[-1].value

    def mint_() -> None:
        minted.append(_made(mint, value, journal, secret=True))

    try:
        made_together(chain, mint_)
    finally:
        for taken in (*done, *minted):
            if taken.done is not None:
                _record(run, taken.done)
    return done[-1].value, minted[0].value


def _made(change: Change, value: Any, journal: Journal, *, secret: bool = False) -> Taken:
    with journal.creating():
        taken = change.take(value)
        if taken.undo is not None:
            journal.push(taken.undo.what, taken.undo.call, secret=secret)
    return taken


def remove_all(removals: Removals, run: Run) -> list[str]:
    """Try every removal, record each one done, and return precisely what stays. The identity (None: keep it) goes
    last and only when nothing attached to it stayed: a key or grant left on a deleted identity could no longer be
    found by its name, so it is kept for the next offboard to finish."""
    left = [stays for stays in (_try(r, run) for r in removals.attached) if stays]
    identity = removals.identity
    if identity is None:
        return left
    if left:
        return [*left, f"{identity.what} (kept, so that running offboard again can finish)"]
    stays = _try(identity, run)
    return [stays] if stays else []


def _try(removal: Removal, run: Run) -> str | None:
    try:
        done = removal.action()
    except Exception as err:  # keep going: report precisely what stays
        return f"{removal.what} ({getattr(err, 'message', err)})"
    if done is not False:
        _record(run, removal.done)
    return None


def retire_all(retirement: Retirement, keep: Held, run: Run) -> list[Held]:
    """Retire every credential the identity holds but `keep`, and list again until none is left: a replica behind
    answers a delete with 404 as if the thing were gone, so only a fresh listing is believed."""
    retired: dict[str, Held] = {}
    kind = retirement.kind

    def others() -> list[Held]:
        return [h for h in retirement.held() if h.id != keep.id]

    def sweep() -> None:
        for held in others():
            retirement.retire(held)
            if held.id not in retired:
                retired[held.id] = held
                run.record("retired", kind, held.id, f"of {retirement.of}")
        if others():
            raise _Lingering

    poll(
        sweep,
        what=f"the other {kind}s of {retirement.of} to be gone",
        not_yet=lambda exc: Retry(f"a retired {kind} is still listed") if isinstance(exc, _Lingering) else None,
        ui=run.ui,
        patience=retirement.patience,
        clock=run.settings.clock,
    )
    return list(retired.values())


def _record(run: Run, step: Step) -> None:
    run.record(step.verb, step.what, step.name, step.detail)


class _Lingering(Exception):
    """Something regboot retired is still listed."""

"""Independent calls at once: the cloud's side of a run and the platform's, or a cloud's several preflight reads,
which each wait on a service (`together`: doing every read costs nothing when one fails); or steps that each make
something and need nothing of each other, as a credential and the grant of its identity (`made_together`)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from bootstrap import interrupts

A = TypeVar("A")
B = TypeVar("B")


def together(*calls: Callable[[], Any], here: int = 0) -> list[Any]:
    """Run `calls` at once (`calls[here]` in this thread, each other one in a thread of its own); their results in
    order.

    Failures are reported as if the calls had run one after the other in the order given: the error raised is the
    one of the first call that failed, whichever happened to finish first, so a run says the same thing every time.
    Every call has ended before this returns or raises, unless this thread is interrupted (KeyboardInterrupt,
    SystemExit): that leaves at once, and the other threads, daemons, finish their reads on their own. Ctrl-C lands
    in this thread, so `here` is the call whose clients must not be busy in another thread when the run stops."""
    return _at_once(calls, here)


def made_together(*calls: Callable[[], Any]) -> list[Any]:
    """Run `calls` that each make something at once, each in a thread of its own; their results in order, or the
    first error in that order. Unlike `together`, every call is waited for, even when a stop signal comes: each one
    must have pushed its undo before anything is rolled back. So a stop signal is held meanwhile
    (`interrupts.deferred`); each call honours it at its next pause between attempts (nothing is half-made there)
    and passes it on to the others' next pause, and it is raised once every call has ended."""

    def passing_on(call: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            try:
                return call()
            except KeyboardInterrupt:
                interrupts.pass_on()
                raise

        return run

    with interrupts.deferred():
        return _at_once([passing_on(call) for call in calls], None)


def _at_once(calls: Sequence[Callable[[], Any]], here: int | None) -> list[Any]:
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)

    def work(i: int) -> None:
        try:
            results[i] = calls[i]()
        except BaseException as err:  # handed over to the caller's thread below
            errors[i] = err

    threads = [
        threading.Thread(target=work, args=(i,), name=f"regboot-call-{i}", daemon=True)
        for i in range(len(calls))
        if i != here
    ]
    for thread in threads:
        thread.start()
    if here is not None and calls:
        try:
            results[here] = calls[here]()
        except Exception as err:
            errors[here] = err
    for thread in threads:
        thread.join()
    failed = next((err for err in errors if err is not None), None)
    if failed is not None:
        raise failed
    return results


def alongside(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """`together` for two calls of different types: `first` in a thread, `second` here; `first`'s error wins."""
    a, b = together(first, second, here=1)
    return a, b


def caught(call: Callable[[], A]) -> A | Exception:
    """`call()`'s result, or the error it raised: a read whose failure is to be reported later, in its turn."""
    try:
        return call()
    except Exception as err:
        return err

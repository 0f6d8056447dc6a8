"""Stop signals: Ctrl-C (SIGINT), a CI's cancel (SIGTERM) and a closed ssh session (SIGHUP) all stop a run the
same way, as a KeyboardInterrupt that rolls back what the run made; the run then exits 128 + the signal's number.

Ctrl-C at the wrong instant must not strand a secret: while something is being created, and until its undo is
recorded, a stop signal is held back and raised right after (`deferred`). A rollback, once begun, is shielded: a
signal meanwhile is only noted, so the rollback finishes (`shielded`).

Waiting between attempts stays interruptible: `poll` calls `raise_if_pending()` before each pause, and at that
point the failed attempt created nothing.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from types import FrameType
from typing import Any

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
NAMES = {int(signal.SIGINT): "Ctrl-C (SIGINT)"}

REDELIVERY = 0.05  # seconds: long enough for the finalizer that swallowed a signal to have returned
_received: list[int] = []  # the stop signals this process received, in order
_pending = False
_depth = 0
_shields = 0
_installed = False


def install() -> None:
    """Make every stop signal interrupt the run like Ctrl-C (the command line's entry point calls this)."""
    global _installed
    _installed = True
    for sig in STOP_SIGNALS:
        signal.signal(sig, _interrupt)
    sys.unraisablehook = partial(_unraisable, sys.unraisablehook)


def _unraisable(previous: Callable[[Any], object], unraisable: Any) -> None:
    """A stop signal whose KeyboardInterrupt was raised inside a finalizer (an SDK object's `__del__` in a garbage
    collection): Python ignores what a finalizer raises and would carry on with the run. It is held as pending
    instead: the next step that creates something, or the next pause between attempts, raises it before it begins.
    Where neither comes, a timer thread sends the signal to the main thread again a moment later (sent from here,
    it would be handled here, inside the finalizer still)."""
    global _pending
    if not (issubclass(unraisable.exc_type, KeyboardInterrupt) and _received):
        previous(unraisable)
        return
    _pending = True
    main, signum = threading.main_thread().ident, _received[-1]
    assert main is not None  # the main thread has started: it is running this run
    again = threading.Timer(REDELIVERY, _redeliver, (main, signum))
    again.daemon = True
    again.start()


def _redeliver(main: int, signum: int) -> None:
    if not _pending:  # raised at a step or a pause meanwhile
        return
    if hasattr(signal, "pthread_kill"):  # a real signal: it also cuts short a call the main thread is blocked in
        signal.pthread_kill(main, signum)
    else:  # Windows
        import _thread

        _thread.interrupt_main(signal.Signals(signum))


def _interrupt(signum: int, frame: FrameType | None) -> None:
    global _pending
    _pending = False  # raised now: whatever a finalizer swallowed before is this
    _received.append(signum)
    raise KeyboardInterrupt


def _hold(signum: int, frame: FrameType | None) -> None:
    global _pending
    _received.append(signum)
    _pending = True


def begin() -> None:
    """A new run: no stop signal received yet (tests run many in one process)."""
    global _pending
    _received.clear()
    _pending = False


def received() -> int | None:
    """The first stop signal this run received, or None (a KeyboardInterrupt no signal sent: a prompt's Ctrl-D)."""
    return _received[0] if _received else None


def exit_status() -> int:
    """130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP: 128 + the first stop signal's number."""
    return 128 + (received() or signal.SIGINT)


def name() -> str:
    """The first stop signal as a person knows it."""
    signum = received() or signal.SIGINT
    return NAMES.get(signum, signal.Signals(signum).name)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold every stop signal back for the duration; raise KeyboardInterrupt on leaving if one arrived. One that a
    finalizer swallowed before is raised on entering, before anything is created."""
    global _pending
    if _depth == 0:
        raise_if_pending()
    try:
        with _holding():
            yield
    except KeyboardInterrupt:
        if _depth == 0:  # a call inside honoured it at a pause, and it leaves now: it is no longer pending
            _pending = False
        raise
    if _depth == 0 and _pending:
        _pending = False
        raise KeyboardInterrupt


@contextmanager
def shielded() -> Iterator[None]:
    """Hold every stop signal for the duration and do not raise it after: for work that must finish once begun (a
    rollback, which runs because the run is already ending). `received()` still says what arrived."""
    global _shields, _pending
    _shields += 1
    try:
        with _holding():
            yield
    finally:
        _shields -= 1
        if _depth == 0:
            _pending = False


@contextmanager
def _holding() -> Iterator[None]:
    global _depth
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _hold) for sig in STOP_SIGNALS} if _depth == 0 else {}
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def raise_if_pending() -> None:
    """Between two attempts nothing is half-made: honour a held-back interrupt now (not during a rollback)."""
    global _pending
    if _pending and not _shields:
        _pending = False
        raise KeyboardInterrupt


def pass_on() -> None:
    """A held-back interrupt that one of several calls made at once has just honoured (`parallel.made_together`):
    hold it again, so that each other call honours it too, at its next pause."""
    global _pending
    if not _shields:
        _pending = True


def settle() -> None:
    """The outcome is decided and about to be printed: a stop signal from now on is ignored, so the exit status
    is the one the printed result says. Only in regboot's own process: a test runs commands in its own."""
    if _installed and threading.current_thread() is threading.main_thread():
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)

"""Ctrl-C at the wrong instant must not strand a secret: while something is being created, and until its undo is
recorded, an interrupt is held back and raised right after.

Waiting between attempts stays interruptible: `poll` calls `raise_if_pending()` before each pause, and at that
point the failed attempt created nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_pending = False
_depth = 0


def _hold(signum: int, frame: FrameType | None) -> None:
    global _pending
    _pending = True


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back for the duration; raise KeyboardInterrupt on leaving if one arrived."""
    global _depth, _pending
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _hold) for sig in (signal.SIGINT, signal.SIGTERM)} if _depth == 0 else {}
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if _pending:
                _pending = False
                raise KeyboardInterrupt


def raise_if_pending() -> None:
    """Between two attempts nothing is half-made: honour a held-back interrupt now."""
    global _pending
    if _pending:
        _pending = False
        raise KeyboardInterrupt

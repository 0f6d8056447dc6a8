"""Calls made at once (bootstrap.parallel): steps that each make something are all waited for, a stop signal
included, and the signal still reaches them at their next pause whichever thread the system handed it to."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from bootstrap import interrupts
from bootstrap.parallel import made_together


def pausing(seen: list[str], name: str, pauses: int = 500) -> None:
    """A call retrying with a pause between attempts, as `poll` does: a held stop signal ends it at a pause."""
    try:
        for _ in range(pauses):
            interrupts.raise_if_pending()
            time.sleep(0.02)
    except KeyboardInterrupt:
        seen.append(f"{name} stopped")
        raise
    seen.append(f"{name} ran out")


def test_a_signal_another_thread_took_stops_every_call_at_its_next_pause(stop_signals):
    """SIGINT sent to one of the calls' threads (not to the process, which the kernel would hand to the waiting main
    thread): the main thread still handles it while it waits, so each call stops at its next pause, and only then
    does the interrupt leave, both calls ended."""
    seen: list[str] = []

    def struck() -> None:
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)
        pausing(seen, "struck")

    with pytest.raises(KeyboardInterrupt), interrupts.deferred():
        made_together(struck, lambda: pausing(seen, "other"))
    assert sorted(seen) == ["other stopped", "struck stopped"]


def test_ctrl_c_in_the_waiting_thread_still_waits_for_every_call_to_stop_at_its_next_pause(stop_signals):
    """Ctrl-C as the system sends it, to the process: the main thread, waiting, takes it. Every call is still
    waited for, each stopped at its next pause, before the interrupt leaves: none is left running."""
    seen: list[str] = []

    def struck() -> None:
        os.kill(os.getpid(), signal.SIGINT)
        pausing(seen, "struck")

    with pytest.raises(KeyboardInterrupt):
        made_together(struck, lambda: pausing(seen, "other"))
    assert sorted(seen) == ["other stopped", "struck stopped"]


def test_every_call_is_waited_for_and_the_first_failure_in_order_is_raised():
    seen: list[str] = []

    def failing() -> None:
        raise ValueError("first")

    def slow() -> None:
        time.sleep(0.2)
        seen.append("slow ended")

    with pytest.raises(ValueError, match="first"):
        made_together(failing, slow)
    assert seen == ["slow ended"]

"""The cyclic garbage collector is off while a run imports what it needs, and back for the rest of a long run."""

from __future__ import annotations

import gc
import time

import bootstrap.cli as cli


def test_the_collector_is_off_while_a_run_starts_and_on_again_after(monkeypatch):
    monkeypatch.setattr(cli, "STARTUP", 0.05)
    try:
        cli._collect_later()
        assert not gc.isenabled()
        for _ in range(600):  # the timer's thread turns it on: give it up to a minute on a loaded machine
            if gc.isenabled():
                break
            time.sleep(0.1)
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # what existed by then is out of its walks
    finally:
        gc.unfreeze()
        gc.enable()

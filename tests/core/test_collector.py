"""The cyclic garbage collector is off while a run imports what it needs, back for the rest of a long run, and
kept from walking the run's objects once more as it exits."""

from __future__ import annotations

import gc
import time

import pytest

import bootstrap.cli as cli


@pytest.fixture(autouse=True)
def restored():
    yield
    gc.unfreeze()
    gc.enable()


def test_the_collector_is_off_while_a_run_starts_and_on_again_after(monkeypatch):
    monkeypatch.setattr(cli, "STARTUP", 0.05)
    with cli.collector():
        assert not gc.isenabled()
        for _ in range(600):  # the timer's thread turns it on: give it up to a minute on a loaded machine
            if gc.isenabled():
                break
            time.sleep(0.1)
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # what existed by then is out of its walks


def test_what_a_run_made_is_frozen_when_it_exits_so_the_exit_collection_skips_it():
    made = [[] for _ in range(1000)]
    with pytest.raises(SystemExit), cli.collector():
        assert gc.get_freeze_count() == 0
        raise SystemExit(0)  # how click ends a run
    assert gc.get_freeze_count() >= len(made)

"""The sandbox's virtual clock: regboot's waits move it instead of passing, and only a sandbox can hand it out."""

from __future__ import annotations

import pytest

from bootstrap import clock
from bootstrap.errors import OperationError
from bootstrap.settings import Settings
from bootstrap.ui import Ui
from bootstrap.waiting import Patience, Retry, poll


class NotYet(Exception):
    pass


def test_a_wait_in_a_sandbox_moves_its_clock_instead_of_passing(tmp_path):
    shared = clock.SharedClock.create(tmp_path / "clock")
    settings = Settings.read({clock.ENV: str(shared.path)})
    tries = []

    def attempt() -> str:
        tries.append(1)
        if len(tries) < 3:
            raise NotYet
        return "done"

    honour = lambda exc: Retry("throttled", after=30) if isinstance(exc, NotYet) else None  # noqa: E731
    result = poll(attempt, what="x", not_yet=honour, ui=Ui(), patience=Patience(deadline=600), clock=settings.clock)
    assert result == "done"
    assert shared.offset() >= 60  # two Retry-After waits of 30 s, on the sandbox's clock


def test_a_deadline_on_the_sandbox_clock_still_ends_the_wait(tmp_path):
    shared = clock.SharedClock.create(tmp_path / "clock")
    settings = Settings.read({clock.ENV: str(shared.path)})

    def never() -> None:
        raise NotYet

    with pytest.raises(OperationError, match="gave up after"):
        poll(
            never,
            what="x",
            not_yet=lambda exc: Retry("no"),
            ui=Ui(),
            patience=Patience(deadline=300),
            clock=settings.clock,
        )
    assert 290 <= shared.offset() <= 300


def test_every_process_of_a_sandbox_reads_one_clock(tmp_path):
    one = clock.SharedClock.create(tmp_path / "clock")
    other = clock.SharedClock(tmp_path / "clock")
    one.sleep(5)
    other.sleep(7)
    assert one.offset() == other.offset() == 12


def test_outside_a_sandbox_waits_are_real(tmp_path):
    assert clock.current({}) is clock.REAL
    stray = tmp_path / "not-a-clock"
    stray.write_text("0\n1000\n")
    assert clock.current({clock.ENV: str(stray)}) is clock.REAL  # a stray value never skips a real wait
    assert clock.current({clock.ENV: str(tmp_path / "missing")}) is clock.REAL


def test_a_sandbox_with_clouds_names_its_clock_for_regboot(tmp_path):
    from bootstrap.sandbox.world import Sandbox

    with Sandbox(tmp_path / "box", clouds=True) as box:
        found = clock.current(box.env)
        assert isinstance(found, clock.SharedClock) and found.path == box.clock.path
        before = box.emulators["google"].model.clock()
        found.sleep(100)
        assert box.emulators["google"].model.clock() - before >= 100  # the emulators read the same time

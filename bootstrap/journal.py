"""Rollback: undo steps pushed as resources are made, run in reverse when the run fails, Ctrl-C included."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from types import TracebackType

from bootstrap import interrupts
from bootstrap.errors import Interrupted, RegbootError
from bootstrap.ui import Ui


class Journal:
    """Use as a context manager around the part of a run that creates things.

    `push(description, undo)` right after a resource exists; `commit()` once the run no longer needs the
    safety net. Leaving the block with any exception (KeyboardInterrupt included) undoes what is left, newest
    first; a stop signal meanwhile is noted, not obeyed, so a second press or CI's SIGTERM cannot abandon it. An
    interrupt leaves as `Interrupted`, saying what was rolled back and what could not be.
    """

    def __init__(self, ui: Ui) -> None:
        self.ui = ui
        self._undo: list[tuple[str, Callable[[], object], bool]] = []  # (description, undo, holds a secret)
        self.undone: list[str] = []
        self.left_behind: list[str] = []

    def push(self, description: str, undo: Callable[[], object], *, secret: bool = False) -> None:
        """`secret`: what was made holds a secret (a key, a password), which `keep_secretless` never keeps."""
        self._undo.append((description, undo, secret))

    def creating(self) -> AbstractContextManager[None]:
        """Wrap a call that creates something together with the `push` of its undo: Ctrl-C waits until both
        are done, so an interrupt can never fall between a resource existing and its undo being known."""
        return interrupts.deferred()

    def commit(self) -> None:
        self._undo.clear()

    def keep_secretless(self) -> list[str]:
        """Take what holds no secret out of the rollback, and say what it was: it stays even though the run fails,
        while what holds a secret is still undone."""
        kept = [description for description, _, secret in self._undo if not secret]
        self._undo = [entry for entry in self._undo if entry[2]]
        return kept

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            return
        self.rollback()
        if isinstance(exc, KeyboardInterrupt):
            raise self.interrupted() from None
        if isinstance(exc, RegbootError):
            exc.data.setdefault("rolled_back", list(self.undone))
            exc.data.setdefault("left_behind", list(self.left_behind))
            if self.left_behind:
                left = "; ".join(self.left_behind)
                exc.fix = f"{exc.fix} Could not roll back, remove by hand: {left}.".strip()

    def interrupted(self) -> Interrupted:
        """The interrupt, told as it ended: what was rolled back and what could not be (the CLI adds the command
        that finishes it)."""
        undone = f"rolled back {', '.join(self.undone)}" if self.undone else "nothing needed rolling back"
        if self.left_behind:
            message = f"could not roll back {'; '.join(self.left_behind)}" + (f" ({undone})" if self.undone else "")
        else:
            message = undone
        stopped = Interrupted(f"interrupted by {interrupts.name()}: {message}")
        stopped.data = {"rolled_back": list(self.undone), "left_behind": list(self.left_behind)}
        return stopped

    def rollback(self) -> None:
        with interrupts.shielded():
            while self._undo:
                description, undo, _ = self._undo.pop()
                try:
                    undo()
                except Exception as err:  # keep undoing the rest; say what stays
                    self.left_behind.append(description)
                    self.ui.warn(f"could not roll back {description}: {_first_line(err)}")
                else:
                    self.undone.append(description)
                    self.ui.say(f"rolled back: {description}")


def _first_line(err: BaseException) -> str:
    text = err.message if isinstance(err, RegbootError) else str(err)
    return (text.strip().splitlines() or [type(err).__name__])[0]

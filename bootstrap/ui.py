"""Narration and progress for people, on stderr, through logging (stdout carries results only)."""

from __future__ import annotations

import logging
import shutil
import sys
from typing import TextIO

from bootstrap.printable import shown

log = logging.getLogger("regboot")


class Ui:
    """What a run tells the person watching it. Never pass a secret here (a `Secret` prints as *** anyway)."""

    def __init__(self, *, stream: TextIO | None = None, debug: bool = False, interactive: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.debug = debug
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self._live = False  # a live line is on the terminal, to be cleared before anything else is written
        self._awaited: tuple[str, str] | None = None  # the state of the wait under way, as last shown

    def say(self, message: str) -> None:
        self._clear()
        log.info(message)

    def progress(self, message: str) -> None:
        self._clear()
        log.info("… %s", message)

    def warn(self, message: str) -> None:
        self._clear()
        log.warning("warning: %s", message)

    def waiting(self, what: str, reason: str, *, elapsed: float, next_try: float, deadline: float) -> None:
        """A wait under way. On a terminal one live line, rewritten in place; elsewhere (a CI log) a line only when
        what is awaited or why changes, not one per try: a 15-minute lock wait would print hundreds."""
        if self.interactive and not self.debug:
            # elapsed and the next try first: a narrow terminal cuts the end of the line
            line = shown(f"… waiting for {what} ({elapsed:.0f}s, next try in {next_try:.0f}s): {reason}", lines=False)
            width = shutil.get_terminal_size().columns - 1
            self.stream.write("\r" + (line if len(line) <= width else line[: width - 1] + "…") + "\x1b[K")
            self.stream.flush()
            self._live = True
        elif (what, reason) != self._awaited:
            self.progress(f"waiting for {what}: {reason} (up to {deadline:.0f}s)")
        self._awaited = (what, reason)

    def waited(self) -> None:
        """The wait is over, either way: the live line goes, and the next wait is news again."""
        self._clear()
        self._awaited = None

    def _clear(self) -> None:
        if self._live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._live = False


def configure_logging(stream: TextIO, *, debug: bool) -> None:
    """One plain handler on the `regboot` logger; cloud SDK loggers stay at WARNING even with --debug, since
    their request logs could carry a key in a body."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_Shown("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if debug else logging.INFO)
    log.propagate = False
    for noisy in ("azure", "google", "grpc", "urllib3", "httpx", "msal", "kiota"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class _Shown(logging.Formatter):
    """Narration as it reaches a person: secrets scrubbed, outside text made printable (see bootstrap.printable)."""

    def format(self, record: logging.LogRecord) -> str:
        return shown(super().format(record))

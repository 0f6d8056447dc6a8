"""Narration and progress for people, on stderr, through logging (stdout carries results only)."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

log = logging.getLogger("regboot")


class Ui:
    """What a run tells the person watching it. Never pass a secret here (a `Secret` prints as *** anyway)."""

    def __init__(self, *, stream: TextIO | None = None, debug: bool = False, interactive: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.debug = debug
        self.interactive = self.stream.isatty() if interactive is None else interactive

    def say(self, message: str) -> None:
        log.info(message)

    def progress(self, message: str) -> None:
        log.info("… %s", message)

    def warn(self, message: str) -> None:
        log.warning("warning: %s", message)

    def detail(self, message: str) -> None:
        log.debug(message)


def configure_logging(stream: TextIO, *, debug: bool) -> None:
    """One plain handler on the `regboot` logger; cloud SDK loggers stay at WARNING even with --debug, since
    their request logs could carry a key in a body."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if debug else logging.INFO)
    log.propagate = False
    for noisy in ("azure", "google", "grpc", "urllib3", "httpx", "msal", "kiota"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

"""Run one command: the single place where errors are caught, rendered and turned into exit codes."""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, NoReturn

import typer

from bootstrap import interrupts, network
from bootstrap.cli.options import Common
from bootstrap.credentials import scrub
from bootstrap.errors import Interrupted, OperationError, RegbootError
from bootstrap.output import render, render_error
from bootstrap.plugins import registry
from bootstrap.printable import shown
from bootstrap.result import Result
from bootstrap.settings import Settings
from bootstrap.ui import Ui, configure_logging

if TYPE_CHECKING:  # the engine loads when a command runs, not for --help
    from bootstrap.engine import Context


def execute(command: str, common: Common, work: Callable[[Context], Result]) -> NoReturn:
    configure_logging(sys.stderr, debug=common.debug)
    from bootstrap.engine import Context

    network.share(os.environ)  # before any client exists: some read their settings once
    ui = Ui(debug=common.debug)
    for plugin in registry().plugins:
        if plugin.error:
            ui.warn(f"plugin {plugin.name} ({plugin.module}) was skipped: {plugin.error}")
    ctx: Context | None = None
    interrupts.begin()
    try:
        ctx = Context(ui, Settings.read(os.environ))  # the one read of the environment: a bad value fails here
        result = work(ctx)
        interrupts.settle()  # from here a stop signal cannot contradict the result about to be printed
    except RegbootError as err:
        interrupts.settle()
        _debug_traceback(common)
        if interrupts.received() and not isinstance(err, Interrupted):  # a signal came while a failure rolled back
            err = _stopped(f"{err.message} (and interrupted by {interrupts.name()} meanwhile)", err)
        if isinstance(err, Interrupted):
            err.fix = f"Run `{_command_line()}` again to finish: it takes up or retires whatever was left."
        if ctx and (done := ctx.done()):  # what it did before it failed, rolled back or not
            err.data = {"actions": done, **err.data}
        with _gone_terminal_tolerated(err):
            render_error(command, err, common.output)
        raise typer.Exit(err.exit_status) from None
    except KeyboardInterrupt:
        _interrupted(command, common, ctx)
    except Exception as exc:
        if _wraps_interrupt(exc):
            _interrupted(command, common, ctx)
        # a bug: say so plainly, the traceback only on request
        interrupts.settle()
        _debug_traceback(common)
        bug = OperationError(
            f"internal error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            fix="Run again with --debug for the traceback, and report it.",
            code="internal",
        )
        render_error(command, bug, common.output)
        raise typer.Exit(1) from None
    finally:
        if ctx:
            ctx.close()
    render(result, common.output)
    raise typer.Exit(result.exit_status)


def _interrupted(command: str, common: Common, ctx: Context | None) -> NoReturn:
    interrupts.settle()
    stopped = Interrupted(
        f"interrupted by {interrupts.name()}: what this run had made and not yet handed to the platform "
        "was rolled back",
        fix=f"Run `{_command_line()}` again to finish.",
    )
    if ctx and (done := ctx.done()):
        stopped.data = {"actions": done}
    with _gone_terminal_tolerated(stopped):
        render_error(command, stopped, common.output)
    raise typer.Exit(stopped.exit_status) from None


def _wraps_interrupt(exc: BaseException) -> bool:
    """A stop signal that lands while a class is being made (an SDK imported lazily mid-run) reaches us wrapped:
    Python reports a KeyboardInterrupt raised in `__set_name__` as a RuntimeError caused by it. It is still the
    signal, not a bug."""
    seen: BaseException | None = exc
    for _ in range(8):  # a chain, never a cycle worth following further
        if seen is None:
            return False
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _gone_terminal_tolerated(err: RegbootError) -> AbstractContextManager[None]:
    """After SIGHUP the terminal may be gone and writing to it fail: the exit status still says what happened."""
    return contextlib.suppress(OSError) if isinstance(err, Interrupted) else contextlib.nullcontext()


def _stopped(message: str, cause: RegbootError) -> Interrupted:
    stopped = Interrupted(message)
    stopped.data = dict(cause.data)
    return stopped


def _command_line() -> str:
    """This run's command line as typed (secrets are never arguments, and are scrubbed all the same)."""
    from typer._click.globals import get_current_context

    found = get_current_context(silent=True)
    argv = found.find_root().meta.get("regboot.argv", []) if found else []
    return scrub(shlex.join(["regboot", *argv]))


def _debug_traceback(common: Common) -> None:
    if common.debug:
        import traceback  # only here: it costs start-up time on every command otherwise

        sys.stderr.write(shown(traceback.format_exc()))  # an exception's text may quote outside text

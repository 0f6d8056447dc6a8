"""Run one command: the single place where errors are caught, rendered and turned into exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

import typer

from bootstrap import network
from bootstrap.cli.options import Common
from bootstrap.credentials import scrub
from bootstrap.errors import Interrupted, OperationError, RegbootError
from bootstrap.output import render, render_error
from bootstrap.plugins import registry
from bootstrap.result import Result
from bootstrap.ui import Ui, configure_logging

if TYPE_CHECKING:  # the engine loads when a command runs, not for --help
    from bootstrap.engine import Context


def execute(command: str, common: Common, work: Callable[[Context], Result]) -> NoReturn:
    configure_logging(sys.stderr, debug=common.debug)
    from bootstrap.engine import Context

    network.share(os.environ)  # before any client exists: some read their settings once
    ctx = Context(Ui(debug=common.debug), os.environ)
    for plugin in registry().plugins:
        if plugin.error:
            ctx.ui.warn(f"plugin {plugin.name} ({plugin.module}) was skipped: {plugin.error}")
    try:
        result = work(ctx)
    except RegbootError as err:
        _debug_traceback(common)
        if done := ctx.done():  # what it did before it failed, rolled back or not
            err.data = {"actions": done, **err.data}
        render_error(command, err, common.output)
        raise typer.Exit(err.exit_status) from None
    except KeyboardInterrupt:
        stopped = Interrupted(
            "interrupted: what this run had made and not yet handed to the platform was rolled back",
            fix="Run the same command again to finish.",
        )
        render_error(command, stopped, common.output)
        raise typer.Exit(stopped.exit_status) from None
    except Exception as exc:  # a bug: say so plainly, the traceback only on request
        _debug_traceback(common)
        bug = OperationError(
            f"internal error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            fix="Run again with --debug for the traceback, and report it.",
            code="internal",
        )
        render_error(command, bug, common.output)
        raise typer.Exit(1) from None
    finally:
        ctx.close()
    render(result, common.output)
    raise typer.Exit(result.exit_status)


def _debug_traceback(common: Common) -> None:
    if common.debug:
        import traceback  # only here: it costs start-up time on every command otherwise

        sys.stderr.write(scrub(traceback.format_exc()))

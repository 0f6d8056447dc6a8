"""regboot's command line: thin typer commands that parse, call the engine and render the result."""

from __future__ import annotations

import signal
import sys
from typing import Annotated

import typer

from bootstrap import __version__

app = typer.Typer(
    name="regboot",
    help="Give a platform pull access to a private container registry, and later rotate or remove it.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,  # rich tracebacks print locals, and a local may hold a password
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"regboot {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and more detail on stderr.")] = False,
) -> None:
    """Give a platform pull access to a private container registry, and later rotate or remove it."""
    from bootstrap.cli import options

    options.GLOBAL_DEBUG = debug


_built = False


def build() -> typer.Typer:
    """Attach the commands (provider commands need the plugins loaded, so this happens on first use)."""
    global _built
    if _built:
        return app
    _built = True
    from bootstrap.cli import offboard, onboard, plugins, rotate, sandbox, status, verify

    app.add_typer(onboard.app, name="onboard")
    app.add_typer(rotate.app, name="rotate")
    app.add_typer(offboard.app, name="offboard")
    app.command("status")(status.status)
    app.command("plugins")(plugins.plugins)
    app.command("verify")(verify.verify)
    app.add_typer(sandbox.app, name="sandbox")
    return app


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM rolls back like Ctrl-C


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    sys.exit(build()())

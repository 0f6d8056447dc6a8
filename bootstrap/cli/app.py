"""The root of regboot's typer application: its commands, loaded by name when run, and what they share."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from bootstrap import __version__
from bootstrap.cli import COMMANDS, DEBUG_HELP, EXAMPLES, ROOT_HELP, VERSION_HELP, help_of


def epilog(*examples: str) -> str:
    """The examples that end a command's help, kept as written (\b stops the help formatter rewrapping them)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in examples)


def command_app(name: str, **settings: Any) -> typer.Typer:
    """The app a command module defines, with the root's look: built on its own, it inherits nothing from it."""
    return typer.Typer(name=name, help=help_of(name), add_completion=False, rich_markup_mode=None, **settings)


def single_command(name: str, *examples: str) -> tuple[typer.Typer, Callable[[Callable[..., Any]], Any]]:
    """A one-verb command (apply, status, verify, plugins): its app, and the decorator that makes a function the
    command, its help the root's line for it, ending with `examples`."""
    app = command_app(name)
    return app, app.command(name, help=help_of(name), epilog=epilog(*examples))


class _Commands(TyperGroup):
    """The root group: its commands are imported and built when asked for by name."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        return typer.main.get_command(importlib.import_module(COMMANDS[cmd_name][0]).app)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, text) for name, (_, text) in COMMANDS.items()])

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta["regboot.argv"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        from typer._click.exceptions import UsageError as CommandLineError

        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # a stop signal while the command loaded: its run, which handles one, never began
            from bootstrap import interrupts
            from bootstrap.errors import Interrupted
            from bootstrap.output import render_error

            interrupts.settle()
            argv = ctx.meta.get("regboot.argv", [])
            stopped = Interrupted(f"interrupted by {interrupts.name()} before anything was done")
            render_error(_command(argv), stopped, "json" if _wants_json(argv) else "text")
            raise typer.Exit(stopped.exit_status) from None
        except CommandLineError as err:
            if err.message.startswith("Got unexpected extra argument"):
                # A stray argument is often a token pasted where --password-stdin was meant: never echo it.
                count = len(err.message.rsplit("(", 1)[-1].rstrip(")").split())
                err.message = f"{count} unexpected argument{'s' if count > 1 else ''} (not shown: it may be a secret)"
            argv = ctx.meta.get("regboot.argv", [])
            if not _wants_json(argv):
                raise
            # A script asked for JSON: even a command line that does not parse answers with the envelope.
            from bootstrap.errors import UsageError
            from bootstrap.output import render_error

            command = _command(argv)
            fix = f"Run `regboot {command} --help` for the options." if command != "regboot" else ""
            render_error(command, UsageError(err.format_message(), fix=fix), "json")
            raise typer.Exit(2) from None


def _command(argv: list[str]) -> str:
    return next((a for a in argv if a in COMMANDS), "regboot")


def _wants_json(argv: list[str]) -> bool:
    """`-o json`, `--output json`, `--output=json` or `-ojson` anywhere on the raw command line."""
    pairs = zip(argv, [*argv[1:], ""], strict=True)
    return any(
        (a in ("-o", "--output") and b == "json") or a in ("--output=json", "-ojson", "-o=json") for a, b in pairs
    )


app = typer.Typer(
    cls=_Commands,
    name="regboot",
    help=ROOT_HELP,
    no_args_is_help=True,
    rich_markup_mode=None,
    epilog=epilog(*EXAMPLES),
    pretty_exceptions_enable=False,  # rich tracebacks print locals, and a local may hold a password
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"regboot {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help=VERSION_HELP)] = False,
    debug: Annotated[bool, typer.Option("--debug", help=DEBUG_HELP)] = False,
) -> None:
    from bootstrap.cli import options

    options.GLOBAL_DEBUG = debug

"""`regboot sandbox`: local emulators of the clouds, registries and akka CLI, to rehearse with no account."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Annotated

import typer

from bootstrap.cli.app import command_app, epilog

app = command_app(
    "sandbox",
    invoke_without_command=True,
    epilog=epilog(
        'eval "$(regboot sandbox env)"',
        "regboot sandbox down",
        "regboot sandbox up",
        "regboot sandbox demo",
    ),
)

DIR = Annotated[
    Path | None,
    typer.Option(
        "--dir",
        help="The sandbox's state directory (default: $XDG_STATE_HOME/regboot/sandbox).",
        show_default=False,
    ),
]
PROJECT = Annotated[str, typer.Option("--akka-project", help="The stand-in platform's project.")]


@app.callback()
def default(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        up(directory=None, project="demo-project", detach=False)


@app.command("up", epilog=epilog("regboot sandbox up", "regboot sandbox up --detach"))
def up(
    directory: DIR = None,
    project: PROJECT = "demo-project",
    detach: Annotated[
        bool, typer.Option("--detach", help="Run in the background and print only the export lines, for eval.")
    ] = False,
) -> None:
    """Start the sandbox and print the environment that points regboot at it; Ctrl-C (or `sandbox down`) stops it."""
    from bootstrap.sandbox import background

    state = background.state_dir(directory, os.environ)
    if detach:
        typer.echo(background.exports(background.start(state, project)), nl=False)
        return
    from bootstrap.sandbox.world import Sandbox

    background.refuse_if_running(state)
    try:
        # Ctrl-C stops it, however early it comes: the sandbox's own exit has cleaned up by then.
        with (
            contextlib.suppress(KeyboardInterrupt),
            Sandbox(state, project=project, clouds=True, readme=True) as sandbox,
            background.running(sandbox),
        ):
            typer.echo("# regboot sandbox is up. In another shell:", err=True)
            typer.echo(f'#   eval "$(regboot sandbox env{_dir_flag(directory)})"', err=True)
            typer.echo(background.exports(background.described(sandbox)), nl=False)
            typer.echo("# Ctrl-C stops it.", err=True)
            while True:  # not signal.pause(), which Windows lacks; a sleep ends on Ctrl-C everywhere
                time.sleep(3600)
    finally:
        background.remove_made(state)


@app.command("env", epilog=epilog('eval "$(regboot sandbox env)"', "regboot sandbox env --dir /tmp/box"))
def env(directory: DIR = None, project: PROJECT = "demo-project") -> None:
    """Print `export` lines for the running sandbox, starting it in the background if none runs:
    `eval "$(regboot sandbox env)"` points this shell at it (PATH gains the stand-in akka and az)."""
    from bootstrap.sandbox import background

    state = background.state_dir(directory, os.environ)
    typer.echo(background.exports(background.start(state, project)), nl=False)


@app.command("down", epilog=epilog("regboot sandbox down"))
def down(directory: DIR = None) -> None:
    """Stop the sandbox that `sandbox env` or `sandbox up --detach` started, and remove its state."""
    from bootstrap.sandbox import background

    stopped = background.stop(background.state_dir(directory, os.environ))
    typer.echo("regboot sandbox stopped" if stopped else "no regboot sandbox was running", err=True)


@app.command("serve", hidden=True)
def serve(directory: Annotated[Path, typer.Option("--dir")], project: PROJECT = "demo-project") -> None:
    """The background sandbox itself (started by `env` and `up --detach`); SIGTERM stops it."""
    from bootstrap.sandbox import background
    from bootstrap.sandbox.world import Sandbox

    # regboot's SIGTERM handler raises KeyboardInterrupt
    with (
        Sandbox(directory, project=project, clouds=True, readme=True) as sandbox,
        background.running(sandbox),
        contextlib.suppress(KeyboardInterrupt),
    ):
        while True:  # not signal.pause(), which Windows lacks
            time.sleep(3600)


@app.command("demo")
def demo() -> None:
    """Rehearse onboarding end to end against the sandbox, printing each command and what it said."""
    from bootstrap.sandbox import demo as script

    raise typer.Exit(script.main())


def _dir_flag(directory: Path | None) -> str:
    return f" --dir {directory}" if directory else ""

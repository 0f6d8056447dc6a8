"""`regboot sandbox`: local emulators of the clouds, registries and akka CLI, to rehearse with no account."""

from __future__ import annotations

import contextlib
import signal
from pathlib import Path
from typing import Annotated

import typer

from bootstrap.cli import command_app, epilog

app = command_app(
    "sandbox",
    invoke_without_command=True,
    epilog=epilog("regboot sandbox up", "regboot sandbox demo"),
)


@app.callback()
def default(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        up(directory=None, project="demo-project")


@app.command("up")
def up(
    directory: Annotated[Path | None, typer.Option("--dir", help="Keep state here (default: a temp dir).")] = None,
    project: Annotated[str, typer.Option("--akka-project", help="The stand-in platform's project.")] = "demo-project",
) -> None:
    """Start the sandbox and print the environment that points regboot at it; Ctrl-C stops it."""
    from bootstrap.sandbox.world import Sandbox

    with Sandbox(directory, project=project, clouds=True) as sandbox:
        typer.echo("# regboot sandbox is up. In another shell:")
        for key, value in sandbox.env.items():
            typer.echo(f"export {key}='{value}'")
        from bootstrap.sandbox.world import ACR_REGISTRY, GCP_PROJECT

        typer.echo(f"# then try: regboot onboard gcr --gcp-project {GCP_PROJECT}")
        typer.echo(f"#           regboot onboard acr --registry {ACR_REGISTRY}")
        typer.echo("#           regboot status")
        typer.echo("# Ctrl-C stops it.", err=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()


@app.command("demo")
def demo() -> None:
    """Rehearse onboarding end to end against the sandbox, printing each command and what it said."""
    from bootstrap.sandbox import demo as script

    raise typer.Exit(script.main())

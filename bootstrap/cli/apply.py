"""`regboot apply -f FILE`: every registry credential of a fleet, declared in one file, planned or converged."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bootstrap.cli.app import single_command
from bootstrap.cli.options import Common, Format, _option
from bootstrap.cli.run import execute
from bootstrap.errors import UsageError
from bootstrap.result import Result

if TYPE_CHECKING:  # the engine loads when a command runs, not for --help
    from bootstrap.engine import Context

app, command = single_command(
    "apply",
    "regboot apply -f registries.yaml --dry-run --prune",
    "regboot apply -f registries.yaml --prune -y -j 8",
    "regboot apply -f registries.toml -o json",
)


@command
def apply(
    file: Annotated[Path, _option("-f", "--file", help="The fleet file (YAML, or TOML by its .toml suffix).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what each entry would do; change nothing.")] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune", help="Offboard what regboot manages in the file's Akka projects and it no longer lists."
        ),
    ] = False,
    jobs: Annotated[int, _option("-j", "--jobs", help="Entries converged at once.")] = 4,
    rotate_within: Annotated[
        float, _option("--rotate-within", metavar="DAYS", help="Rotate a credential that expires within DAYS.")
    ] = 30.0,
    output: Annotated[Format, _option("-o", "--output", metavar="[text|json]", help="Result format.")] = Format.text,
    yes: Annotated[bool, typer.Option("-y", "--yes", help="Do not ask before pruning.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and more detail on stderr.")] = False,
) -> None:
    common = Common({"dry_run": dry_run, "output": output, "yes": yes, "debug": debug})

    def work(ctx: Context) -> Result:
        from bootstrap.engine.fleet import apply as apply_fleet
        from bootstrap.engine.fleetfile import load

        if not 1 <= jobs <= 64:
            raise UsageError(f"invalid --jobs {jobs}", fix="Give a number of entries between 1 and 64.")
        if not 0 <= rotate_within <= 3650:
            raise UsageError(f"invalid --rotate-within {rotate_within}", fix="Give days between 0 and 3650.")
        fleet = load(file, ctx.settings)
        return apply_fleet(
            fleet,
            ctx,
            jobs=jobs,
            dry_run=dry_run,
            prune=prune,
            rotate_within=rotate_within,
            confirm=common.confirm,
        )

    execute("apply", common, work)

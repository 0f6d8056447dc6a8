"""`regboot apply -f FILE`: every registry credential of a fleet, declared in one file, planned or converged."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bootstrap.cli.app import single_command
from bootstrap.cli.options import Common, Format, _option
from bootstrap.cli.run import execute
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
        from bootstrap.engine import fleet, fleetfile

        options = fleet.Options(jobs, dry_run, prune, rotate_within)
        return fleet.apply(fleetfile.load(file, ctx.settings), ctx, options, common.confirm)

    execute("apply", common, work)

"""`regboot status`: the platform's credentials joined with what the clouds say about them."""

from __future__ import annotations

from typing import Annotated

import typer

from bootstrap.cli.app import single_command
from bootstrap.cli.options import Common, Format, _option
from bootstrap.cli.run import execute

app, command = single_command(
    "status",
    "regboot status",
    "regboot status --wide",
    "regboot status --secret-name docker-credentials",
    "regboot status -o json --akka-project my-project",
)


@command
def status(
    akka_project: Annotated[str | None, _option("--akka-project", help="Akka project (default: the CLI's).")] = None,
    akka_region: Annotated[str | None, _option("--akka-region", help="Akka region.")] = None,
    akka_owner: Annotated[str | None, _option("--akka-owner", help="Owner of the Akka project.")] = None,
    secret_name: Annotated[
        str | None, _option("--secret-name", help="Show only this credential, in full (every field, whole ids).")
    ] = None,
    wide: Annotated[
        bool, typer.Option("--wide", help="Every field in full: username, email, whole grant scopes, notes.")
    ] = False,
    output: Annotated[Format, _option("-o", "--output", metavar="[text|json]", help="Result format.")] = Format.text,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and more detail on stderr.")] = False,
) -> None:
    common = Common(
        {
            "akka_project": akka_project,
            "akka_region": akka_region,
            "akka_owner": akka_owner,
            "output": output,
            "debug": debug,
        }
    )
    from bootstrap.engine.status import status as status_flow

    execute("status", common, lambda ctx: status_flow(common.consumer(), ctx, wide=wide, secret_name=secret_name))

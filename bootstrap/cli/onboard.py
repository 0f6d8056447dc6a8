"""`regboot onboard <provider>`: give the platform pull access to a registry."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

import typer

from bootstrap.cli.app import command_app, epilog
from bootstrap.cli.options import Common, provider_commands, read_password
from bootstrap.cli.run import execute
from bootstrap.provider import Provider

app = command_app(
    "onboard",
    no_args_is_help=True,
    epilog=epilog(
        "regboot onboard gcr --gcp-project GCP_PROJECT",
        "regboot onboard acr --registry REGISTRY --dry-run",
        'printf %s "$TOKEN" | regboot onboard dockerhub --username USERNAME --password-stdin',
    ),
)

UPDATE = (
    Annotated[
        bool,
        typer.Option(
            "--update",
            help="Send the credential even if the platform already holds this server and username (e.g. a new token).",
        ),
    ],
    False,
)
REPLACE = (
    Annotated[
        bool,
        typer.Option("--replace", help="Take the secret even if it holds another registry's credential."),
    ],
    False,
)


def _onboard(cls: type[Provider], options: dict[str, Any], common: Common, extra: dict[str, Any]) -> None:
    from bootstrap.engine.onboard import onboard

    def work(ctx: Any) -> Any:
        request = common.request(cls, options, update=extra["update"], replace=extra["replace"])
        if cls.takes_password and not request.dry_run:
            request = replace(request, password=read_password(extra["password_stdin"], ctx.settings))
        return onboard(request, ctx)

    execute("onboard", common, work)


provider_commands(
    app,
    _onboard,
    help="{summary}",
    extra={"update": UPDATE, "replace": REPLACE},
    reads_password=True,
    examples=("", "--dry-run", "--secret-name SECRET_NAME"),
)

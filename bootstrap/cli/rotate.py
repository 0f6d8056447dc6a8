"""`regboot rotate <provider>` or `regboot rotate --secret-name NAME`: a new credential on the platform, the old
ones retired once it holds it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bootstrap.cli.app import command_app, epilog
from bootstrap.cli.options import (
    COMMAND,
    PASSWORD_STDIN,
    PLATFORM,
    Common,
    named_command,
    provider_commands,
    read_password,
)
from bootstrap.cli.run import execute
from bootstrap.provider import Provider

app = command_app(
    "rotate",
    no_args_is_help=True,
    epilog=epilog(
        "regboot rotate --secret-name docker-credentials",
        "regboot rotate gcr --gcp-project GCP_PROJECT --dry-run",
    ),
)


def _rotate(cls: type[Provider], options: dict[str, Any], common: Common, extra: dict[str, Any]) -> None:
    from bootstrap.engine.rotate import rotate

    def work(ctx: Any) -> Any:
        request = common.request(cls, options)
        if cls.takes_password and not request.dry_run:
            request = replace(request, password=read_password(extra["password_stdin"], ctx.settings))
        return rotate(request, ctx)

    execute("rotate", common, work)


def _rotate_named(common: Common, extra: dict[str, Any]) -> None:
    from bootstrap.engine.named import rotate_named

    execute(
        "rotate",
        common,
        lambda ctx: rotate_named(
            common.request(None, {}), ctx, lambda: read_password(extra["password_stdin"], ctx.settings)
        ),
    )


named_command(app, _rotate_named, common=PLATFORM + COMMAND, extra={"password_stdin": PASSWORD_STDIN})
provider_commands(
    app,
    _rotate,
    help="Mint a new credential for the {name} identity, hand it to the platform, retire the old ones.",
    password_help="Install a new password or token for the {name} credential, verified first.",
    reads_password=True,
    examples=("", "--dry-run"),
)

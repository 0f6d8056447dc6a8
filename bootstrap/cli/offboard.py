"""`regboot offboard <provider>` or `regboot offboard --secret-name NAME`: stop the platform using a credential,
then revoke it in the cloud."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bootstrap.cli import command_app
from bootstrap.cli.options import COMMAND, PLATFORM, Common, named_command, provider_command
from bootstrap.cli.run import execute
from bootstrap.plugins import registry
from bootstrap.provider import Provider

app = command_app("offboard", no_args_is_help=True)

KEEP_IDENTITY = (
    Annotated[
        bool,
        typer.Option(
            "--keep-identity",
            help="Keep the service account or app; still remove its keys or passwords and its grants.",
        ),
    ],
    False,
)
SHARED = PLATFORM + tuple(c for c in COMMAND if c not in ("no_verify", "verify_timeout"))


def _offboard(cls: type[Provider], options: dict[str, Any], common: Common, extra: dict[str, Any]) -> None:
    from bootstrap.engine.offboard import offboard

    keep = extra["keep_identity"]
    execute("offboard", common, lambda ctx: offboard(common.request(cls.name, options, keep_identity=keep), ctx))


def _offboard_named(common: Common, extra: dict[str, Any]) -> None:
    from bootstrap.engine.named import offboard_named

    keep = extra["keep_identity"]
    execute("offboard", common, lambda ctx: offboard_named(common.request("", {}, keep_identity=keep), ctx))


named_command(app, _offboard_named, common=SHARED, extra={"keep_identity": KEEP_IDENTITY})
for _cls in registry().providers.values():
    provider_command(
        app,
        _cls,
        _offboard,
        help="Offboard a {name} credential.",
        common=SHARED,
        extra={"keep_identity": KEEP_IDENTITY},
    )

"""`regboot offboard <provider>`: stop the platform using a credential, then revoke it in the cloud."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bootstrap.cli import command_app
from bootstrap.cli.options import COMMAND, PLATFORM, Common, provider_command
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


def _offboard(cls: type[Provider], options: dict[str, Any], common: Common, extra: dict[str, Any]) -> None:
    from bootstrap.engine.offboard import offboard

    execute(
        "offboard",
        common,
        lambda ctx: offboard(common.request(cls.name, options, keep_identity=extra["keep_identity"]), ctx),
    )


for _cls in registry().providers.values():
    provider_command(
        app,
        _cls,
        _offboard,
        help="Offboard a {name} credential.",
        common=PLATFORM + tuple(c for c in COMMAND if c not in ("no_verify", "verify_timeout")),
        extra={"keep_identity": KEEP_IDENTITY},
    )

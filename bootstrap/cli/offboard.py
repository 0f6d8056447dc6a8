"""`regboot offboard <provider>` or `regboot offboard --secret-name NAME`: stop the platform using a credential,
then revoke it in the cloud."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bootstrap.cli.app import command_app, epilog
from bootstrap.cli.options import COMMAND, PLATFORM, Common, named_command, provider_commands
from bootstrap.cli.run import execute
from bootstrap.provider import Provider

app = command_app(
    "offboard",
    no_args_is_help=True,
    epilog=epilog(
        "regboot offboard --secret-name docker-credentials -y",
        "regboot offboard gcr --gcp-project GCP_PROJECT --keep-identity -y",
    ),
)

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
# Offboard removes by secret name whatever regboot made: the email, verification and what to make do not apply.
SHARED = tuple(c for c in PLATFORM + COMMAND if c not in ("email", "no_verify", "verify_timeout"))


def _offboard(cls: type[Provider], options: dict[str, Any], common: Common, extra: dict[str, Any]) -> None:
    from bootstrap.engine.offboard import offboard

    keep = extra.get("keep_identity", False)  # static credentials have no identity to keep
    execute("offboard", common, lambda ctx: offboard(common.request(cls, options, keep_identity=keep), ctx))


def _offboard_named(common: Common, extra: dict[str, Any]) -> None:
    from bootstrap.engine.named import offboard_named

    keep = extra["keep_identity"]
    execute("offboard", common, lambda ctx: offboard_named(common.request(None, {}, keep_identity=keep), ctx))


named_command(app, _offboard_named, common=SHARED, extra={"keep_identity": KEEP_IDENTITY})
provider_commands(
    app,
    _offboard,
    help="Remove the platform's {name} credential, then revoke it in the cloud.",
    password_help="Remove the platform's {name} credential (the password or token stays valid at the registry).",
    identity_extra={"keep_identity": KEEP_IDENTITY},
    examples=("-y", "--keep-identity -y", "--dry-run"),
    password_examples=("-y", "--dry-run"),
    common=SHARED,
    identifying_only=True,
)

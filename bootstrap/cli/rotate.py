"""`regboot rotate <provider>`: a new credential on the platform, the old ones retired once it holds it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bootstrap.cli import command_app
from bootstrap.cli.options import PASSWORD_STDIN, Common, provider_command, read_password
from bootstrap.cli.run import execute
from bootstrap.credentials import Secret
from bootstrap.plugins import registry
from bootstrap.provider import Provider

app = command_app("rotate", no_args_is_help=True)


def _rotate(cls: type[Provider], options: dict[str, Any], common: Common, extra: dict[str, Any]) -> None:
    from bootstrap.engine.rotate import rotate

    def work(ctx: Any) -> Any:
        request = common.request(cls.name, options)
        if cls.takes_password and not request.dry_run:
            request = replace(request, password=Secret(read_password(extra["password_stdin"])))
        return rotate(request, ctx)

    execute("rotate", common, work)


for _cls in registry().providers.values():
    provider_command(
        app,
        _cls,
        _rotate,
        help="Rotate the credential of a {name} identity."
        if not _cls.takes_password
        else "Install a new password or token for a {name} credential, verified first.",
        extra={"password_stdin": PASSWORD_STDIN} if _cls.takes_password else {},
    )

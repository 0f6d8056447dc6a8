"""`regboot rotate <provider>`: a new credential on the platform, the old ones retired once it holds it."""

from __future__ import annotations

from typing import Any

from bootstrap.cli import command_app
from bootstrap.cli.options import Common, provider_command
from bootstrap.cli.run import execute
from bootstrap.plugins import registry
from bootstrap.provider import Provider

app = command_app("rotate", no_args_is_help=True)


def _rotate(cls: type[Provider], options: dict[str, Any], common: Common, extra: dict[str, Any]) -> None:
    from bootstrap.engine.rotate import rotate

    execute("rotate", common, lambda ctx: rotate(common.request(cls.name, options), ctx))


for _cls in registry().providers.values():
    if _cls.rotates:
        provider_command(app, _cls, _rotate, help="Rotate the credential of a {name} identity.")

"""`regboot plugins`: installed provider plugins, their versions and where they came from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from bootstrap.cli import command_app, epilog, help_of
from bootstrap.cli.options import Common, Format, _option
from bootstrap.cli.run import execute
from bootstrap.plugins import registry
from bootstrap.result import Result

if TYPE_CHECKING:
    from bootstrap.engine import Context


app = command_app("plugins")


@app.command("plugins", help=help_of("plugins"), epilog=epilog("regboot plugins", "regboot plugins -o json"))
def plugins(
    output: Annotated[Format, _option("-o", "--output", metavar="[text|json]", help="Result format.")] = Format.text,
) -> None:
    def work(ctx: Context) -> Result:
        plugins: list[dict[str, Any]] = [
            {
                "name": p.name,
                "providers": list(p.providers),
                "distribution": p.distribution,
                "version": p.version,
                "module": p.module,
                "error": p.error,
            }
            for p in registry().plugins
        ]
        rows = [{k: ", ".join(v) if isinstance(v, list) else v or "" for k, v in p.items()} for p in plugins]
        count = len(registry().providers)
        return Result(
            "plugins",
            f"{count} provider(s) from {len(rows)} plugin(s)",
            data={"plugins": plugins},
            table=rows,
            columns=("name", "providers", "distribution", "version", "module", "error"),
        )

    execute("plugins", Common({"output": output}), work)

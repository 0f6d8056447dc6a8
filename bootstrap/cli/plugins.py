"""`regboot plugins`: installed provider plugins, their versions and where they came from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from bootstrap.cli.app import single_command
from bootstrap.cli.options import Common, Format, _option
from bootstrap.cli.run import execute
from bootstrap.plugins import registry
from bootstrap.provider import install_command
from bootstrap.result import Result

if TYPE_CHECKING:
    from bootstrap.engine import Context


app, command = single_command("plugins", "regboot plugins", "regboot plugins -o json")


@command
def plugins(
    output: Annotated[Format, _option("-o", "--output", metavar="[text|json]", help="Result format.")] = Format.text,
) -> None:
    def work(ctx: Context) -> Result:
        found = registry()
        unusable = {name: _why(cls.missing()) for name, cls in found.providers.items() if cls.missing()}
        rows, data = [], []
        for p in found.plugins:
            row = {
                "name": p.name,
                "providers": list(p.providers),
                "distribution": p.distribution,
                "version": p.version,
                "module": p.module,
                "error": p.error,
            }
            cannot = [{"provider": name, "reason": unusable[name]} for name in p.providers if name in unusable]
            data.append({**row, "unusable": cannot})
            shown = {k: ", ".join(v) if isinstance(v, list) else v or "" for k, v in row.items()}
            rows.append({**shown, "unusable": "; ".join(f"{c['provider']}: {c['reason']}" for c in cannot)})
        usable = len(found.providers) - len(unusable)
        return Result(
            "plugins",
            f"{usable} usable provider(s) of {len(found.providers)}, from {len(rows)} plugin(s)",
            data={"plugins": data},
            table=rows,
            columns=("name", "providers", "distribution", "version", "module", "error", "unusable"),
        )

    execute("plugins", Common({"output": output}), work)


def _why(missing: list[str]) -> str:
    return f"{', '.join(missing)} not installed: {install_command(missing)}"

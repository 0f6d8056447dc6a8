"""Tables for people, drawn with rich: as wide as the terminal (COLUMNS, else the tty's), colour on a tty only."""

from __future__ import annotations

import shutil
from typing import TextIO

from bootstrap.settings import no_color, terminal_columns

# Piped output is not cut to any width: a script or a pager gets whole rows.
UNBOUNDED = 10_000


def width(out: TextIO) -> int:
    """COLUMNS when set, else the terminal's width when `out` is one, else no limit."""
    if (asked := terminal_columns()) is not None:
        return asked
    return shutil.get_terminal_size().columns if out.isatty() else UNBOUNDED


def table_text(rows: list[dict[str, str]], wanted: tuple[str, ...], out: TextIO, *, fit: bool = True) -> str:
    """The rows under a header, as `out` should show them: only the columns some row has a value in, long cells
    wrapped to fit the width (`fit`), or whole however long (ids to copy)."""
    import io

    from rich.console import Console
    from rich.table import Table

    tty = out.isatty()
    colour = tty and not no_color()
    console = Console(
        file=io.StringIO(),
        width=width(out) if fit else UNBOUNDED,
        color_system="auto" if colour else None,
        force_terminal=tty,
        no_color=not colour,
        highlight=False,
        soft_wrap=False,
        emoji=False,
        markup=False,
    )
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold" if colour else None)
    columns = [c for c in wanted if any(r.get(c) for r in rows)]
    for column in columns:
        table.add_column(column.upper().replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(*(row.get(c, "") for c in columns))
    console.print(table)
    text: str = console.file.getvalue()  # type: ignore[attr-defined]
    return "".join(line.rstrip() + "\n" for line in text.splitlines())  # rich pads each line to the full width

"""Parse the aligned text tables the akka CLI prints (tabwriter output: cells may be empty)."""

from __future__ import annotations

import re


def parse_table(text: str, first_column: str) -> list[dict[str, str]]:
    """Rows of the table whose header starts with `first_column`, keyed by lower-cased header names.

    Cells are cut at the header's column starts, so an empty EMAIL cell does not shift the columns after it."""
    lines = text.splitlines()
    at = next((i for i, line in enumerate(lines) if line.split()[:1] == [first_column]), None)
    if at is None:
        return []
    header = lines[at]
    starts = [m.start() for m in re.finditer(r"\S+", header)]
    names = [header[s:].split()[0].lower() for s in starts]
    rows = []
    for line in lines[at + 1 :]:
        if not line.strip():
            continue
        cells = line.split()
        if len(cells) != len(names):  # an empty cell: cut at the header's columns instead
            cells = [line[s:e].strip() for s, e in zip(starts, [*starts[1:], None], strict=True)]
        rows.append(dict(zip(names, cells, strict=True)))
    return rows

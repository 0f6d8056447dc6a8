"""Render a Result or an error: text for people, or the versioned JSON envelope for scripts (stdout only)."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from bootstrap.credentials import scrub
from bootstrap.errors import RegbootError
from bootstrap.printable import shown
from bootstrap.result import Result

# 2: every field typed (numbers, ISO 8601 times or null, arrays), and "partial" beside "success" and "error".
RESULT_VERSION = 2


def envelope(command: str, *, data: dict[str, Any], errors: list[dict[str, str]], status: str) -> dict[str, Any]:
    return {
        "regboot_result_version": RESULT_VERSION,
        "command": command,
        "status": status,
        "data": data,
        "errors": errors,
    }


def error_item(err: RegbootError) -> dict[str, str]:
    item = {"code": err.code, "message": err.message}
    if err.fix:
        item["fix"] = err.fix
    return item


def render(result: Result, fmt: str, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        _dump(envelope(result.command, data=result.payload(), errors=result.errors, status=result.status), out)
        return
    lines = [result.summary]
    lines += [f"  {i}. {step.text()}" for i, step in enumerate(result.plan, 1)]
    out.write(shown("\n".join(lines)) + "\n")
    if result.table:
        columns = result.columns or tuple(result.table[0])
        # each cell made printable on its own (a line break in one would break the row), before the table adds
        # its own colour codes
        rows = [{k: shown(v, lines=False) for k, v in row.items()} for row in result.table]
        if result.layout == "record":
            out.write(_records(rows, columns))
        else:
            from bootstrap.tables import table_text  # rich loads only when a table is shown

            out.write(scrub(table_text(rows, columns, out, fit=result.layout != "wide")))
    if result.warnings:
        out.write(shown("\n".join(f"warning: {w}" for w in result.warnings)) + "\n")
    for item in result.errors:
        sys.stderr.write(shown(f"error: {item['message']}" + (f"\n{item['fix']}" if item.get("fix") else "")) + "\n")


def render_error(
    command: str, err: RegbootError, fmt: str, *, out: TextIO | None = None, err_stream: TextIO | None = None
) -> None:
    if fmt == "json":
        _dump(envelope(command, data=dict(err.data), errors=[error_item(err)], status="error"), out or sys.stdout)
    (err_stream or sys.stderr).write(shown(f"error: {err}") + "\n")


def _dump(document: dict[str, Any], out: TextIO) -> None:
    # No `default=`: a Secret (or anything unexpected) in the payload fails loudly instead of being stringified.
    # The data stays exact: JSON escapes every control character, and ensure_ascii every bidi one.
    out.write(scrub(json.dumps(document, indent=2, sort_keys=False)) + "\n")


def _records(rows: list[dict[str, str]], columns: tuple[str, ...]) -> str:
    """Each row as `field: value` lines, nothing cut: one thing (a credential) shown in full."""
    width = max(len(c) for c in columns) + 2
    blocks = ["\n".join(f"{(c.replace('_', ' ') + ':').ljust(width)}{r[c]}" for c in columns if r.get(c)) for r in rows]
    return "\n\n".join(blocks) + "\n"

"""`regboot --help` and `regboot --version` without typer: its import is most of a start's cost, and these two
answers need none of it. The text is click's rendering of the root, as typer would print it (usage, help, options,
commands, examples, wrapped to the terminal as click's HelpFormatter wraps them); tests/core/test_help.py holds the
two renderings equal at every width, so a typer that words or wraps its help differently fails there.
"""

from __future__ import annotations

import shutil
import textwrap

from bootstrap import __version__
from bootstrap.cli import COMMANDS, DEBUG_HELP, EXAMPLES, ROOT_HELP, VERSION_HELP

HELP = ("--help", "-h")
_OPTIONS = (
    ("--version", VERSION_HELP),
    ("--debug", DEBUG_HELP),
    # typer's own words for the completion options it adds (typer/main.py, get_install_completion_arguments)
    ("--install-completion", "Install completion for the current shell."),
    ("--show-completion", "Show completion for the current shell, to copy it or customize the installation."),
    ("-h, --help", "Show this message and exit."),
)


def answer(args: list[str]) -> str | None:
    """The output for a command line that asks only for the root's help or the version; None for any other."""
    if len(args) == 1 and args[0] in HELP:
        return render(width())
    if args == ["--version"]:
        return f"regboot {__version__}\n"
    return None


def width() -> int:
    """click's: the terminal's columns (COLUMNS first), at most 80, less 2, at least 50."""
    return max(min(shutil.get_terminal_size().columns, 80) - 2, 50)


def render(width: int) -> str:
    out = ["Usage: regboot [OPTIONS] COMMAND [ARGS]...\n", "\n", _fill(ROOT_HELP, width, "  ")]
    for heading, rows in (("Options", _OPTIONS), ("Commands", [(n, text) for n, (_, text) in COMMANDS.items()])):
        out += ["\n", f"{heading}:\n", *_rows(rows, width)]
    out += ["\n", "  Examples:\n", *(f"    {line}\n" for line in EXAMPLES)]
    return "".join(out)


def _rows(rows: list[tuple[str, str]] | tuple[tuple[str, str], ...], width: int) -> list[str]:
    """click's HelpFormatter.write_dl at indent 2: a first column at most 30 wide, two spaces, the text wrapped."""
    first = min(max(len(name) for name, _ in rows), 30) + 2
    lines = []
    for name, text in rows:
        wrapped = textwrap.wrap(text, max(width - first - 2, 10), replace_whitespace=False) or [""]
        if len(name) <= first - 2:
            lines.append(f"  {name}{' ' * (first - len(name))}{wrapped[0]}\n")
        else:
            lines += [f"  {name}\n", f"{' ' * (first + 2)}{wrapped[0]}\n"]
        lines += [f"{' ' * (first + 2)}{line}\n" for line in wrapped[1:]]
    return lines


def _fill(text: str, width: int, indent: str) -> str:
    return textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent, replace_whitespace=False) + "\n"

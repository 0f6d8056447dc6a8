"""Text for a terminal: what regboot shows is scrubbed of secrets and made printable, so nothing another program
wrote (a platform entry, an app's display name, akka's or a cloud's message) can move the cursor, retitle the
window, ring the bell or reorder the line."""

from __future__ import annotations

import re

from bootstrap.credentials import scrub

# C0 and C1 controls (ESC, BEL, CSI...), DEL, and the bidi controls (LRM/RLM, ALM, the embeddings and overrides
# U+202A-202E, the isolates U+2066-2069): shown as escapes instead.
_ACTING = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, lines: bool = True) -> str:
    """`text` with every control or bidi character as a visible escape (`\\x1b`, `\\u202e`); line breaks stay
    when `lines` (a message), and are escaped too otherwise (one table cell)."""

    def escaped(found: re.Match[str]) -> str:
        c = found.group()
        if lines and c == "\n":
            return c
        return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"

    return _ACTING.sub(escaped, text)


def shown(text: str, *, lines: bool = True) -> str:
    """What reaches a person: secrets scrubbed, then made printable. The one function output and narration use."""
    return printable(scrub(text), lines=lines)

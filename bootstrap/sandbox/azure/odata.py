"""The small part of OData `$filter` that ARM and Graph clients send: `and`-joined `eq` and function clauses, and
the `any` lambda on a collection of strings, `tags/any(t:t eq 'x')`, as Graph documents it for primitive collections
(https://learn.microsoft.com/graph/filter-query-parameter, "Filter using lambda operators")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_STRING = r"'((?:[^']|'')*)'"
_EQ = re.compile(rf"^(\w+)\s+eq\s+{_STRING}$", re.IGNORECASE)
_CALL = re.compile(rf"^(\w+)\(\s*(?:(\w+)\s*,\s*)?(?:{_STRING})?\s*\)$")
# collection/any(v:v eq 'value'): the range variable may be any name, the same on both sides of the colon.
_ANY = re.compile(rf"^(\w+)/any\(\s*(\w+)\s*:\s*(\w+)\s+eq\s+{_STRING}\s*\)$", re.IGNORECASE)


@dataclass(frozen=True)
class Clause:
    op: str  # "eq", "any" (a collection holds an item equal to value), or a function: atScope, assignedTo, startswith
    field: str = ""
    value: str = ""


class FilterError(ValueError):
    """A filter the sandbox does not understand; the wire layer answers it loudly."""


def parse(text: str) -> list[Clause]:
    clauses = []
    for part in _split_and(text):
        if m := _EQ.match(part):
            clauses.append(Clause("eq", m.group(1), m.group(2).replace("''", "'")))
        elif (m := _ANY.match(part)) and m.group(2) == m.group(3):
            clauses.append(Clause("any", m.group(1), m.group(4).replace("''", "'")))
        elif m := _CALL.match(part):
            clauses.append(Clause(m.group(1), m.group(2) or "", (m.group(3) or "").replace("''", "'")))
        else:
            raise FilterError(f"unsupported $filter clause {part!r}")
    return clauses


def _split_and(text: str) -> list[str]:
    # Split on " and " outside quoted strings (a display name may contain " and ").
    parts, current, quoted = [], "", False
    i = 0
    while i < len(text):
        if text[i] == "'":
            quoted = not quoted
        if not quoted and text[i : i + 5].lower() == " and ":
            parts.append(current.strip())
            current, i = "", i + 5
            continue
        current += text[i]
        i += 1
    parts.append(current.strip())
    return [p for p in parts if p]


def matches(resource: dict[str, Any], clauses: list[Clause]) -> bool:
    """Evaluate Graph-style clauses against a rendered resource (eq is case-insensitive on strings, as Graph's is)."""
    for c in clauses:
        value = resource.get(c.field)
        if c.op == "eq":
            if value is None or str(value).lower() != c.value.lower():
                return False
        elif c.op == "any":
            if not isinstance(value, list) or all(str(v).lower() != c.value.lower() for v in value):
                return False
        elif c.op.lower() == "startswith":
            if not str(value or "").lower().startswith(c.value.lower()):
                return False
        else:
            raise FilterError(f"unsupported $filter function {c.op}()")
    return True

"""Typed results: what a run found, did and planned. Rendering lives in `bootstrap.output`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


def line(verb: str, what: str, name: str, detail: str = "") -> str:
    """`created service account x@p (for akka:shop/*/docker-credentials)`"""
    return " ".join(filter(None, [verb, what, name, f"({detail})" if detail else ""]))


@dataclass(frozen=True)
class Step:
    """One step of a run: in `Result.actions` what it did or found (found, created, granted, minted, verified,
    installed, retired, removed, kept, rolled back); in `Result.plan` what a real run would do (create, grant, mint,
    install, retire, remove, keep). The kind of resource, its name, and a detail."""

    verb: str
    what: str
    name: str
    detail: str = ""

    def text(self) -> str:
        return line(self.verb, self.what, self.name, self.detail)


@dataclass
class Result:
    """The outcome of one command. `summary` is the line a person reads first; `data` the JSON payload."""

    command: str
    summary: str
    data: dict[str, Any] = field(default_factory=dict)
    actions: list[Step] = field(default_factory=list)
    plan: list[Step] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    table: list[dict[str, str]] | None = None  # rows for commands that list things, as a person reads them
    columns: tuple[str, ...] = ()  # which table columns a person sees, in order (JSON has its own typed `data`)
    # "table" fits the terminal; "wide" cuts nothing however long its lines; "record": each row as `field: value`
    # lines, for one thing shown in full
    layout: str = "table"
    exit_status: int = 0
    # What the command could not do although it did the rest (a cloud it could not read): a "partial" result.
    errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "partial" if self.errors else "success"

    def payload(self) -> dict[str, Any]:
        out = dict(self.data)
        if self.actions:
            out["actions"] = [asdict(a) for a in self.actions]
        if self.plan:
            out["plan"] = [asdict(s) for s in self.plan]
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out

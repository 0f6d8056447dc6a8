"""status: the platform's credentials joined with what each cloud says about the identities behind them."""

from __future__ import annotations

from datetime import UTC, datetime

from bootstrap.consumer import Consumer
from bootstrap.engine import Context, consumer_data
from bootstrap.errors import RegbootError
from bootstrap.platforms import PlatformEntry
from bootstrap.plugins import registry
from bootstrap.provider import Held, Provider, Run, StatusRow
from bootstrap.result import Result

EXPIRY_WARNING_DAYS = 30
COLUMNS = ("secret_name", "provider", "server", "username", "identity", "grant", "age", "expires", "notes")


def status(consumer: Consumer, ctx: Context) -> Result:
    platform = ctx.platform(consumer)
    consumer = platform.preflight()
    entries = platform.entries()
    run = Run(ctx.ui, ctx.env)
    rows: list[dict[str, str]] = []
    warnings: list[str] = []
    worst = 0
    for cls, claimed in _by_provider(entries).items():
        try:
            cls.require()
            described = cls.describe(claimed, run)
        except RegbootError as err:  # one cloud saying no must not hide the others
            described = [StatusRow(cls.name, problems=(err.message,)) for _ in claimed]
        for entry, row in zip(claimed, described, strict=True):
            notes = list(row.problems) + [f"stray credential {h.id}" for h in row.stray]
            notes += _expiry_notes(row.held)
            if notes:
                warnings += [f"{entry.name}: {note}" for note in notes]
            if any("expired" in n for n in notes):
                worst = 1
            rows.append(
                {
                    "secret_name": entry.name,
                    "status": entry.status,
                    "provider": cls.name,
                    "server": entry.server,
                    "username": entry.username,
                    "email": entry.email,
                    "identity": row.identity,
                    "grant": row.grant,
                    "age": _age(row.held),
                    "expires": _expires(row.held),
                    "credentials": str(len(row.held) + len(row.stray)),
                    "notes": "; ".join(notes),
                }
            )
    summary = f"{len(rows)} credential(s) in Akka project {consumer.project}"
    return Result(
        "status",
        summary,
        data={"consumer": consumer_data(consumer), "credentials": rows},
        warnings=warnings,
        table=rows,
        columns=COLUMNS,
        exit_status=worst,
    )


def _by_provider(entries: list[PlatformEntry]) -> dict[type[Provider], list[PlatformEntry]]:
    providers = sorted(registry().providers.values(), key=lambda cls: cls.fallback)
    grouped: dict[type[Provider], list[PlatformEntry]] = {}
    for entry in entries:
        for cls in providers:
            if cls.claims(entry):
                grouped.setdefault(cls, []).append(entry)
                break
    return grouped


def _newest(held: tuple[Held, ...]) -> Held | None:
    dated = [h for h in held if h.created]
    return max(dated, key=lambda h: h.created or datetime.min.replace(tzinfo=UTC)) if dated else None


def _age(held: tuple[Held, ...]) -> str:
    newest = _newest(held)
    if not newest or not newest.created:
        return ""
    return f"{(datetime.now(UTC) - newest.created).days}d"


def _expires(held: tuple[Held, ...]) -> str:
    ends = [h.expires for h in held if h.expires]
    return min(ends).date().isoformat() if ends else ("never" if held else "")


def _expiry_notes(held: tuple[Held, ...]) -> list[str]:
    now = datetime.now(UTC)
    notes = []
    for h in held:
        if h.expires and h.expires <= now:
            notes.append(f"credential {h.id} expired on {h.expires.date().isoformat()}: run `regboot rotate`")
        elif h.expires and (h.expires - now).days < EXPIRY_WARNING_DAYS:
            notes.append(f"credential {h.id} expires in {(h.expires - now).days} days: run `regboot rotate`")
    return notes

"""status: the platform's credentials joined with what each cloud says about the identities behind them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bootstrap.consumer import Consumer
from bootstrap.engine import Context
from bootstrap.errors import RegbootError, UsageError
from bootstrap.output import error_item
from bootstrap.platforms import PlatformEntry
from bootstrap.plugins import registry
from bootstrap.provider import Held, Provider, Run, StatusRow, first_expiry
from bootstrap.result import Result
from bootstrap.server import Server

EXPIRY_WARNING_DAYS = 30
# What fits a terminal (the notes follow the table as warnings), and everything for --wide or one credential.
COLUMNS = ("secret_name", "server", "identity", "grant", "age", "expires")
WIDE: tuple[str, ...] = ("secret_name", "status", "provider", "server", "username", "email", "identity", "grant")
WIDE += ("created", "age", "expires", "credentials", "notes")


def status(consumer: Consumer, ctx: Context, *, wide: bool = False, secret_name: str | None = None) -> Result:
    """Every platform credential, or only `secret_name`'s (shown in full, as `wide` shows every one)."""
    platform = ctx.platform(consumer)
    consumer = platform.preflight()
    entries = platform.entries()
    if secret_name is not None:
        entries = [e for e in entries if e.name == secret_name]
        if not entries:
            raise UsageError(
                f"Akka project {consumer.project} has no credential named {secret_name}",
                fix="Run `regboot status` to list them.",
            )
    run = Run(ctx.ui, ctx.settings)
    now = datetime.fromtimestamp(ctx.settings.clock.time(), UTC)
    credentials: list[dict[str, Any]] = []
    unread: list[dict[str, str]] = []
    rows: list[StatusRow] = []
    unreadable = {e.name: note for e in entries if (note := _unreadable(e))}
    credentials += [_credential_of_no_provider(e, unreadable[e.name]) for e in entries if e.name in unreadable]
    entries = [e for e in entries if e.name not in unreadable]
    for cls, claimed in _by_provider(entries).items():
        try:
            cls.require()
            described = [_status(cls, entry, consumer, run) for entry in claimed]
        except RegbootError as err:  # one cloud saying no must not hide the others, nor pass for success
            unread.append(error_item(err) | {"message": f"{cls.name}: {err.message}"})
            described = [StatusRow(cls.name, problems=(f"could not read {cls.name}: {err.message}",)) for _ in claimed]
        rows += described
        credentials += [_credential(entry, cls, row, now) for entry, row in zip(claimed, described, strict=True)]
    strays = _strays(entries, consumer.project or "", run, unread)
    expired = any(row.expired(now) for row in rows)
    return Result(
        "status",
        f"{len(credentials)} credential(s) in Akka project {consumer.project}"
        + (f"; {len(strays)} identity(ies) no credential uses" if strays else ""),
        data={"consumer": consumer.public(), "credentials": credentials, "strays": strays},
        warnings=[f"{c['secret_name']}: {note}" for c in credentials for note in c["notes"]]
        + [
            f"{s['identity']} ({s['serves']}) holds {s['credentials']} live credential(s) but no platform credential "
            f"uses it: remove it with `{s['fix']}`"
            for s in strays
        ],
        table=[_shown(c, now, full=wide or secret_name is not None) for c in credentials],
        columns=WIDE if wide or secret_name is not None else COLUMNS,
        layout="record" if secret_name is not None else "wide" if wide else "table",
        exit_status=1 if expired or unread else 0,
        errors=unread,
    )


def _status(cls: type[Provider], entry: PlatformEntry, consumer: Consumer, run: Run) -> StatusRow:
    """What the provider instance serving `entry` says about it: made from the options the entry names, as rotate and
    offboard by --secret-name make it, and asked through the same inspection."""
    try:
        target = cls.check(cls.options_for(entry, command="status"))
        provider = cls(target, Consumer(entry.name, consumer.project, consumer.region, consumer.owner), run)
    except UsageError as err:  # the entry does not say which identity it uses
        return StatusRow(cls.name, identity=entry.username, problems=(err.message,))
    try:
        return provider.status(entry)
    finally:
        provider.close()


def _strays(entries: list[PlatformEntry], project: str, run: Run, unread: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Identities regboot made for this Akka project that no credential uses any more: their keys still work."""
    found: dict[str, dict[str, Any]] = {}
    for cls in registry().providers.values():
        try:
            strays = cls.strays(entries, project, run)
        except RegbootError as err:
            unread.append(error_item(err) | {"message": f"{cls.name}: {err.message}"})
            continue
        for s in strays:  # providers sharing a cloud (gcr and gar) report the same identity once
            found.setdefault(
                s.identity,
                {
                    "provider": s.provider,
                    "identity": s.identity,
                    "serves": s.serves,
                    "credentials": len(s.held),
                    "expires": _iso(first_expiry(s.held)),
                    "fix": s.fix,
                },
            )
    return list(found.values())


def _credential(entry: PlatformEntry, cls: type[Provider], row: StatusRow, now: datetime) -> dict[str, Any]:
    """One platform credential as JSON carries it: typed, times in ISO 8601 or null."""
    newest = _newest(row.held)
    return {
        "secret_name": entry.name,
        "status": entry.status,
        "provider": cls.name,
        "server": entry.server,
        "username": entry.username,
        "email": entry.email,
        "identity": row.identity,
        "grant": row.grant,
        "created": _iso(newest.created if newest else None),
        "age_days": (now - newest.created).days if newest and newest.created else None,
        "expires": _iso(row.expires),
        "credentials": len(row.held) + len(row.stray),
        "stray": [h.id for h in row.stray],
        "notes": [*row.problems, *(f"stray credential {h.id}" for h in row.stray), *_expiry_notes(row.held, now)],
    }


def _unreadable(entry: PlatformEntry) -> str:
    """Why no provider can read this entry ("" when one can): a server that is not an address at all."""
    if err := Server.parse(entry.server).unreadable():
        return (
            f"its server is not a registry address ({err}): no provider can read it; remove it with "
            f"`akka docker remove-credentials {entry.name}`"
        )
    return ""


def _credential_of_no_provider(entry: PlatformEntry, note: str) -> dict[str, Any]:
    return {
        "secret_name": entry.name,
        "status": entry.status,
        "provider": "",
        "server": entry.server,
        "username": entry.username,
        "email": entry.email,
        "identity": "",
        "grant": "",
        "created": None,
        "age_days": None,
        "expires": None,
        "credentials": 0,
        "stray": [],
        "notes": [note],
    }


def _shown(credential: dict[str, Any], now: datetime, *, full: bool) -> dict[str, str]:
    """The same credential as a person reads it: in full, or short enough that a row fits a terminal."""
    shown = {k: v for k, v in credential.items() if isinstance(v, str)}
    age = credential["age_days"]
    expires = credential["expires"]
    shown["age"] = f"{age}d" if age is not None else ""
    shown["expires"] = expires[:10] if expires else ("never" if credential["credentials"] else "")
    if full:
        shown["created"] = (credential["created"] or "")[:19].replace("T", " ")
        shown["credentials"] = str(credential["credentials"])
        shown["notes"] = "; ".join(credential["notes"])
        return shown
    if expires:  # days left, like the age: a glance says which to rotate
        left = (datetime.fromisoformat(expires) - now).days
        shown["expires"] = f"{left}d" if left >= 0 else "expired"
    shown["server"] = Server.parse(credential["server"]).written
    shown["identity"] = _short_identity(credential["identity"], credential["username"])
    shown["grant"] = "; ".join(_short_grant(g) for g in credential["grant"].split("; "))
    return shown


def _short_identity(identity: str, username: str) -> str:
    """A service account by its id, an app by its name (--wide has the email and the app id)."""
    if identity.endswith(".iam.gserviceaccount.com"):
        return identity.split("@", 1)[0]
    return identity.removesuffix(f" ({username})") or username


def _short_grant(grant: str) -> str:
    """`roles/artifactregistry.reader on projects/p/locations/us/repositories/gcr.io` -> `reader on gcr.io`: the
    role without its service, on the registry or repository (an ARM scope's last name), not the resource id."""
    role, on, scope = grant.partition(" on ")
    if not on:
        return grant
    parts = scope.strip("/").split("/")
    where = f"project {parts[1]}" if len(parts) == 2 and parts[0] == "projects" else parts[-1]
    return f"{role.removeprefix('roles/').rsplit('.', 1)[-1]} on {where}"


def _by_provider(entries: list[PlatformEntry]) -> dict[type[Provider], list[PlatformEntry]]:
    grouped: dict[type[Provider], list[PlatformEntry]] = {}
    for entry in entries:
        cls = registry().claimant(entry)
        if cls is not None:
            grouped.setdefault(cls, []).append(entry)
    return grouped


def _newest(held: tuple[Held, ...]) -> Held | None:
    dated = [h for h in held if h.created]
    return max(dated, key=lambda h: h.created or datetime.min.replace(tzinfo=UTC)) if dated else None


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when else None


def _expiry_notes(held: tuple[Held, ...], now: datetime) -> list[str]:
    notes = []
    for h in held:
        if h.expires and h.expires <= now:
            notes.append(f"credential {h.id} expired on {h.expires.date().isoformat()}: run `regboot rotate`")
        elif h.expires and (h.expires - now).days < EXPIRY_WARNING_DAYS:
            notes.append(f"credential {h.id} expires in {(h.expires - now).days} days: run `regboot rotate`")
    return notes

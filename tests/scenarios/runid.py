"""Run ids: every identity and secret a scenario makes is named `rb<yymmddhhmm><4 hex>-<provider>`, so a sweep can
tell this suite's leftovers (and their age) from anything else; service accounts have no creation time to read."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_NAME = re.compile(r"rb(?P<stamp>\d{10})(?P<salt>[0-9a-f]{4})-(?P<provider>[a-z]+)")


def new_run_id(now: datetime | None = None) -> str:
    return f"rb{(now or datetime.now(UTC)):%y%m%d%H%M}{secrets.token_hex(2)}"


@dataclass(frozen=True)
class Made:
    """A name this suite made: when its run started, and for which provider."""

    name: str
    started: datetime
    provider: str


def name_for(run_id: str, provider: str) -> str:
    """The secret name, and the identity name, of one provider's scenario in one run (Google: 6-30 characters)."""
    return f"{run_id}-{provider}"


def parse(name: str) -> Made | None:
    """The run a name came from, or None for every name this suite did not make."""
    found = _NAME.fullmatch(name)
    if found is None:
        return None
    try:
        started = datetime.strptime(found["stamp"], "%y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None
    return Made(name, started, found["provider"])


def stale(names: list[str], *, now: datetime, age: timedelta = timedelta(hours=1)) -> list[Made]:
    """The names made by runs that started more than `age` ago; a run still going is left alone."""
    return [m for m in map(parse, names) if m is not None and now - m.started > age]

"""What `apply --prune` may remove: credentials in the fleet's Akka projects that the file no longer lists, and
whether regboot can prove it manages each one (its identity's record names the consumer). Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bootstrap.consumer import Consumer
from bootstrap.engine import Context
from bootstrap.engine.fleetfile import Fleet
from bootstrap.errors import RegbootError
from bootstrap.platforms import PlatformEntry
from bootstrap.plugins import registry
from bootstrap.provider import Provider, Run


@dataclass(frozen=True)
class Candidate:
    """A platform credential the file does not list."""

    consumer: Consumer
    provider: str
    managed: bool  # its identity records this consumer: regboot made it, pruning may remove it
    reason: str = ""  # why it is not managed
    cls: type[Provider] | None = None  # the provider that removes it, when managed
    target: Any = None  # what that provider's check made of the options the entry names


def prunable(fleet: Fleet, ctx: Context) -> list[Candidate]:
    """Every credential in the Akka projects (and regions) the file names that it does not list."""
    scopes: dict[tuple[str | None, str | None, str | None], set[str]] = {}
    for listed_entry in fleet.entries:
        c = listed_entry.request.consumer
        scopes.setdefault((c.project, c.region, c.owner), set()).add(c.secret_name)
    found = []
    for (project, region, owner), listed in scopes.items():
        platform = ctx.platform(Consumer(project=project, region=region, owner=owner))
        scope = platform.preflight()
        for entry in platform.entries():
            if entry.name not in listed:
                found.append(_judge(entry, Consumer(entry.name, scope.project, region, owner), ctx))
    return found


def _judge(entry: PlatformEntry, consumer: Consumer, ctx: Context) -> Candidate:
    cls = registry().claimant(entry)
    if cls is None:
        return Candidate(consumer, "?", False, f"no installed provider knows {entry.server}")
    if cls.takes_password:
        return Candidate(consumer, cls.name, False, "a static credential carries no record of who made it")
    try:
        target = cls.check(cls.options_for(entry, command="offboard"))
    except RegbootError as err:
        return Candidate(consumer, cls.name, False, f"its identity cannot be told from the entry: {err.message}")
    provider = cls(target, consumer, Run(ctx.ui, ctx.settings))
    try:
        identity = provider.inspect().identity
    except RegbootError as err:
        return Candidate(consumer, cls.name, False, f"its identity could not be read: {err.message}")
    finally:
        provider.close()
    if identity is None or identity.serves != provider.label:
        recorded = identity.serves if identity else None
        return Candidate(consumer, cls.name, False, f"its identity records {recorded or 'no consumer'}")
    return Candidate(consumer, cls.name, True, cls=cls, target=target)

"""The flows: onboard, rotate, offboard, status. Each reads like the runbook a careful engineer would follow."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from bootstrap import lock
from bootstrap.consumer import Consumer
from bootstrap.credentials import Secret
from bootstrap.errors import RegbootError, UsageError
from bootstrap.lease import Lease, take_lease, try_lease
from bootstrap.parallel import alongside
from bootstrap.platforms import PlatformEntry
from bootstrap.platforms.akka import Akka
from bootstrap.provider import Inspection, Provider, Run
from bootstrap.server import same_server
from bootstrap.settings import Settings
from bootstrap.ui import Ui
from bootstrap.waiting import appeared

if TYPE_CHECKING:
    from filelock import FileLock


@dataclass(frozen=True)
class Request:
    """One command's parsed input: the provider, looked up once, and the target its `check` made of the options
    (both None by --secret-name alone, until the platform entry names them)."""

    provider: type[Provider] | None
    target: Any
    consumer: Consumer
    password: Secret | None = None
    dry_run: bool = False
    verify: bool = True
    verify_timeout: float | None = None
    update: bool = False  # onboard: send the credential even if the platform already holds this login
    replace: bool = False  # onboard: take a secret that holds another registry's credential
    keep_identity: bool = False  # offboard
    rotate_within: float | None = None  # onboard: days; a credential in place that expires sooner is rotated
    confirm: Callable[[str], bool] = field(default=lambda question: True)


def checked(request: Request) -> Request:
    """The request, its provider's SDK present: that fails here, before any call (its options were checked when the
    request was made)."""
    _provider(request).require()
    return request


def _provider(request: Request) -> type[Provider]:
    if request.provider is None:  # a flow by --secret-name resolves it from the platform entry first
        raise UsageError("no provider given", fix="Name one (`regboot plugins` lists them), or give --secret-name.")
    return request.provider


@dataclass
class Context:
    """What every flow needs: where to narrate, the settings, and the platform for a consumer."""

    ui: Ui
    settings: Settings
    providers: list[Provider] = field(default_factory=list)
    locks: list[FileLock] = field(default_factory=list)
    leases: list[Lease] = field(default_factory=list)
    _early: Lease | RegbootError | None = None  # how the claim made beside the first reads went
    _claiming: threading.Lock = field(default_factory=threading.Lock)  # held while that claim is being made
    _closed: bool = False

    def platform(self, consumer: Consumer) -> Akka:
        return Akka(consumer, ui=self.ui, settings=self.settings)

    def provider(self, request: Request, consumer: Consumer) -> tuple[Provider, Run]:
        run = Run(self.ui, self.settings, password=request.password)
        provider = _provider(request)(request.target, consumer, run)
        self.providers.append(provider)
        return provider, run

    def exclusive(self, consumer: Consumer, request: Request) -> None:
        """From here to the end of the run, no other run on this machine works on the same consumer. A dry run
        changes nothing, so it takes no lock."""
        if not request.dry_run:
            self.locks.append(lock.hold(consumer, ui=self.ui, state_dir=self.settings.state_dir))

    def lease(self, platform: Akka, request: Request) -> bool:
        """From here to the end of the run, no run on any machine works on the same consumer (the lock only covers
        this one). True when the lease was taken after the run's first reads (just now, or beside them by
        `claim_early`): whatever was read may have changed meanwhile. A dry run changes nothing, so it takes none."""
        early, self._early = self._early, None
        if isinstance(early, RegbootError):
            raise early
        if request.dry_run or self.leases:
            return early is not None
        self.leases.append(take_lease(platform, ui=self.ui, settings=self.settings))
        return True

    def claim_early(self, platform: Akka) -> None:
        """One attempt at the lease, made beside the cloud's reads once the platform's listing shows that the run
        will write, so that the claim's round trips overlap the cloud's. It never waits: if another run holds the
        lease, `lease` waits for it later, in the run's own thread; an error is raised there too, in its turn."""
        with self._claiming:
            if self._closed:  # the run was stopped while the platform was read
                return
            try:
                self._early = try_lease(platform, ui=self.ui, settings=self.settings)
            except RegbootError as err:
                self._early = err
            if isinstance(self._early, Lease):
                self.leases.append(self._early)

    def extend_lease(self, seconds: float) -> None:
        """Keep the lease for a step that may wait `seconds` (verification)."""
        for held in self.leases:
            held.extend(seconds)

    def done(self) -> list[dict[str, str]]:
        """What this run's providers did so far (created, granted, minted, retired...), for a failure's report."""
        return [asdict(action) for provider in self.providers for action in provider.run.actions]

    def close(self) -> None:
        """Let every provider this run made release its clients, and release the consumer's lock."""
        while self.providers:
            self.providers.pop().close()
        with self._claiming:  # a run stopped while its early claim was being made withdraws that claim too
            self._closed = True
            while self.leases:
                self.leases.pop().release()
        while self.locks:
            self.locks.pop().release()


@dataclass
class Situation:
    """Where onboard, rotate and offboard start: who, with which provider, and what the cloud and platform hold."""

    consumer: Consumer
    platform: Akka
    provider: Provider
    run: Run
    found: Inspection
    server: str
    username: str | None
    entry: PlatformEntry | None


def begin(request: Request, ctx: Context, *, leased: bool = False, claim_if_new: bool = False) -> Situation:
    """Check the platform and the cloud, take the consumer's lock (and with `leased`, its lease: a run that always
    writes), and read what exists; nothing is changed. With `claim_if_new`, a consumer the platform does not hold
    yet is one the run will write to: the lease is claimed while the cloud is still being read."""
    platform = ctx.platform(request.consumer)
    consumer = platform.resolve()
    ctx.exclusive(consumer, request)
    if leased:
        ctx.lease(platform, request)
    provider, run = ctx.provider(request, consumer)

    def platform_side() -> list[PlatformEntry]:
        entries = platform.survey()
        new = platform.dialect().modern and platform.find(entries=entries) is None  # old CLIs list by server
        if claim_if_new and new and not request.dry_run:
            ctx.claim_early(platform)
        return entries

    # The platform's checks and listing do not depend on the cloud's: both sides are read at once.
    entries, found = alongside(platform_side, lambda: _cloud(provider))
    return _situation(platform, provider, run, found, entries)


def look(platform: Akka, provider: Provider, run: Run) -> Situation:
    """What the cloud and the platform hold now for the consumer, read again (both at once)."""
    entries, found = alongside(platform.entries, provider.inspect)
    return _situation(platform, provider, run, found, entries)


def _situation(
    platform: Akka, provider: Provider, run: Run, found: Inspection, entries: list[PlatformEntry]
) -> Situation:
    server, username = provider.login(found)
    entry = platform.find(server, entries)
    if entry and found.identity is None and same_server(entry.server, server):
        # The platform holds a credential for this registry, so the identity should exist; a cloud that says
        # otherwise may be a replica behind, right after onboarding. Believing it would make a second identity
        # beside the first (onboard) or leave the first behind (offboard).
        found = _look_again(provider, run)
        server, username = provider.login(found)
    return Situation(platform.consumer, platform, provider, run, found, server, username, entry)


def _cloud(provider: Provider) -> Inspection:
    provider.preflight()
    return provider.inspect()


# How long a cloud that does not show the identity the platform's credential belongs to may take to show it, before
# "there is none" is believed.
IDENTITY_LAG = 60.0


def _look_again(provider: Provider, run: Run) -> Inspection:
    def found() -> Inspection | None:
        again = provider.inspect()
        return again if again.identity is not None else None

    shown = appeared(
        found,
        what=f"the {provider.name} identity to be listed",
        ui=run.ui,
        within=IDENTITY_LAG,
        clock=run.settings.clock,
    )
    return shown or Inspection()

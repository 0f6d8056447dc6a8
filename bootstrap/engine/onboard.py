"""onboard: make the identity, grant it, mint a credential, prove it, hand it to the platform, retire the rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bootstrap.engine import Context, Request, Situation, begin, checked, look
from bootstrap.engine.execute import retire_all, take, take_beside
from bootstrap.errors import OperationError, PreconditionError, RegbootError, StillPropagating
from bootstrap.journal import Journal
from bootstrap.platforms import PlatformEntry, Unanswered
from bootstrap.platforms.akka import Akka
from bootstrap.provider import Held, Identity, Inspection, Minted, Provider, Run
from bootstrap.result import Result, Step
from bootstrap.verify import verify_credential


def onboard(request: Request, ctx: Context, *, command: str = "onboard") -> Result:
    request = checked(request)
    # A rotation always writes: it leases before it reads. An onboarding writes when the platform holds nothing yet.
    now = begin(request, ctx, leased=command == "rotate", claim_if_new=command == "onboard")
    settled, data = _settled(request, now, command)
    if settled is None and ctx.lease(now.platform, request):
        # Taken just now: a run on another machine may have changed what was read while this one waited.
        now = look(now.platform, now.provider, now.run)
        settled, data = _settled(request, now, command)
    if settled is not None:
        return settled
    platform, consumer, provider, run = now.platform, now.consumer, now.provider, now.run
    found, server, entry = now.found, now.server, now.entry

    with Journal(run.ui) as journal:
        onboarding = provider.onboarding(found)  # the very steps a dry run shows
        ensure = onboarding.ensure
        first = len(ensure) if onboarding.mint_after is None else onboarding.mint_after
        made: Any = found.identity
        for change in ensure[:first]:
            made = take(change, made, journal, run)
        identity: Identity
        minted: Minted
        identity, minted = take_beside(ensure[first:], onboarding.mint, made, journal, run)
        if request.verify:  # a refusal raises here: the journal retires what was minted, the platform is untouched
            try:
                _verify(provider, ctx, run, minted, request.verify_timeout)
            except StillPropagating as err:
                # The identity and grant hold no secret and their propagation has begun: undoing them would make the
                # next run start it again from zero, and fail the same way. Only the unproven key goes.
                kept = journal.keep_secretless()
                for what in kept:
                    run.ui.say(f"kept for the next run: {what}")
                err.data = {**data, "identity": {"kind": identity.kind, "name": identity.name}, "kept": kept}
                raise
        # Once akka may have stored the new credential, rolling it back would leave the platform holding a
        # deleted key: the call and the commit happen together, and a Ctrl-C meanwhile lands after both.
        with journal.creating():
            try:
                platform.add(minted.credential)
            except Unanswered as err:
                # The platform may hold the new credential now: retiring it could leave it holding a dead one.
                journal.commit()
                if not _listed(platform, server, before=entry):
                    then = (
                        "with --update"
                        if provider.takes_password
                        else "it installs a fresh credential and retires the others"
                    )
                    raise OperationError(
                        f"{err.message}; the platform may hold the new credential now, so it was kept",
                        fix=f"Run the same command again once Akka answers ({then}).",
                        code=err.code,
                    ) from None
                run.ui.warn(f"{err.message}, but the platform lists {consumer.secret_name} now")
            journal.commit()
        run.record(
            "installed",
            "credential",
            consumer.secret_name,
            f"{minted.credential.server} as {minted.credential.username} in Akka project {consumer.project}",
        )

    _retire_others(provider, run, identity, minted)
    verb = "rotated" if command == "rotate" else "onboarded"
    return Result(
        command,
        f"{verb} {provider.name}: {consumer.secret_name} holds {minted.credential.server} as "
        f"{minted.credential.username}",
        data={
            **data,
            "changed": True,
            "credential": minted.credential.public(),
            "identity": {"kind": identity.kind, "name": identity.name},
        },
        actions=run.actions,
    )


def _settled(request: Request, now: Situation, command: str) -> tuple[Result | None, dict[str, Any]]:
    """What the run reports without changing anything (the credential in place, or a dry run's plan), or None when
    it has work to do; and the data its result carries."""
    platform, consumer, provider, run = now.platform, now.consumer, now.provider, now.run
    found, server, username, entry = now.found, now.server, now.username, now.entry
    data: dict[str, Any] = {"provider": provider.name, "consumer": consumer.public()}
    if entry and not provider.same_registry(entry, server) and not request.replace:  # --replace: confirmed at the CLI
        _refuse_take_over(platform, entry, server, provider.name)

    in_place = provider.in_place(found, entry)
    expiring = in_place and _expiring(found.held, request.rotate_within)
    if command == "onboard" and not request.update and in_place and not expiring:
        run.record("kept", "credential", consumer.secret_name, f"{server} as {username}, already in place")
        warnings = []
        if request.password is not None:  # a token the user handed in, which the platform never saw
            warnings.append(
                f"the password you gave was not sent: {consumer.secret_name} already holds {server} as {username}; "
                f"to install it, run `regboot rotate {provider.name}` with the same options"
            )
        kept = Result(
            command,
            f"already in place: {consumer.secret_name} holds {server} as {username}",
            data={
                **data,
                "action": "in place",
                "changed": False,
                "credential": {"server": server, "username": username},
            },
            actions=run.actions,
            warnings=warnings,
        )
        return kept, data

    # What this run does to the consumer, as `regboot apply` reports it.
    data["action"] = "rotate" if command == "rotate" or expiring else "update" if entry else "create"
    if not request.dry_run:
        return None, data
    # The identity serves only this consumer, so once the platform holds the new credential every other one it
    # has for this consumer is unused: left over from a rotation, or from a run killed before it could clean up.
    plan = [
        *provider.onboarding(found).plan,
        *_platform_plan(request, consumer.secret_name, server),
        *_retire_plan(provider, found),
    ]
    planned = Result(
        command,
        f"plan for {command} {provider.name} ({len(plan)} steps); nothing was changed",
        data={**data, "dry_run": True, "changed": False},
        plan=plan,
    )
    return planned, data


def _expiring(held: list[Held], within_days: float | None) -> bool:
    """Whether a credential the identity holds expires within `within_days` (None: no such check)."""
    if within_days is None:
        return False
    horizon = datetime.now(UTC) + timedelta(days=within_days)
    return any(h.expires is not None and h.expires <= horizon for h in held)


def _refuse_take_over(platform: Akka, entry: PlatformEntry, server: str, provider: str) -> None:
    """The consumer's secret holds another registry's credential: replacing it would cut that registry off the platform
    and leave its identity's live keys unused, so only an explicit --replace may, and this stops before any cloud
    write, naming a free secret name."""
    consumer = platform.consumer
    taken = {e.name for e in platform.entries()}
    free = next(n for n in (provider, *(f"{provider}-{i}" for i in range(2, 100))) if n not in taken)
    raise PreconditionError(
        f"secret {consumer.secret_name} in Akka project {consumer.project} holds {entry.server} as {entry.username}, "
        f"not {server}",
        fix=f"Pass --secret-name {free} to keep both, or --replace to replace it.",
        code="secret_holds_another_registry",
    )


def _listed(platform: Akka, server: str, *, before: PlatformEntry | None) -> bool:
    """After an unanswered add: whether the platform certainly holds the new credential. Only when it had no entry
    before can a listing tell; a listing that fails tells nothing either."""
    if before is not None:
        return False
    try:
        return platform.find(server) is not None
    except RegbootError:
        return False


def _platform_plan(request: Request, secret_name: str, server: str) -> list[Step]:
    steps = []
    if request.verify:
        steps.append(Step("verify", "credential", server, "prove it can pull before the platform gets it"))
    steps.append(Step("install", "credential", secret_name, f"akka docker add-credentials for {server}"))
    return steps


def _retire_plan(provider: Provider, found: Inspection) -> list[Step]:
    """Every credential the identity holds now: once the platform holds the new one, they are retired."""
    retirement = provider.retirement(found.identity) if found.identity else None
    if retirement is None:
        return []
    return [Step("retire", retirement.kind, h.id, "once the platform holds the new one") for h in found.held]


def _verify(provider: Provider, ctx: Context, run: Run, minted: Minted, timeout: float | None) -> None:
    target = provider.verification(minted)
    if target is None:
        run.ui.warn(f"{provider.name} offers no way to verify its credential; handing it to the platform unproven")
        return
    ctx.extend_lease(target.patience.deadline if timeout is None else timeout)
    proof = verify_credential(target, minted.credential, ui=run.ui, settings=run.settings, timeout=timeout)
    detail = f"after {proof.waited:.1f} s" + (f"; {proof.note}" if proof.note else "")
    run.record("verified", "credential", target.server, detail)


def _retire_others(provider: Provider, run: Run, identity: Identity, minted: Minted) -> list[Held]:
    """The platform already holds the new credential: a failure here is a warning (the old one lingers), not a
    reason to undo a working change."""
    retirement = provider.retirement(identity)
    # An identity made by this run, under the consumer's lock, holds no credential but the new one.
    if identity.created or retirement is None:
        return []
    try:
        return retire_all(retirement, minted.held, run)
    except RegbootError as err:
        run.ui.warn(
            f"could not retire older credentials of {identity.name}: {err.message}. "
            f"Run `regboot rotate {provider.name}` again to finish."
        )
        return []

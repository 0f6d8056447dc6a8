"""onboard: make the identity, grant it, mint a credential, prove it, hand it to the platform, retire the rest."""

from __future__ import annotations

from bootstrap.engine import Context, Request, checked, consumer_data
from bootstrap.errors import RegbootError
from bootstrap.journal import Journal
from bootstrap.provider import Held, Identity, Minted, Provider, Run
from bootstrap.result import Result, Step


def onboard(request: Request, ctx: Context, *, command: str = "onboard") -> Result:
    request = checked(request)
    platform = ctx.platform(request.consumer)
    consumer = platform.preflight()
    provider, run = ctx.provider(request, consumer)
    provider.preflight()
    found = provider.inspect()
    server, username = provider.login(found)
    entry = platform.find(server)
    data = {"provider": provider.name, "consumer": consumer_data(consumer)}

    if command == "onboard" and not request.update and provider.in_place(found, entry):
        run.record("kept", "credential", consumer.secret_name, f"{server} as {username}, already in place")
        return Result(
            command,
            f"already in place: {consumer.secret_name} holds {server} as {username}",
            data={**data, "changed": False, "credential": {"server": server, "username": username}},
            actions=run.actions,
        )

    plan = [*provider.plan(found), *_platform_plan(request, provider, consumer.secret_name, server)]
    if request.dry_run:
        return Result(
            command,
            f"plan for {command} {provider.name} ({len(plan)} steps); nothing was changed",
            data={**data, "dry_run": True, "changed": False},
            plan=plan,
        )

    with Journal(run.ui) as journal:
        identity = provider.ensure_identity(found, journal)
        provider.ensure_grant(identity, found, journal)
        minted = provider.mint(identity, journal)
        platform.add(minted.credential)
        run.record(
            "installed",
            "credential",
            consumer.secret_name,
            f"{minted.credential.server} as {minted.credential.username} in Akka project {consumer.project}",
        )
        journal.commit()

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


def _platform_plan(request: Request, provider: Provider, secret_name: str, server: str) -> list[Step]:
    steps = []
    steps.append(Step("install", "credential", secret_name, f"akka docker add-credentials for {server}"))
    if provider.rotates:
        steps.append(Step("retire", "other credentials", "of the identity", "after the platform holds the new one"))
    return steps


def _retire_others(provider: Provider, run: Run, identity: Identity, minted: Minted) -> list[Held]:
    """The platform already holds the new credential: a failure here is a warning (the old one lingers), not a
    reason to undo a working change."""
    try:
        return provider.retire_others(identity, keep=minted.held)
    except RegbootError as err:
        run.ui.warn(
            f"could not retire older credentials of {identity.name}: {err.message}. "
            f"Run `regboot rotate {provider.name}` again to finish."
        )
        return []

"""offboard: stop use on the platform first, then revoke in the cloud."""

from __future__ import annotations

from bootstrap.engine import Context, Request, checked, consumer_data
from bootstrap.errors import OperationError, PreconditionError
from bootstrap.platforms.akka import same_server
from bootstrap.provider import Inspection, Provider
from bootstrap.result import Result, Step
from bootstrap.ui import Ui
from bootstrap.waiting import appeared

# The platform holds a credential, so its identity should exist: how long a cloud that says otherwise may take to
# show it (a replica behind, right after onboarding) before "gone" is believed.
IDENTITY_LAG = 60.0


def offboard(request: Request, ctx: Context) -> Result:
    request = checked(request)
    platform = ctx.platform(request.consumer)
    consumer = platform.preflight()
    ctx.exclusive(consumer, request)
    provider, run = ctx.provider(request, consumer)
    provider.preflight()
    found = provider.inspect()
    server, username = provider.login(found)
    entry = platform.find(server)
    if entry and found.identity is None:
        found = _look_again(provider, run.ui)
        server, username = provider.login(found)
    if entry and not (same_server(entry.server, server) and (not username or entry.username == username)):
        raise PreconditionError(
            f"secret {consumer.secret_name} in Akka project {consumer.project} holds {entry.server} as "
            f"{entry.username}, not {server} as {username or '?'}; leaving it alone",
            fix="Pass the --secret-name of the credential to remove, or the identity options it was onboarded with.",
            code="other_consumer",
        )
    secret_left = platform.dialect().modern and platform.secret_exists(consumer.secret_name)
    data = {"provider": provider.name, "consumer": consumer_data(consumer)}

    plan = []
    if entry:
        plan.append(Step("remove", "platform credential", entry.name, f"{entry.server} as {entry.username}"))
    if secret_left:
        plan.append(Step("delete", "platform secret", consumer.secret_name))
    plan += provider.removal_plan(found, keep_identity=request.keep_identity)
    if not plan:
        run.record("found", "nothing to remove for", consumer.secret_name, "already offboarded")
        return Result(
            "offboard",
            f"already gone: nothing of {consumer.secret_name} remains",
            data={**data, "changed": False},
            actions=run.actions,
        )
    if request.dry_run:
        return Result(
            "offboard",
            f"plan for offboard {provider.name} ({len(plan)} steps); nothing was changed",
            data={**data, "dry_run": True, "changed": False},
            plan=plan,
        )
    if not request.confirm(f"Remove {len(plan)} things: " + "; ".join(s.text() for s in plan) + "?"):
        raise PreconditionError(
            "offboarding cancelled; nothing was changed", fix="Pass -y to skip the question.", code="cancelled"
        )

    if entry:
        platform.remove(entry)
        run.record("removed", "platform credential", entry.name, f"{entry.server} from Akka project {consumer.project}")
    if secret_left:
        platform.delete_secret(consumer.secret_name)
        run.record("deleted", "platform secret", consumer.secret_name)
    left = provider.remove(found, keep_identity=request.keep_identity)
    if left:
        raise OperationError(
            f"offboarded {consumer.secret_name} from the platform but could not remove: {'; '.join(left)}",
            fix="Run the same command again, or remove those by hand (see docs/providers).",
            code="partial_offboard",
        )
    return Result(
        "offboard",
        f"offboarded {provider.name}: {consumer.secret_name} removed",
        data={**data, "changed": True},
        actions=run.actions,
    )


def _look_again(provider: Provider, ui: Ui) -> Inspection:
    """What the cloud holds, read again until it shows the identity the platform's credential belongs to."""

    def found() -> Inspection | None:
        again = provider.inspect()
        return again if again.identity is not None else None

    shown = appeared(found, what=f"the {provider.name} identity to be listed", ui=ui, within=IDENTITY_LAG)
    return shown or Inspection()

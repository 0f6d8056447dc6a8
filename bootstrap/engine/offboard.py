"""offboard: stop use on the platform first, then revoke in the cloud."""

from __future__ import annotations

from bootstrap.engine import Context, Request, begin, checked
from bootstrap.engine.execute import remove_all
from bootstrap.errors import OperationError, PreconditionError
from bootstrap.result import Result, Step
from bootstrap.server import same_server


def offboard(request: Request, ctx: Context) -> Result:
    request = checked(request)
    now = begin(request, ctx, leased=True)  # no lease for a dry run
    platform, consumer, provider, run = now.platform, now.consumer, now.provider, now.run
    found, server, username, entry = now.found, now.server, now.username, now.entry
    if entry and not (same_server(entry.server, server) and (not username or entry.username == username)):
        held = (
            f"secret {consumer.secret_name} in Akka project {consumer.project} holds {entry.server} as {entry.username}"
        )
        if found.identity is None or found.identity.serves != provider.label:
            raise PreconditionError(
                f"{held}, not {server} as {username or '?'}; leaving it alone",
                fix="Pass the --secret-name of the credential to remove, or the identity options it was onboarded "
                "with.",
                code="other_consumer",
            )
        # The identity records this consumer but the secret now holds another registry (replaced): the identity is a
        # stray, so it goes, and the platform's credential, someone else's now, stays.
        run.ui.say(f"{held} now; leaving it alone and removing only {found.identity.name}")
        entry, taken = None, True
    else:
        taken = False
    secret_left = not taken and platform.dialect().modern and platform.secret_exists(consumer.secret_name)
    data = {"provider": provider.name, "consumer": consumer.public()}

    plan = []
    if entry:
        plan.append(Step("remove", "platform credential", entry.name, f"{entry.server} as {entry.username}"))
    if secret_left:
        plan.append(Step("delete", "platform secret", consumer.secret_name))
    removals = provider.removal(found, keep_identity=request.keep_identity)
    plan += removals.plan
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
    if secret_left and platform.delete_secret(consumer.secret_name):
        run.record("deleted", "platform secret", consumer.secret_name)
    elif secret_left:
        run.record("found", "platform secret", consumer.secret_name, "already deleted with its credential")
    left = remove_all(removals, run)
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

"""apply: every entry of a fleet file converged by onboard, at most N at once, each entry's failure its own; with
prune, what the file no longer lists offboarded, if regboot can prove it manages it.

Each entry runs on a worker thread with its own Context (its own providers, clients, lock and narration prefix).
Signals reach only the main thread: a Ctrl-C there starts no new entry, and the running ones, which never see it,
finish or roll back as they would without it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from typing import Any

from bootstrap import interrupts
from bootstrap.consumer import Consumer
from bootstrap.engine import Context, Request
from bootstrap.engine.fleetfile import Fleet
from bootstrap.engine.offboard import offboard
from bootstrap.engine.onboard import onboard
from bootstrap.engine.prune import Candidate, prunable
from bootstrap.errors import PreconditionError, RegbootError, UsageError
from bootstrap.output import error_item
from bootstrap.result import Result
from bootstrap.settings import Settings
from bootstrap.ui import Ui

COLUMNS = ("entry", "provider", "secret_name", "project", "action", "status", "note")


@dataclass
class Job:
    """One unit of work for the pool: an entry to converge, or a credential to prune."""

    number: int | None  # the entry's number in the file; None for a prune
    provider: str
    consumer: Consumer
    work: Callable[[Context], Result] | None  # None: reported, never run (an unmanaged credential)
    action: str = ""  # known before it runs (prune, unmanaged); else the flow's result says


@dataclass
class Outcome:
    job: Job
    action: str
    status: str  # converged, planned, failed, kept (unmanaged), not started
    changed: bool = False
    note: str = ""  # why an unmanaged credential is kept
    errors: list[dict[str, str]] = field(default_factory=list)
    actions: list[dict[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "not started")

    def data(self) -> dict[str, Any]:
        return {
            "entry": self.job.number,
            "provider": self.job.provider,
            "consumer": self.job.consumer.public(),
            "action": self.action,
            "status": self.status,
            "changed": self.changed,
            "note": self.note,
            "errors": self.errors,
            "actions": self.actions,
        }

    def row(self) -> dict[str, str]:
        c = self.job.consumer
        note = self.errors[0]["message"] if self.errors else self.note
        number = str(self.job.number) if self.job.number else "-"
        return dict(
            entry=number,
            provider=self.job.provider,
            secret_name=c.secret_name,
            project=c.project or "",
            action=self.action,
            status=self.status,
            note=note,
        )


@dataclass(frozen=True)
class Options:
    """How `apply` runs a fleet: checked once, when made, so a bad value stops the run before anything is read."""

    jobs: int  # entries converged at once
    dry_run: bool
    prune: bool  # offboard what the file no longer lists and regboot manages
    rotate_within: float  # days: rotate a credential that expires sooner

    def __post_init__(self) -> None:
        if not 1 <= self.jobs <= 64:
            raise UsageError(f"invalid --jobs {self.jobs}", fix="Give a number of entries between 1 and 64.")
        if not 0 <= self.rotate_within <= 3650:
            raise UsageError(f"invalid --rotate-within {self.rotate_within}", fix="Give days between 0 and 3650.")


def apply(fleet: Fleet, ctx: Context, options: Options, confirm: Callable[[str], bool]) -> Result:
    """Plan (dry_run) or converge every entry, and with `prune` the credentials the file no longer lists."""
    jobs, dry_run = options.jobs, options.dry_run
    work = [
        _converge(entry.number, replace(entry.request, dry_run=dry_run, rotate_within=options.rotate_within))
        for entry in fleet.entries
    ]
    kept: list[Outcome] = []
    if options.prune:
        candidates = prunable(fleet, ctx)
        kept = [Outcome(_unmanaged(c), "unmanaged", "kept", note=c.reason) for c in candidates if not c.managed]
        managed = [c for c in candidates if c.managed]
        if managed and not dry_run:
            names = ", ".join(f"{c.consumer.secret_name} in {c.consumer.project}" for c in managed)
            if not confirm(f"Prune {len(managed)} credential(s) {fleet.path} no longer lists: {names}?"):
                raise PreconditionError(
                    "pruning cancelled; nothing was changed", fix="Pass -y to skip the question.", code="cancelled"
                )
        work += [_prune(c, dry_run) for c in managed]
    outcomes, interrupted = run_pool(work, jobs=jobs, ui=ctx.ui, settings=ctx.settings)
    return _result(fleet, [*outcomes, *kept], dry_run=dry_run, jobs=jobs, interrupted=interrupted)


def _converge(number: int, request: Request) -> Job:
    name = request.provider.name if request.provider else "?"
    return Job(number, name, request.consumer, lambda ctx: onboard(request, ctx))


def _prune(candidate: Candidate, dry_run: bool) -> Job:
    request = Request(
        provider=candidate.cls,
        target=candidate.target,
        consumer=candidate.consumer,
        dry_run=dry_run,
        confirm=lambda question: True,  # confirmed once for the whole prune, before any entry ran
    )
    return Job(None, candidate.provider, candidate.consumer, lambda ctx: offboard(request, ctx), action="prune")


def _unmanaged(candidate: Candidate) -> Job:
    return Job(None, candidate.provider, candidate.consumer, None, action="unmanaged")


def run_pool(work: list[Job], *, jobs: int, ui: Ui, settings: Settings) -> tuple[list[Outcome], bool]:
    """Run every job with at most `jobs` at once; one line per job as it finishes. On Ctrl-C, jobs not yet started
    never start and are reported so; the running ones finish."""
    outcomes: dict[int, Outcome] = {}
    interrupted = False
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="regboot-apply")
    futures: dict[Future[Outcome], int] = {}
    try:
        with interrupts.deferred():  # a Ctrl-C meanwhile lands after every entry is queued, so none is lost track of
            for i, job in enumerate(work):
                futures[pool.submit(_one, job, ui, settings, entry_label(job))] = i
        for future in as_completed(futures):
            outcomes[futures[future]] = _said(future.result(), ui)
    except KeyboardInterrupt:
        interrupted = True
        for future in futures:
            future.cancel()
        # CI follows its SIGINT with a SIGTERM: that must not cut short the wait for entries rolling back
        with interrupts.shielded():
            ui.warn("interrupted: no new entry starts; the running ones finish or roll back")
            for future, i in futures.items():
                if not future.cancelled() and i not in outcomes:
                    outcomes[i] = _said(future.result(), ui)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for i, job in enumerate(work):
        if i not in outcomes:
            outcomes[i] = Outcome(job, job.action or "none", "not started")
    return [outcomes[i] for i in range(len(work))], interrupted


def entry_label(job: Job) -> str:
    c = job.consumer
    return f"[{job.number or 'prune'} {job.provider} {c.secret_name}]"


def _one(job: Job, ui: Ui, settings: Settings, prefix: str) -> Outcome:
    ctx = Context(_EntryUi(ui, prefix), settings)
    assert job.work is not None, "a job without work is reported, never run"
    try:
        result = job.work(ctx)
    except RegbootError as err:
        action = "refused" if isinstance(err, PreconditionError) else job.action or "failed"
        return Outcome(job, action, "failed", errors=[error_item(err)], actions=ctx.done())
    except Exception as exc:  # a bug in one entry must not take the others down
        bug = {"code": "internal", "message": f"internal error: {type(exc).__name__}: {exc}"}
        return Outcome(job, job.action or "failed", "failed", errors=[bug], actions=ctx.done())
    finally:
        ctx.close()
    dry = bool(result.data.get("dry_run"))
    action = job.action or str(result.data.get("action", "in place"))
    if job.action == "prune" and not result.data.get("changed") and not dry:
        action = "prune (already gone)"
    changed = bool(result.data.get("changed"))
    return Outcome(job, action, "planned" if dry else "converged", changed=changed, actions=ctx.done())


def _said(outcome: Outcome, ui: Ui) -> Outcome:
    line = f"{entry_label(outcome.job)} {outcome.action} ({outcome.status})"
    if outcome.errors:
        ui.warn(f"{line}: {outcome.errors[0]['message']}")
    else:
        ui.say(line)
    return outcome


class _EntryUi(Ui):
    """One entry's narration, each line prefixed with the entry, so concurrent entries stay readable."""

    def __init__(self, ui: Ui, prefix: str) -> None:
        super().__init__(stream=ui.stream, debug=ui.debug, interactive=False)
        self.prefix = prefix

    def say(self, message: str) -> None:
        super().say(f"{self.prefix} {message}")

    def progress(self, message: str) -> None:
        super().progress(f"{self.prefix} {message}")

    def warn(self, message: str) -> None:
        super().warn(f"{self.prefix} {message}")


def _result(fleet: Fleet, outcomes: list[Outcome], *, dry_run: bool, jobs: int, interrupted: bool) -> Result:
    failed = [o for o in outcomes if o.failed]
    errors = [{**e, "message": f"{entry_label(o.job)} {e['message']}"} for o in failed for e in o.errors]
    if interrupted:
        errors.append(
            {
                "code": "interrupted",
                "message": "interrupted: entries not yet started were not started",
                "fix": "Run the same command again to finish.",
            }
        )
    done = len(outcomes) - len(failed)
    if dry_run:
        summary = f"plan for {fleet.path}: {len(outcomes)} entries, {len(failed)} refused; nothing was changed"
    else:
        summary = f"applied {fleet.path}: {done} of {len(outcomes)} entries converged, {len(failed)} failed"
    return Result(
        "apply",
        summary,
        data={
            "file": str(fleet.path),
            "dry_run": dry_run,
            "jobs": jobs,
            "changed": any(o.changed for o in outcomes),
            "entries": [o.data() for o in outcomes],
        },
        table=[o.row() for o in outcomes],
        columns=COLUMNS,
        exit_status=interrupts.exit_status() if interrupted else 1 if failed else 0,
        errors=errors,
    )

"""What a provider hands the engine instead of doing the flow itself: the steps a run takes, each as a dry run shows
it together with how to take it. The engine plans, executes and records from the very same objects, so a dry run
and a real run cannot drift (as pipx's transaction helper pairs every change with its undo)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bootstrap.result import Step
from bootstrap.waiting import Patience

if TYPE_CHECKING:
    from bootstrap.provider import Held


@dataclass(frozen=True)
class Undo:
    """How to take back something a step made; `what` is how the rollback names it."""

    what: str
    call: Callable[[], object]


@dataclass(frozen=True)
class Taken:
    """What taking a step did: `value` goes to the next step; `done` is recorded (None: nothing worth saying);
    `undo` goes on the journal."""

    value: Any
    done: Step | None = None
    undo: Undo | None = None


@dataclass(frozen=True)
class Change:
    """One step that makes (or keeps) something: `step` as the plan shows it, and `take`, which makes it so from the
    previous step's value (the first step gets the identity inspection found, or None) and says what it did."""

    step: Step
    take: Callable[[Any], Taken]


@dataclass(frozen=True)
class Onboarding:
    """What an onboarding or rotation takes in the cloud: `ensure` makes the identity and its grant exist (the last
    one's value is the Identity), and `mint` turns that identity into a Minted credential. The mint begins once the
    first `mint_after` changes are taken (None: all of them), from the last one's value, and the rest are taken
    beside it: a grant need not wait for the key, nor the key for the grant."""

    ensure: list[Change]
    mint: Change
    mint_after: int | None = None

    @property
    def plan(self) -> list[Step]:
        return [*(c.step for c in self.ensure), self.mint.step]


@dataclass(frozen=True)
class Removal:
    """One thing offboarding removes: `step` as the plan shows it, `what` names it if it stays, `done` is recorded once
    it is gone. An action that returns False found nothing to remove, and nothing is recorded. An unplanned removal
    is made in case a listing behind hid what it removes: the plan does not show it."""

    step: Step
    what: str
    action: Callable[[], object]
    done: Step
    planned: bool = True


@dataclass(frozen=True)
class Removals:
    """What offboarding removes in the cloud: everything attached to the identity, then the identity (None: kept)."""

    attached: list[Removal]
    identity: Removal | None = None

    @property
    def plan(self) -> list[Step]:
        shown = [r.step for r in self.attached if r.planned]
        return shown + ([self.identity.step] if self.identity else [])


@dataclass(frozen=True)
class Retirement:
    """How the credentials of an identity are retired once the platform holds a new one: `held` lists what it holds
    now (a fresh listing), `retire` retires one; `kind` ("key", "password") and `of` name them."""

    kind: str
    of: str
    held: Callable[[], list[Held]]
    retire: Callable[[Held], object]
    patience: Patience

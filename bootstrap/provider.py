"""What a provider plugin is: a small object that ensures an identity, its grant and its credentials.

The engine owns ordering, verification, the platform call, rollback and reporting; a provider only knows its
cloud. Subclass `Provider`, declare the command-line options as `Param`s, and register the class from a
`register_providers` hook. Import cloud SDKs inside methods, never at module level.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from bootstrap.consumer import Consumer
from bootstrap.credentials import RegistryCredential, Secret
from bootstrap.errors import PreconditionError, UsageError
from bootstrap.journal import Journal
from bootstrap.platforms import PlatformEntry
from bootstrap.result import Step
from bootstrap.server import same_server
from bootstrap.ui import Ui
from bootstrap.verify import VerifyTarget
from bootstrap.waiting import Patience, Retry, poll


@dataclass(frozen=True)
class Param:
    """One provider option on the command line, e.g. Param("gcp_project", "Google Cloud project id", required=True)."""

    name: str
    help: str
    required: bool = False
    default: Any = None
    multiple: bool = False
    choices: tuple[str, ...] = ()
    flag: bool = False  # a boolean switch
    # Whether it says which identity (or where it lives), so offboard takes it too; False: it only says what to
    # make (a role, a lifetime), which offboard ignores as it removes whatever regboot made.
    identifies: bool = True

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class Identity:
    """The cloud principal that pulls."""

    kind: str  # "service account", "service principal", "user"
    name: str  # email, app id, username
    serves: str | None = None  # the consumer label recorded on it
    created: bool = False  # made by this run


@dataclass(frozen=True)
class Held:
    """A key or password an identity holds; never the secret itself."""

    id: str
    created: datetime | None = None
    expires: datetime | None = None
    label: str = ""


@dataclass(frozen=True)
class Minted:
    credential: RegistryCredential
    held: Held


@dataclass
class Inspection:
    """What exists now, read without changing anything."""

    identity: Identity | None = None
    granted: bool = False
    held: list[Held] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # provider-specific, e.g. the registry's login server


@dataclass(frozen=True)
class Removal:
    """One thing offboarding removes: `what` names it if it stays; `done` (verb, kind, name) is recorded once it is
    gone. An action that returns False found nothing to remove, and nothing is recorded."""

    what: str
    action: Callable[[], object]
    done: tuple[str, str, str]


@dataclass
class Run:
    """What a provider gets besides its options: where to narrate, what to record, the environment."""

    ui: Ui
    env: Mapping[str, str]
    actions: list[Step] = field(default_factory=list)
    password: Secret | None = None  # static providers only: what the user handed us

    def record(self, verb: str, what: str, name: str, detail: str = "") -> None:
        self.actions.append(Step(verb, what, name, detail))
        self.ui.say(self.actions[-1].text())

    def remove_all(self, attached: list[Removal], identity: Removal | None) -> list[str]:
        """Try every removal, record each one done, and return precisely what stays. The identity (None: keep it) goes
        last and only when nothing attached to it stayed: a key or grant left on a deleted identity could no longer be
        found by its name, so it is kept for the next offboard to finish."""
        left = [stays for stays in map(self._try, attached) if stays]
        if identity is None:
            return left
        if left:
            return [*left, f"{identity.what} (kept, so that running offboard again can finish)"]
        stays = self._try(identity)
        return [stays] if stays else []

    def retire_all(
        self,
        others: Callable[[], list[Held]],
        retire: Callable[[Held], object],
        *,
        kind: str,
        of: str,
        patience: Patience,
    ) -> list[Held]:
        """Retire every credential `others` lists, and list again until none is left: a replica behind answers a
        delete with 404 as if the thing were gone, so only a fresh listing is believed."""
        retired: dict[str, Held] = {}

        def sweep() -> None:
            for held in others():
                retire(held)
                if held.id not in retired:
                    retired[held.id] = held
                    self.record("retired", kind, held.id, f"of {of}")
            if others():
                raise _Lingering

        poll(
            sweep,
            what=f"the other {kind}s of {of} to be gone",
            not_yet=lambda exc: Retry(f"a retired {kind} is still listed") if isinstance(exc, _Lingering) else None,
            ui=self.ui,
            patience=patience,
        )
        return list(retired.values())

    def _try(self, removal: Removal) -> str | None:
        try:
            done = removal.action()
        except Exception as err:  # keep going: report precisely what stays
            return f"{removal.what} ({getattr(err, 'message', err)})"
        if done is not False:
            self.record(*removal.done)
        return None


class _Lingering(Exception):
    """Something regboot removed is still listed."""


@dataclass(frozen=True)
class Stray:
    """An identity regboot made for a consumer in this platform project that no platform credential uses any more:
    its keys or passwords still work, so `status` shows it with the command that removes it."""

    provider: str
    identity: str
    serves: str
    held: tuple[Held, ...]
    fix: str


@dataclass(frozen=True)
class StatusRow:
    """One platform credential as its cloud sees it (for `regboot status`)."""

    provider: str
    identity: str = ""
    grant: str = ""
    held: tuple[Held, ...] = ()
    stray: tuple[Held, ...] = ()  # credentials on the identity that no platform entry accounts for
    problems: tuple[str, ...] = ()


class Provider:
    """Base class. Class attributes describe the provider; an instance serves one run for one target."""

    name: ClassVar[str]
    summary: ClassVar[str]
    options: ClassVar[tuple[Param, ...]] = ()
    takes_password: ClassVar[bool] = False  # static credentials: the user holds the password
    fallback: ClassVar[bool] = False  # status: claims the platform entries no other provider claims
    # The modules the provider imports when it runs, each with the distribution that brings it: a provider whose
    # SDK is missing says what to install instead of failing on its first import.
    needs: ClassVar[Mapping[str, str]] = {}

    def __init__(self, options: Mapping[str, Any], consumer: Consumer, run: Run) -> None:
        self.opts = dict(options)
        self.consumer = consumer
        self.run = run

    @property
    def label(self) -> str:
        """How this provider's identities record the consumer they serve (Identity.serves)."""
        return self.consumer.label

    @classmethod
    def missing(cls) -> list[str]:
        """The distributions of `needs` that are not installed, found without importing them (listing plugins and
        `--help` stay cheap)."""
        return sorted({dist for module, dist in cls.needs.items() if not _installed(module)})

    @classmethod
    def require(cls) -> None:
        """Raise PreconditionError (exit 3) naming what to install when a distribution the provider needs is missing."""
        missing = cls.missing()
        if missing:
            raise PreconditionError(
                f"the {cls.name} provider cannot run: {', '.join(missing)} not installed",
                fix=f"Install it: {install_command(missing)} (`pip install registry-bootstrap` brings every built-in "
                "provider's SDK).",
                code="sdk_missing",
            )

    @classmethod
    def check(cls, options: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and normalise the options before anything is called; raise UsageError (exit 2)."""
        return dict(options)

    # --- read-only --------------------------------------------------------------------------------------
    def preflight(self) -> None:
        """Check credentials, permissions, policies and that the target exists. Raise PreconditionError."""

    def inspect(self) -> Inspection:
        raise NotImplementedError

    def login(self, found: Inspection) -> tuple[str, str]:
        """(server, username) the platform should hold once this provider's work is done."""
        raise NotImplementedError

    def plan(self, found: Inspection) -> list[Step]:
        """The steps ensure_identity/ensure_grant/mint would take, from what `inspect` found."""
        return []

    def same_registry(self, entry: PlatformEntry, server: str) -> bool:
        """Whether the platform's `entry` holds the registry this run targets (`server`: this provider's login):
        then sending the credential updates it; else it would replace another registry's."""
        return same_server(entry.server, server)

    def in_place(self, found: Inspection, entry: PlatformEntry | None) -> bool:
        """True when nothing needs doing: the platform holds this provider's login and the identity a credential."""
        if entry is None or found.identity is None:
            return False
        server, username = self.login(found)
        # Exactly one: with two, a run was interrupted or a rotation left one behind, and only a fresh
        # credential on the platform tells which one is in use.
        email = self.consumer.email  # a changed --email is a change to send, not "in place"
        return (
            (entry.server, entry.username) == (server, username)
            and (not email or entry.email == email)
            and found.granted
            and len(found.held) == 1
        )

    # --- changes ----------------------------------------------------------------------------------------
    def ensure_identity(self, found: Inspection, journal: Journal) -> Identity:
        raise NotImplementedError

    def ensure_grant(self, identity: Identity, found: Inspection, journal: Journal) -> None:
        raise NotImplementedError

    def mint(self, identity: Identity, journal: Journal) -> Minted:
        raise NotImplementedError

    def verification(self, minted: Minted) -> VerifyTarget | None:
        """How to prove `minted` can pull before the platform gets it: the registry, the repository to read, whether
        a refusal may only mean "not yet" (new keys and grants propagate) and how long to wait by default.
        None: nothing to prove it against; the engine warns and hands the credential over unproven."""
        return None

    def retire_plan(self, found: Inspection) -> list[Step]:
        """What `retire_others` would retire after a rotation: every credential the identity holds now."""
        return [Step("retire", "credential", h.id, "once the platform holds the new one") for h in found.held]

    def retire_others(self, identity: Identity, keep: Held) -> list[Held]:
        """Retire every credential of `identity` but `keep`; return what was retired."""
        return []

    def removal_plan(self, found: Inspection, *, keep_identity: bool) -> list[Step]:
        """The steps `remove` would take."""
        return []

    def remove(self, found: Inspection, *, keep_identity: bool) -> list[str]:
        """Retire credentials, grants and (unless keep_identity) the identity. Return what could not be removed."""
        return []

    def close(self) -> None:
        """Release clients (event loops, connection pools). Called once the flow is done with the provider."""

    # --- status, and commands by --secret-name alone --------------------------------------------------
    @classmethod
    def options_for(cls, entry: PlatformEntry, *, command: str) -> dict[str, Any]:
        """The options that name `entry`'s registry and identity, read from the entry, for `command` (rotate or
        offboard) by --secret-name alone. Raise UsageError naming the flags to give where the entry does not say."""
        raise UsageError(
            f"the platform entry {entry.name} does not say which {cls.name} identity it uses",
            fix=f"Run the {cls.name} form with the options it was onboarded with: `regboot rotate {cls.name} ...`.",
        )

    @classmethod
    def claims(cls, entry: PlatformEntry) -> bool:
        """Whether a platform entry looks like one of this provider's (by server)."""
        return False

    @classmethod
    def strays(cls, entries: list[PlatformEntry], project: str, run: Run) -> list[Stray]:
        """Identities of this provider's cloud that record a consumer of Akka project `project` and that none of
        `entries` (every credential the project holds) uses. Look where the entries point; [] if nothing to say."""
        return []

    @classmethod
    def describe(cls, entries: list[PlatformEntry], run: Run) -> list[StatusRow]:
        """What the cloud says about the identities behind `entries` (all claimed by this provider)."""
        return [StatusRow(cls.name) for _ in entries]


def install_command(missing: list[str]) -> str:
    return f"pip install {' '.join(missing)}"


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package is missing, or the module is blocked in sys.modules
        return False

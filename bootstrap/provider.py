"""What a provider plugin is: a small object that ensures an identity, its grant and its credentials.

The engine owns ordering, verification, the platform call, rollback and reporting; a provider only knows its
cloud. Subclass `Provider`, declare the command-line options as `Param`s, and register the class from a
`register_providers` hook. Import cloud SDKs inside methods, never at module level.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from bootstrap.consumer import Consumer
from bootstrap.credentials import RegistryCredential, Secret
from bootstrap.errors import PreconditionError, UsageError
from bootstrap.platforms import PlatformEntry
from bootstrap.result import Step
from bootstrap.server import same_server
from bootstrap.settings import Settings
from bootstrap.steps import Onboarding, Removals, Retirement
from bootstrap.ui import Ui
from bootstrap.verify import VerifyTarget


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


@dataclass
class Run:
    """What a provider gets besides its options: where to narrate, what to record, the settings."""

    ui: Ui
    settings: Settings
    actions: list[Step] = field(default_factory=list)
    password: Secret | None = None  # static providers only: what the user handed us

    def record(self, verb: str, what: str, name: str, detail: str = "") -> None:
        self.actions.append(Step(verb, what, name, detail))
        self.ui.say(self.actions[-1].text())


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
    """One platform credential as its cloud sees it (for `regboot status`). The provider fills what its cloud says;
    the engine judges the expiry against its clock (`expired`)."""

    provider: str
    identity: str = ""
    grant: str = ""
    held: tuple[Held, ...] = ()
    stray: tuple[Held, ...] = ()  # credentials on the identity that no platform entry accounts for
    problems: tuple[str, ...] = ()

    @property
    def expires(self) -> datetime | None:
        """When the first credential the platform may hold stops working."""
        return first_expiry(self.held)

    def expired(self, now: datetime) -> bool:
        return self.expires is not None and self.expires <= now


def first_expiry(held: Iterable[Held]) -> datetime | None:
    """The earliest end among credentials that have one."""
    return min((h.expires for h in held if h.expires), default=None)


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

    def __init__(self, target: Any, consumer: Consumer, run: Run) -> None:
        """`target`: what `check` made of the options, parsed once."""
        self.target = target
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
    def check(cls, options: Mapping[str, Any]) -> Any:
        """Validate the options before anything is called and make of them the typed target the instance keeps (what
        to make, where, for whom); raise UsageError (exit 2)."""
        return dict(options)

    # --- read-only --------------------------------------------------------------------------------------
    def preflight(self) -> None:
        """Check credentials, permissions, policies and that the target exists. Raise PreconditionError."""

    def inspect(self) -> Inspection:
        raise NotImplementedError

    def login(self, found: Inspection) -> tuple[str, str]:
        """(server, username) the platform should hold once this provider's work is done."""
        raise NotImplementedError

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

    # --- what a run changes, as data the engine plans from and executes ---------------------------------------
    def onboarding(self, found: Inspection) -> Onboarding:
        """The changes that make the identity and its grant exist from what `inspect` found, and the mint. Raise
        PreconditionError when the identity serves another consumer."""
        raise NotImplementedError

    def verification(self, minted: Minted) -> VerifyTarget | None:
        """How to prove `minted` can pull before the platform gets it: the registry, the repository to read, whether
        a refusal may only mean "not yet" (new keys and grants propagate) and how long to wait by default.
        None: nothing to prove it against; the engine warns and hands the credential over unproven."""
        return None

    def retirement(self, identity: Identity) -> Retirement | None:
        """How `identity`'s credentials are listed and retired once the platform holds a new one (None: nothing of
        them is regboot's to retire)."""
        return None

    def removal(self, found: Inspection, *, keep_identity: bool) -> Removals:
        """What offboarding removes: credentials, grants and (unless keep_identity) the identity."""
        return Removals([])

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

    def status(self, entry: PlatformEntry) -> StatusRow:
        """What the cloud says about the identity behind `entry`, this provider's platform entry (an instance made
        from `options_for(entry, command="status")`)."""
        return StatusRow(self.name)


def install_command(missing: list[str]) -> str:
    return f"pip install {' '.join(missing)}"


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package is missing, or the module is blocked in sys.modules
        return False

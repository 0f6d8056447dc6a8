"""The stable surface for provider plugins: everything a plugin may import from regboot, and nothing else.

A plugin (the built-in ones included) imports from `bootstrap.api` only, as llm's plugins import `llm`; the modules
behind these names may be renamed or split without breaking a plugin, and an import-linter contract in
pyproject.toml holds the built-in providers to it. Every name here is light to import: `regboot --help` loads
plugin modules, so nothing heavy (no HTTP client, no cloud SDK) may load with this module.

What it holds: the provider and its options (Provider, Param, hookimpl); what a provider reads and returns (Consumer,
Run, Identity, Held, Minted, Inspection, Stray, StatusRow, Step, PlatformEntry, RegistryCredential, Secret,
DEFAULT_IDENTITY); the steps it hands the engine to plan and take (Onboarding, Change, Taken, Undo, Removals,
Removal, Retirement); narration (Ui); proving a credential pulls (VerifyTarget, PLAIN_HTTP_HELP, check_plain_http);
waiting (Patience, Retry, poll, appeared, retry_after, Clock, REAL_CLOCK), and one cloud call retried and its
failure made a domain error (cloud_call, CloudErrors); errors, each with its exit status
(RegbootError; UsageError 2, PreconditionError 3, OperationError 1); registry servers (Server, check_server,
check_username); the settings read at start, with their endpoints and timeouts (Settings, Endpoint), and the
network; several reads at once (together, caught).
"""

from __future__ import annotations

from bootstrap import network
from bootstrap.clock import REAL as REAL_CLOCK
from bootstrap.clock import Clock
from bootstrap.consumer import DEFAULT_IDENTITY, Consumer
from bootstrap.credentials import RegistryCredential, Secret
from bootstrap.endpoints import Endpoint
from bootstrap.errors import OperationError, PreconditionError, RegbootError, UsageError
from bootstrap.parallel import caught, together
from bootstrap.platforms import PlatformEntry
from bootstrap.plugins.hookspecs import hookimpl
from bootstrap.provider import (
    Held,
    Identity,
    Inspection,
    Minted,
    Param,
    Provider,
    Run,
    StatusRow,
    Stray,
)
from bootstrap.result import Step
from bootstrap.server import Server, check_server, check_username
from bootstrap.settings import Settings
from bootstrap.steps import Change, Onboarding, Removal, Removals, Retirement, Taken, Undo
from bootstrap.ui import Ui
from bootstrap.verify import PLAIN_HTTP_HELP, VerifyTarget, check_plain_http
from bootstrap.waiting import BRIEF, Attempts, CloudErrors, Patience, Retry, appeared, cloud_call, poll, retry_after

__all__ = [
    "BRIEF",
    "DEFAULT_IDENTITY",
    "PLAIN_HTTP_HELP",
    "REAL_CLOCK",
    "Attempts",
    "Change",
    "Clock",
    "CloudErrors",
    "Consumer",
    "Endpoint",
    "Held",
    "Identity",
    "Inspection",
    "Minted",
    "Onboarding",
    "OperationError",
    "Param",
    "Patience",
    "PlatformEntry",
    "PreconditionError",
    "Provider",
    "RegbootError",
    "RegistryCredential",
    "Removal",
    "Removals",
    "Retirement",
    "Retry",
    "Run",
    "Secret",
    "Server",
    "Settings",
    "StatusRow",
    "Step",
    "Stray",
    "Taken",
    "Ui",
    "Undo",
    "UsageError",
    "VerifyTarget",
    "appeared",
    "caught",
    "check_plain_http",
    "check_server",
    "check_username",
    "cloud_call",
    "hookimpl",
    "network",
    "poll",
    "retry_after",
    "together",
]

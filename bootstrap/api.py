"""The stable surface for provider plugins: everything a plugin may import from regboot, and nothing else.

A plugin (the built-in ones included) imports from `bootstrap.api` only, as llm's plugins import `llm`; the modules
behind these names may be renamed or split without breaking a plugin, and an import-linter contract in
pyproject.toml holds the built-in providers to it. Every name here is light to import: `regboot --help` loads
plugin modules, so nothing heavy (no HTTP client, no cloud SDK) may load with this module.

What it holds: the provider and its options (Provider, Param, hookimpl); what a provider reads and returns (Consumer,
Run, Identity, Held, Minted, Inspection, Removal, Stray, StatusRow, Step, PlatformEntry, RegistryCredential, Secret,
DEFAULT_IDENTITY); undo and narration (Journal, Ui); proving a credential pulls (VerifyTarget, PLAIN_HTTP_HELP,
check_plain_http); waiting (Patience, Retry, poll, appeared, retry_after, Clock, REAL_CLOCK); errors, each with its
exit status (RegbootError; UsageError 2, PreconditionError 3, OperationError 1); registry servers (Server,
check_server, check_username); endpoints, timeouts and the network
(Endpoint, endpoint, call_timeout, network); several reads at once (together, caught).
"""

from __future__ import annotations

from bootstrap import network
from bootstrap.clock import REAL as REAL_CLOCK
from bootstrap.clock import Clock
from bootstrap.consumer import DEFAULT_IDENTITY, Consumer
from bootstrap.credentials import RegistryCredential, Secret
from bootstrap.endpoints import Endpoint, call_timeout, endpoint
from bootstrap.errors import OperationError, PreconditionError, RegbootError, UsageError
from bootstrap.journal import Journal
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
    Removal,
    Run,
    StatusRow,
    Stray,
)
from bootstrap.result import Step
from bootstrap.server import Server, check_server, check_username
from bootstrap.ui import Ui
from bootstrap.verify import PLAIN_HTTP_HELP, VerifyTarget, check_plain_http
from bootstrap.waiting import Patience, Retry, appeared, poll, retry_after

__all__ = [
    "DEFAULT_IDENTITY",
    "PLAIN_HTTP_HELP",
    "REAL_CLOCK",
    "Clock",
    "Consumer",
    "Endpoint",
    "Held",
    "Identity",
    "Inspection",
    "Journal",
    "Minted",
    "OperationError",
    "Param",
    "Patience",
    "PlatformEntry",
    "PreconditionError",
    "Provider",
    "RegbootError",
    "RegistryCredential",
    "Removal",
    "Retry",
    "Run",
    "Secret",
    "Server",
    "StatusRow",
    "Step",
    "Stray",
    "Ui",
    "UsageError",
    "VerifyTarget",
    "appeared",
    "call_timeout",
    "caught",
    "check_plain_http",
    "check_server",
    "check_username",
    "endpoint",
    "hookimpl",
    "network",
    "poll",
    "retry_after",
    "together",
]

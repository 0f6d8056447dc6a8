"""The hooks a provider plugin implements. Built-in providers use them exactly as a third party does."""

from __future__ import annotations

from collections.abc import Callable

import pluggy

hookspec = pluggy.HookspecMarker("registry_bootstrap")
hookimpl = pluggy.HookimplMarker("registry_bootstrap")


@hookspec
def register_providers(register: Callable[[type], None]) -> None:
    """Call `register(ProviderClass)` once for each provider this plugin offers.

    A provider class subclasses `bootstrap.api.Provider`. Import cloud SDKs inside its methods, not at
    module level: every regboot command, `--help` included, loads this hook's module."""

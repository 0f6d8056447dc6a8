"""Find provider plugins through the `registry_bootstrap.providers` entry-point group and ask them for providers.

A plugin that fails to import is reported as a warning and skipped, never a crash: one broken third-party
package must not take the whole tool down.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

import pluggy

from bootstrap.errors import UsageError
from bootstrap.plugins import hookspecs
from bootstrap.settings import plugin_specs

if TYPE_CHECKING:
    from bootstrap.platforms import PlatformEntry
    from bootstrap.provider import Provider

GROUP = "registry_bootstrap.providers"


@dataclass
class Plugin:
    """One entry point: where it came from and what it gave (or why it failed)."""

    name: str
    module: str
    distribution: str
    version: str
    providers: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class Registry:
    providers: dict[str, type[Provider]]
    plugins: list[Plugin]

    def provider(self, name: str) -> type[Provider]:
        try:
            return self.providers[name]
        except KeyError:
            known = ", ".join(sorted(self.providers)) or "none"
            raise UsageError(f"unknown provider {name!r}", fix=f"Installed providers: {known}.") from None

    def claimant(self, entry: PlatformEntry) -> type[Provider] | None:
        """The provider a platform entry belongs to, by its server: the specific ones first, then a fallback."""
        for cls in sorted(self.providers.values(), key=lambda cls: cls.fallback):
            if cls.claims(entry):
                return cls
        return None


@cache
def registry() -> Registry:
    """Load every plugin once per process."""
    manager = pluggy.PluginManager("registry_bootstrap")
    manager.add_hookspecs(hookspecs)
    providers: dict[str, type[Provider]] = {}
    plugins: list[Plugin] = []
    by_name: dict[str, Plugin] = {}
    for ep in _entry_points():
        plugin = Plugin(ep.name, ep.value, *_distribution(ep))
        plugins.append(plugin)
        try:
            manager.register(importlib.import_module(ep.value), name=f"{plugin.distribution}:{ep.name}")
            by_name[f"{plugin.distribution}:{ep.name}"] = plugin
        except Exception as exc:  # a broken plugin is the plugin's bug, not a reason to stop
            plugin.error = f"{type(exc).__name__}: {exc}"

    # Call each implementation on its own, so every provider is attributed to the plugin that gave it.
    for impl in reversed(manager.hook.register_providers.get_hookimpls()):
        plugin = by_name[impl.plugin_name]

        def register(cls: type[Provider], plugin: Plugin = plugin) -> None:
            if cls.name in providers:
                plugin.error = f"provider {cls.name!r} is already registered by another plugin; ignored"
                return
            providers[cls.name] = cls
            plugin.providers.append(cls.name)

        try:
            impl.function(register=register)
        except Exception as exc:
            plugin.error = f"{type(exc).__name__}: {exc}"
    return Registry(providers, plugins)


def _entry_points() -> list[EntryPoint]:
    found = list(entry_points(group=GROUP))
    # Lets tests and plugin authors try a plugin module without packaging it: name=module,name=module
    for spec in plugin_specs():
        name, _, value = spec.partition("=")
        found.append(EntryPoint(name=name.strip(), value=(value or name).strip(), group=GROUP))
    return found


def _distribution(ep: EntryPoint) -> tuple[str, str]:
    dist = ep.dist
    if dist is None:
        return "REGBOOT_PLUGINS", ""
    return dist.name, dist.version

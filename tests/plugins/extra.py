"""A third-party provider plugin, registered through the same hook the built-ins use."""

from bootstrap.plugins.hookspecs import hookimpl
from providers.static import Private


class Nexus(Private):
    name = "nexus"
    summary = "A Nexus repository manager (test plugin)."


@hookimpl
def register_providers(register):
    register(Nexus)

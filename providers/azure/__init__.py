"""Azure: Container Registry, through an app registration and service principal with the pull role.

This module is imported by every regboot command; the Azure SDKs are imported only when the provider runs."""

from __future__ import annotations

from typing import Any

from bootstrap.api import hookimpl


@hookimpl
def register_providers(register: Any) -> None:
    from providers.azure.provider import Acr

    register(Acr)

"""Google: gcr.io hosts and Artifact Registry, through a reader service account and a JSON key.

This module is imported by every regboot command; the Google SDKs are imported only when a provider runs."""

from __future__ import annotations

from typing import Any

from bootstrap.api import hookimpl


@hookimpl
def register_providers(register: Any) -> None:
    from providers.gcp.provider import Gar, Gcr

    register(Gcr)
    register(Gar)

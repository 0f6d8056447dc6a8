"""A Google world: the emulator with one project, its gcr.io repository and an Artifact Registry repository."""

from __future__ import annotations

import pytest

PROJECT = "shop-prod-1"


@pytest.fixture
def google(sandbox, monkeypatch):
    from bootstrap.sandbox.google import GoogleEmulator

    emulator = GoogleEmulator()
    emulator.model.add_project(PROJECT)
    emulator.model.add_repository(PROJECT, "us", "gcr.io")
    emulator.model.add_repository(PROJECT, "us-central1", "apps")
    emulator.model.add_repository(PROJECT, "us-central1", "other")
    for key, value in emulator.start().items():
        monkeypatch.setenv(key, value)
    yield emulator
    emulator.stop()


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on: connecting to it is refused."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def user_adc(tmp_path):
    """End-user credentials where `gcloud auth application-default login` leaves them (in this test's HOME), without
    a quota project, holding an access token valid for centuries: no refresh ever goes to Google's token endpoint."""
    import json

    from google.auth import _cloud_sdk

    path = tmp_path / "home" / ".config" / "gcloud" / "application_default_credentials.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    info = {
        "type": "authorized_user",
        "client_id": _cloud_sdk.CLOUD_SDK_CLIENT_ID,
        "client_secret": "sandbox-client-secret",
        "refresh_token": "sandbox-refresh-token",
        "token": "sandbox-access-token",
        "expiry": "2999-01-01T00:00:00Z",
    }
    path.write_text(json.dumps(info))
    return path

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

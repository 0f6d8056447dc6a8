"""An Azure world: the ARM and Graph emulators with a legacy and an ABAC registry, and the stand-in `az`."""

from __future__ import annotations

import os

import pytest

REGISTRY = "shopregistry"
ABAC = "shopabac"


@pytest.fixture
def azure(sandbox, monkeypatch):
    from bootstrap.sandbox.azure import AzureEmulator

    emulator = AzureEmulator()
    emulator.model.add_registry(REGISTRY, resource_group="rg-shop")
    emulator.model.add_registry(ABAC, resource_group="rg-shop", abac=True)
    for key, value in emulator.start().items():
        monkeypatch.setenv(key, value)
    emulator.install_az(sandbox.bin)
    monkeypatch.setenv("PATH", f"{sandbox.bin}{os.pathsep}{os.environ['PATH']}")
    yield emulator
    emulator.stop()

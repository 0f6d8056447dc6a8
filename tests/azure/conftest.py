"""Worlds for the Azure sandbox tests: a started emulator, the stand-in `az` on PATH, and the real Azure clients.

The suite-wide conftest keeps every test on loopback (in child processes too, `az` included).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.identity import DefaultAzureCredential
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.containerregistry import ContainerRegistryManagementClient
from azure_world import ABAC_REGISTRY, GRAPH_SCOPE, LEGACY_REGISTRY, RESOURCE_GROUP, arm_client
from msgraph import GraphServiceClient

from bootstrap.sandbox.azure import AzureEmulator


@pytest.fixture(scope="session")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AzureEmulator, Path]]:
    """One started emulator for the session, with its stand-in `az`; each test gets a fresh model (`azure`)."""
    emulator = AzureEmulator()
    emulator.start()
    bin_dir = tmp_path_factory.mktemp("azure-bin")
    emulator.install_az(bin_dir)
    yield emulator, bin_dir
    emulator.stop()


@pytest.fixture
def azure(running: tuple[AzureEmulator, Path], monkeypatch: pytest.MonkeyPatch) -> AzureEmulator:
    """A tenant with a legacy and an ABAC registry, its emulators serving it and its `az` first on PATH."""
    emulator, bin_dir = running
    model = emulator.reset()
    model.add_registry(LEGACY_REGISTRY, resource_group=RESOURCE_GROUP)
    model.add_registry(ABAC_REGISTRY, resource_group=RESOURCE_GROUP, abac=True)
    for name, value in emulator.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return emulator


@pytest.fixture
def credential(azure: AzureEmulator) -> DefaultAzureCredential:
    return DefaultAzureCredential()  # AZURE_TOKEN_CREDENTIALS=AzureCliCredential: only the stand-in `az` is asked


@pytest.fixture
def acr(azure: AzureEmulator, credential: DefaultAzureCredential) -> ContainerRegistryManagementClient:
    return arm_client(ContainerRegistryManagementClient, azure, credential)


@pytest.fixture
def authz(azure: AzureEmulator, credential: DefaultAzureCredential) -> AuthorizationManagementClient:
    return arm_client(AuthorizationManagementClient, azure, credential)


GraphStory = Callable[[GraphServiceClient], Awaitable[Any]]


@pytest.fixture
def graph(azure: AzureEmulator, credential: DefaultAzureCredential) -> Callable[[GraphStory], Any]:
    """Run an async story against a GraphServiceClient made inside its own event loop (its httpx pool is per loop)."""

    def run(story: GraphStory, scopes: tuple[str, ...] = (GRAPH_SCOPE,)) -> Any:
        async def main() -> Any:
            client = GraphServiceClient(credential, scopes=list(scopes))
            client.request_adapter.base_url = f"{azure.graph.url}/v1.0"
            return await story(client)

        return asyncio.run(main())

    return run


def pytest_configure(config: pytest.Config) -> None:
    # msgraph's generated request builders use their own deprecated classes; not ours to fix.
    config.addinivalue_line("filterwarnings", "ignore:This class is deprecated:DeprecationWarning:msgraph")
    config.addinivalue_line("filterwarnings", "ignore:GetQueryParameters is deprecated:DeprecationWarning:kiota")

"""A fresh Google world per test, and the real client libraries pointed at it.

The suite-wide conftest already keeps every test on loopback with NO_GCE_CHECK and GCE_METADATA_HOST set.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
import requests
from google.auth.credentials import AnonymousCredentials
from google.cloud import artifactregistry_v1, iam_admin_v1, resourcemanager_v3
from google.cloud.iam_admin_v1.services.iam.transports import IAMGrpcTransport

from bootstrap.sandbox.google import GoogleEmulator

PROJECT = "demo-project"
LOCATION = "us"
REPOSITORY = f"projects/{PROJECT}/locations/{LOCATION}/repositories/gcr.io"


@pytest.fixture(scope="session")
def google_servers() -> Iterator[GoogleEmulator]:
    emulator = GoogleEmulator()
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def google(google_servers: GoogleEmulator) -> GoogleEmulator:
    """The emulator with a fresh world: one project and the Artifact Registry repository behind gcr.io."""
    google_servers.reset()
    google_servers.model.add_project(PROJECT)
    google_servers.model.add_repository(PROJECT, LOCATION, "gcr.io")
    return google_servers


@pytest.fixture
def iam(google: GoogleEmulator) -> Iterator[iam_admin_v1.IAMClient]:
    channel = grpc.insecure_channel(google.env["REGBOOT_GCP_IAM_ENDPOINT"].removeprefix("http://"))
    yield iam_admin_v1.IAMClient(transport=IAMGrpcTransport(channel=channel))
    channel.close()


@pytest.fixture
def projects(google: GoogleEmulator) -> resourcemanager_v3.ProjectsClient:
    endpoint = google.env["REGBOOT_GCP_RESOURCEMANAGER_ENDPOINT"]
    return resourcemanager_v3.ProjectsClient(
        credentials=AnonymousCredentials(), transport="rest", client_options={"api_endpoint": endpoint}
    )


@pytest.fixture
def registry(google: GoogleEmulator) -> artifactregistry_v1.ArtifactRegistryClient:
    endpoint = google.env["REGBOOT_GCP_ARTIFACTREGISTRY_ENDPOINT"]
    return artifactregistry_v1.ArtifactRegistryClient(
        credentials=AnonymousCredentials(), transport="rest", client_options={"api_endpoint": endpoint}
    )


@pytest.fixture
def control(google: GoogleEmulator) -> Callable[..., requests.Response]:
    """Call the control API the way another process would: `control("POST", "/_sandbox/config", json={...})`."""

    def call(method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, google.control_url + path, timeout=5, **kwargs)

    return call


@pytest.fixture
def eventually() -> Callable[..., Any]:
    """`eventually(check)` polls `check` until it stops raising, for at most `timeout` seconds (default 3)."""

    def poll(check: Callable[[], Any], *, timeout: float = 3.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return check()
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    return poll

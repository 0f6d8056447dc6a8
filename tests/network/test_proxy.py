"""Behind a corporate proxy: every request regboot makes (gRPC, REST, Graph, the registry check) goes through
HTTPS_PROXY/HTTP_PROXY as users spell them, NO_PROXY is honoured by all, and akka is handed the same settings."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from tests.lifecycle.conftest import ARGS
from tests.network.proxy import Proxy

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "grpc_proxy", "no_grpc_proxy")


@pytest.fixture
def proxy(world, monkeypatch, canaries):
    """A proxy named the way corporate setups name it: upper case only, with a password in its URL (which must end
    up nowhere); and no NO_PROXY, not even the sandbox's, so that requests to the emulators go through it."""
    for key in list(os.environ):
        if key.lower() in PROXY_VARIABLES:
            monkeypatch.delenv(key)
    with Proxy() as running:
        url = running.url.replace("//", f"//corp:{canaries.new('proxy-password')}@")
        monkeypatch.setenv("HTTPS_PROXY", url)
        monkeypatch.setenv("HTTP_PROXY", url)  # the sandbox's endpoints are plain http
        yield running


def reached(world, *apis: str) -> set[str]:
    return {urlsplit(world.env[f"REGBOOT_{api}_ENDPOINT"]).netloc for api in apis}


@pytest.mark.parametrize(
    ("provider", "apis"),
    [
        ("gcr", ("GCP_IAM", "GCP_RESOURCEMANAGER", "GCP_ARTIFACTREGISTRY", "REGISTRY")),
        ("acr", ("AZURE_ARM", "AZURE_GRAPH", "REGISTRY")),
    ],
)
def test_every_request_goes_through_the_proxy(world, proxy, regboot_process, provider, apis):
    done = regboot_process("onboard", provider, *ARGS[provider])
    assert done.code == 0, done.stderr
    assert reached(world, *apis) <= proxy.hosts(), f"not through the proxy: {reached(world, *apis) - proxy.hosts()}"
    calls = world.platform_state()["calls"]
    handed = proxy.url.replace("//", "//***@")  # the stand-in akka keeps no proxy password
    assert calls and all(call["network"].get("HTTPS_PROXY") == handed for call in calls)


def test_no_proxy_is_honoured_by_every_client(world, proxy, regboot_process, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    done = regboot_process("onboard", "gcr", *ARGS["gcr"])
    assert done.code == 0, done.stderr
    assert proxy.reached == []


def test_the_sandbox_reaches_its_emulators_directly_behind_a_proxy(monkeypatch, tmp_path, regboot_process):
    from bootstrap.sandbox.world import Sandbox

    monkeypatch.setenv("NO_PROXY", ".corp.example")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # a proxy that cannot reach this machine's loopback
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    with Sandbox(tmp_path / "sandbox", clouds=True) as box:
        assert box.env["NO_PROXY"] == box.env["no_proxy"] == ".corp.example,127.0.0.1,localhost,::1"
        done = regboot_process("onboard", "gcr", *ARGS["gcr"], env=box.env)
        assert done.code == 0, done.stderr

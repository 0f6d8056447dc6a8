"""Network trouble reaching a Google endpoint is final at once, named with its host and cause; only answers that
mean "not yet" are waited for. Nothing here leaves loopback: names that cannot resolve are refused in this process."""

from __future__ import annotations

import socket

import pytest

from bootstrap.sandbox.faults import Fault
from tests.gcp.conftest import PROJECT

GCR = ("onboard", "gcr", "--gcp-project", PROJECT, "--no-verify")


def _fails_at_once_naming(done, host: str, cause: str) -> None:
    assert done.code == 1, done.stderr
    assert host in done.stderr and cause in done.stderr.lower(), done.stderr
    assert "waiting for" not in done.stderr  # not retried as if it were propagation
    assert len(done.stderr.strip().splitlines()) <= 2, done.stderr


def test_a_refused_grpc_connection_fails_at_once_naming_the_host(sandbox, google, regboot, monkeypatch, closed_port):
    monkeypatch.setenv("REGBOOT_GCP_IAM_ENDPOINT", f"http://127.0.0.1:{closed_port}")
    done = regboot(*GCR)
    _fails_at_once_naming(done, f"127.0.0.1:{closed_port}", "refused")
    assert google.model.accounts == {}


def test_a_refused_rest_connection_fails_at_once_naming_the_host(sandbox, google, regboot, monkeypatch, closed_port):
    monkeypatch.setenv("REGBOOT_GCP_RESOURCEMANAGER_ENDPOINT", f"http://127.0.0.1:{closed_port}")
    done = regboot(*GCR)
    _fails_at_once_naming(done, f"127.0.0.1:{closed_port}", "refused")


def test_a_name_that_does_not_resolve_fails_at_once(sandbox, google, regboot, monkeypatch, user_adc):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if str(host).endswith(".invalid"):  # RFC 6761: never resolves; answered here, not by a DNS server
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setenv("REGBOOT_GCP_RESOURCEMANAGER_ENDPOINT", "https://cloudresourcemanager.invalid")
    done = regboot(*GCR)
    _fails_at_once_naming(done, "cloudresourcemanager.invalid", "does not resolve")


def test_a_tls_failure_fails_at_once(sandbox, google, regboot, monkeypatch, user_adc):
    # https:// to the plain-http emulator: the TLS handshake meets an HTTP server
    plain = google.env["REGBOOT_GCP_RESOURCEMANAGER_ENDPOINT"].removeprefix("http://")
    monkeypatch.setenv("REGBOOT_GCP_RESOURCEMANAGER_ENDPOINT", f"https://{plain}")
    done = regboot(*GCR)
    _fails_at_once_naming(done, plain, "tls")


def test_a_tls_failure_over_grpc_fails_at_once(sandbox, google, regboot, monkeypatch, user_adc):
    plain = google.env["REGBOOT_GCP_IAM_ENDPOINT"].removeprefix("http://")
    monkeypatch.setenv("REGBOOT_GCP_IAM_ENDPOINT", f"https://{plain}")
    done = regboot(*GCR)
    _fails_at_once_naming(done, plain, "tls")


@pytest.mark.parametrize("operation", ["crm.projects.get", "iam.ListServiceAccountKeys"])
def test_a_connection_reset_mid_call_is_still_retried(sandbox, google, regboot, operation):
    google.calls.inject(operation, Fault(kind="reset"))
    done = regboot(*GCR)
    assert done.code == 0, done.stderr
    assert "waiting for" in done.stderr and google.calls.pending() == 0

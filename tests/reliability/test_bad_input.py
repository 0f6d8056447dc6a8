"""Malformed and hostile input: exit 2 with a message naming what is wrong, before any cloud or platform call."""

from __future__ import annotations

import pytest

from tests.conftest import akka_commands, cloud_calls

GCR = ("onboard", "gcr", "--gcp-project", "demo-gcp-project")
GAR = ("onboard", "gar", "--gcp-project", "demo-gcp-project", "--location", "us-central1")
ACR = ("onboard", "acr", "--registry", "demoregistry")
PRIVATE = ("onboard", "private", "--server", "https://registry.example.com/v1/", "--username", "bot")

CASES = [
    # (argv, environment, what the message must name)
    (("onboard", "gcr", "--gcp-project", ""), {}, "--gcp-project"),
    (("onboard", "gcr", "--gcp-project", "UPPER-case1"), {}, "--gcp-project"),
    (("onboard", "gcr", "--gcp-project", "ab"), {}, "--gcp-project"),
    (("onboard", "gcr", "--gcp-project", "a" * 31), {}, "--gcp-project"),
    (("onboard", "gcr", "--gcp-project", "proj;rm -rf /"), {}, "--gcp-project"),
    (("onboard", "gcr", "--gcp-project", "proj\nnext-one"), {}, "--gcp-project"),
    (("onboard", "gcr", "--gcp-project", "prøject-1"), {}, "--gcp-project"),
    ((*GCR, "--host", "evil.example.com"), {}, "--host"),
    ((*GCR, "--host", "gcr.io/../x"), {}, "--host"),
    ((*GCR, "--service-account", "ab"), {}, "--service-account"),
    ((*GCR, "--service-account", "Has_Upper1"), {}, "--service-account"),
    ((*GCR, "--service-account", "x" * 31), {}, "--service-account"),
    ((*GCR, "--service-account", "-starts-dash"), {}, "--service-account"),
    ((*GCR, "--role", "roles/$(whoami)"), {}, "--role"),
    ((*GCR, "--role", ""), {}, "--role"),
    ((*GCR, "--role", "owner"), {}, "--role"),
    (("onboard", "gar", "--gcp-project", "demo-gcp-project", "--location", ""), {}, "--location"),
    (("onboard", "gar", "--gcp-project", "demo-gcp-project", "--location", "us central1"), {}, "--location"),
    (("onboard", "gar", "--gcp-project", "demo-gcp-project", "--location", "US-CENTRAL1"), {}, "--location"),
    ((*GAR, "--repository", "Repo"), {}, "--repository"),
    ((*GAR, "--repository", "repo/../other"), {}, "--repository"),
    ((*GAR, "--repository", "r" * 64), {}, "--repository"),
    (("onboard", "acr", "--registry", "ab"), {}, "--registry"),
    (("onboard", "acr", "--registry", "my-registry"), {}, "--registry"),
    (("onboard", "acr", "--registry", "reg.azurecr.io"), {}, "--registry"),
    ((*ACR, "--subscription", "not-a-guid"), {}, "subscription"),
    ((*ACR, "--resource-group", "rg;ls"), {}, "--resource-group"),
    ((*ACR, "--service-principal", "name\nx"), {}, "--service-principal"),
    ((*ACR, "--service-principal", " leading"), {}, "--service-principal"),
    ((*ACR, "--expires-in", "0d"), {}, "--expires-in"),
    ((*ACR, "--expires-in", "forever"), {}, "--expires-in"),
    ((*ACR, "--expires-in", "99999d"), {}, "--expires-in"),
    ((*ACR, "--expires-in", "-5d"), {}, "--expires-in"),
    ((*ACR, "--cloud", "AzureMoon"), {}, "--cloud"),
    (("onboard", "private", "--server", "javascript:alert(1)", "--username", "bot"), {}, "--server"),
    (("onboard", "private", "--server", "https://", "--username", "bot"), {}, "--server"),
    (("onboard", "private", "--server", "https://exa mple.com", "--username", "bot"), {}, "--server"),
    (("onboard", "private", "--server", "https://example.com/?q=1", "--username", "bot"), {}, "--server"),
    (("onboard", "private", "--server", "https://example.com#frag", "--username", "bot"), {}, "--server"),
    (("onboard", "private", "--server", "https://" + "a" * 3000, "--username", "bot"), {}, "--server"),
    (("onboard", "private", "--server", "https://user:pw@example.com", "--username", "bot"), {}, "credentials"),
    (("onboard", "private", "--server", "https://example.com", "--username", "bot;id"), {}, "--username"),
    (("onboard", "private", "--server", "https://example.com", "--username", ""), {}, "--username"),
    (("onboard", "dockerhub", "--username", "bad user"), {}, "--username"),
    ((*PRIVATE, "--secret-name", "UPPER"), {}, "secret name"),
    ((*PRIVATE, "--secret-name", "-dash"), {}, "secret name"),
    ((*GCR, "--secret-name", "x" * 64), {}, "secret name"),
    ((*ACR, "--akka-project", "$(id)"), {}, "--akka-project"),
    ((*GCR, "--akka-region", "us east"), {}, "--akka-region"),
    ((*GCR, "--akka-owner", "a|b"), {}, "--akka-owner"),
    ((*GCR, "--email", "a@b"), {}, "--email"),
    ((*GCR, "--verify-timeout", "0"), {}, "--verify-timeout"),
    (GCR, {"REGBOOT_AKKA_TIMEOUT": "soon"}, "REGBOOT_AKKA_TIMEOUT"),
    (ACR, {"REGBOOT_AKKA_TIMEOUT": "0"}, "REGBOOT_AKKA_TIMEOUT"),
    (GCR, {"REGBOOT_AKKA_TIMEOUT": "inf"}, "REGBOOT_AKKA_TIMEOUT"),
    (GCR, {"REGBOOT_CALL_TIMEOUT": "soon"}, "REGBOOT_CALL_TIMEOUT"),
    (ACR, {"REGBOOT_CALL_TIMEOUT": "0"}, "REGBOOT_CALL_TIMEOUT"),
    (GCR, {"REGBOOT_GCP_IAM_ENDPOINT": "http://10.0.0.1:80"}, "REGBOOT_GCP_IAM_ENDPOINT"),
    (GCR, {"REGBOOT_GCP_RESOURCEMANAGER_ENDPOINT": "ftp://x"}, "REGBOOT_GCP_RESOURCEMANAGER_ENDPOINT"),
    (ACR, {"REGBOOT_AZURE_ARM_ENDPOINT": "http://example.com"}, "REGBOOT_AZURE_ARM_ENDPOINT"),
    (ACR, {"REGBOOT_AZURE_GRAPH_ENDPOINT": "https://host:99999"}, "REGBOOT_AZURE_GRAPH_ENDPOINT"),
    (ACR, {"REGBOOT_AZURE_ARM_ENDPOINT": "https://me:pw@127.0.0.1:1"}, "REGBOOT_AZURE_ARM_ENDPOINT"),
    (GCR, {"REGBOOT_REGISTRY_ENDPOINT": "http://registry.example.com"}, "REGBOOT_REGISTRY_ENDPOINT"),
    (PRIVATE, {"REGBOOT_REGISTRY_ENDPOINT": "https://me:pw@registry.example.com"}, "REGBOOT_REGISTRY_ENDPOINT"),
    (ACR, {"REGBOOT_REGISTRY_ENDPOINT": "file:///etc/passwd"}, "REGBOOT_REGISTRY_ENDPOINT"),
    (("offboard", "gcr", "--gcp-project", "BAD", "-y"), {}, "--gcp-project"),
    (("offboard", "acr", "--registry", "x", "-y"), {}, "--registry"),
    (("rotate", "gar", "--gcp-project", "demo-gcp-project", "--location", "Mars 1"), {}, "--location"),
    (("rotate", "acr", "--registry", "demoregistry", "--expires-in", "1s"), {}, "--expires-in"),
]


@pytest.mark.parametrize(("argv", "env", "names"), CASES, ids=[f"{i:02d}" for i in range(len(CASES))])
def test_bad_input_exits_2_and_reaches_nothing(world, regboot, canaries, monkeypatch, argv, env, names):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    done = regboot(
        *argv,
        "--no-verify" if argv[0] != "offboard" else "--dry-run",
        "-o",
        "json",
        input=canaries.new(),
        env={"REGBOOT_PASSWORD": canaries.new()},
    )
    assert done.code == 2, (done.code, done.stdout, done.stderr)
    error = done.json()["errors"][0]
    assert error["code"] == "usage" and names in error["message"]
    assert 1 <= len(done.stderr.strip().splitlines()) <= 2
    assert cloud_calls(world) == [] and akka_commands(world) == []


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        ((*GCR, "--verify-timeout", "abc"), {}),
        (GCR, {"REGBOOT_VERIFY_TIMEOUT": "abc"}),
        (("onboard", "gcr"), {}),
        (("onboard", "nosuchprovider"), {}),
        ((*GCR, "--output", "yaml"), {}),
    ],
)
def test_unparseable_command_lines_exit_2(world, regboot, monkeypatch, argv, env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    done = regboot(*argv)
    assert done.code == 2 and done.stderr.strip()
    assert cloud_calls(world) == [] and akka_commands(world) == []

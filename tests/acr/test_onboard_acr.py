"""Onboarding ACR against the wire-level ARM and Graph emulators, with the real Azure and Graph libraries."""

from __future__ import annotations

import hashlib

import pytest

from bootstrap.sandbox.faults import Fault
from tests.acr.conftest import ABAC, REGISTRY
from tests.conftest import akka_commands, platform_credentials, set_platform

ACR = ("onboard", "acr", "--registry", REGISTRY, "--no-verify")
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
REPOSITORY_READER = "b93aa761-3e63-49ed-ac28-beffa264f7ac"


def apps(azure):
    return list(azure.model.directory.applications_list())


def assignments(azure):
    return list(azure.model.role_assignments.values())


def mutations(azure) -> list[str]:
    return [c.operation for c in azure.calls.mutating()]


def test_onboard_acr_end_state(sandbox, azure, regboot):
    done = regboot(*ACR)
    assert done.code == 0, done.stderr
    [app] = apps(azure)
    assert app.display_name == "akka-docker-reader" and app.notes.endswith("akka:demo-project/*/docker-credentials")
    sp = azure.model.directory.service_principal_of(app.app_id)
    assert sp is not None
    [password] = app.passwords
    [assignment] = assignments(azure)
    registry = azure.model.registries[REGISTRY]
    assert (assignment.scope, assignment.role_id, assignment.principal_id) == (registry.id, ACR_PULL, sp.id)
    assert assignment.principal_type == "ServicePrincipal"
    held = platform_credentials(sandbox)["docker-credentials"]
    assert (held["server"], held["username"]) == (f"{REGISTRY}.azurecr.io", app.app_id)
    assert held["password_sha256"] == hashlib.sha256(password.secret.encode()).hexdigest()
    assert "expires" in done.stderr


def test_rerun_changes_nothing(sandbox, azure, regboot):
    assert regboot(*ACR).code == 0
    azure.calls.clear()
    before = len(akka_commands(sandbox))
    again = regboot(*ACR)
    assert again.code == 0, again.stderr
    assert "already in place" in again.stdout
    assert mutations(azure) == []
    assert "docker add-credentials" not in akka_commands(sandbox)[before:]


def test_the_app_is_looked_up_while_the_registry_is_read(sandbox, azure, regboot):
    """The directory's side of the inspection (the app and its principal) needs nothing ARM says: Graph is asked
    while ARM is still answering the preflight, and a second look (under the lease) reads Graph again."""
    azure.calls.inject("arm.registries.list", Fault("delay", seconds=3.0))
    done = regboot(*ACR)
    assert done.code == 0, done.stderr
    operations = azure.calls.operations()
    assert operations.index("graph.applications.list") < operations.index("arm.permissions.list")
    assert operations[: operations.index("graph.applications.create")].count("graph.applications.list") == 2
    assert len(apps(azure)) == 1


def test_abac_registry_gets_repository_reader(sandbox, azure, regboot):
    done = regboot("onboard", "acr", "--registry", ABAC, "--no-verify")
    assert done.code == 0, done.stderr
    [assignment] = assignments(azure)
    assert assignment.role_id == REPOSITORY_READER


def test_replication_delays_and_throttling_still_succeed(sandbox, azure, regboot):
    azure.model.replication_delay = 1.5
    azure.calls.inject("graph.servicePrincipals.create", Fault(kind="error", status=429, retry_after=1))
    done = regboot(*ACR)
    assert done.code == 0, done.stderr
    assert azure.calls.pending() == 0
    assert len(assignments(azure)) == 1 and len(apps(azure)[0].passwords) == 1


def test_missing_graph_permission_creates_nothing(sandbox, azure, regboot):
    azure.model.graph_denied = True
    done = regboot(*ACR, "-o", "json")
    assert done.code == 3, done.stderr
    assert "Application" in done.json()["errors"][0]["fix"]
    assert apps(azure) == [] and assignments(azure) == []


def test_missing_role_assignment_permission_is_a_precondition(sandbox, azure, regboot):
    azure.model.arm_denied_actions.add("Microsoft.Authorization/roleAssignments/write")
    done = regboot(*ACR)
    assert done.code == 3 and "role assignments" in done.stderr
    assert mutations(azure) == []


def test_platform_failure_removes_password_and_app(sandbox, azure, regboot):
    set_platform(sandbox, fail={"docker add-credentials": {"message": "the platform is down"}})
    done = regboot(*ACR)
    assert done.code == 1
    assert apps(azure) == [] and assignments(azure) == []
    assert list(azure.model.directory.service_principals_list()) == []


def test_the_password_is_made_beside_the_role_assignment_and_goes_when_it_fails(sandbox, azure, regboot):
    """The password needs the app, the role assignment the principal: both are asked for at once. An assignment
    Azure refuses then ends the run, and the password made meanwhile is rolled back with the app."""
    azure.calls.inject("arm.roleAssignments.create", Fault(kind="error", status=400, message="refused"))
    done = regboot(*ACR)
    assert done.code == 1, done.stderr
    assert "graph.applications.addPassword" in azure.calls.operations()
    assert "rolled back: password" in done.stderr
    assert apps(azure) == [] and assignments(azure) == []
    assert platform_credentials(sandbox) == {}


def test_unknown_registry_is_a_precondition(sandbox, azure, regboot):
    done = regboot("onboard", "acr", "--registry", "nosuchregistry", "--no-verify")
    assert done.code == 3 and "nosuchregistry" in done.stderr
    assert mutations(azure) == []


def test_bad_expiry_is_usage(sandbox, azure, regboot):
    done = regboot(*ACR, "--expires-in", "forever")
    assert done.code == 2 and "--expires-in" in done.stderr
    assert azure.calls.calls == []


def test_the_password_never_reaches_output(sandbox, azure, regboot, canaries):
    done = regboot(*ACR, "-o", "json", "--debug")
    canaries.values.append(apps(azure)[0].passwords[0].secret)
    assert done.code == 0


def test_unregistered_container_registry_namespace_names_the_register_command(sandbox, azure, regboot):
    azure.model.set_resource_provider("Microsoft.ContainerRegistry", registered=False)
    done = regboot(*ACR, "-o", "json")
    assert done.code == 3, done.stdout
    [error] = done.json()["errors"]
    register = f"az provider register --namespace Microsoft.ContainerRegistry --subscription {azure.model.subscription}"
    assert register in error["message"] + error["fix"]
    assert mutations(azure) == []  # not even the SDK's own registration
    assert apps(azure) == [] and list(azure.model.directory.service_principals_list()) == []


def test_signed_out_azure_is_one_short_error_without_the_sdk_dump(sandbox, azure, regboot, regboot_process):
    assert regboot(*ACR).code == 0
    azure.model.signed_in = False
    onboard, status = regboot_process(*ACR), regboot_process("status")
    assert onboard.code == 3, onboard.stderr
    assert len(onboard.stderr.strip().splitlines()) <= 2, onboard.stderr
    assert "AzureCliCredential" in onboard.stderr and "az login" in onboard.stderr
    assert "no usable Azure credentials: tried AzureCliCredential" in status.stdout  # a problem in its row
    for done in (onboard, status):
        assert "DefaultAzureCredential failed" not in done.stderr
        assert "Attempted credentials" not in done.stderr + done.stdout


OTHER_SUBSCRIPTION = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"


def onboarded_registry(azure) -> str:
    """The registry id the one role assignment is on."""
    [assignment] = assignments(azure)
    return assignment.scope


def test_without_a_subscription_the_az_default_is_used(sandbox, azure, regboot, monkeypatch):
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID")
    azure.model.add_subscription(OTHER_SUBSCRIPTION, "team b")
    azure.model.add_registry("teambregistry", resource_group="rg-b", subscription=OTHER_SUBSCRIPTION)
    azure.model.cli_subscription = OTHER_SUBSCRIPTION
    done = regboot("onboard", "acr", "--registry", "teambregistry", "--no-verify")
    assert done.code == 0, done.stderr
    assert onboarded_registry(azure) == azure.model.registries["teambregistry"].id
    assert "arm.subscriptions.list" not in azure.calls.operations()  # az's default was enough


def test_without_a_subscription_the_registry_is_found_in_another_one(sandbox, azure, regboot, monkeypatch):
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID")
    azure.model.add_subscription(OTHER_SUBSCRIPTION, "team b")
    azure.model.add_registry("teambregistry", resource_group="rg-b", subscription=OTHER_SUBSCRIPTION)
    done = regboot("onboard", "acr", "--registry", "teambregistry", "--no-verify")  # az's default lacks it
    assert done.code == 0, done.stderr
    assert onboarded_registry(azure) == azure.model.registries["teambregistry"].id
    assert OTHER_SUBSCRIPTION in onboarded_registry(azure)


def test_a_registry_in_no_subscription_names_every_subscription_searched(sandbox, azure, regboot, monkeypatch):
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID")
    azure.model.add_subscription(OTHER_SUBSCRIPTION, "team b")
    done = regboot("onboard", "acr", "--registry", "nosuchregistry", "--no-verify")
    assert done.code == 3, done.stderr
    assert "nosuchregistry" in done.stderr
    assert azure.model.subscription in done.stderr and OTHER_SUBSCRIPTION in done.stderr
    assert mutations(azure) == []


def unused_loopback_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def no_dns_for_invalid(monkeypatch):
    """`.invalid` never resolves (RFC 6761); answer so here, so that no query leaves the machine."""
    import socket

    resolve = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "where",
    ["arm refused", "arm tls", "arm dns", "graph refused", "graph dns", "login dns", "login refused", "login tls"],
)
def test_network_trouble_fails_at_once_naming_host_and_cause(
    sandbox, azure, regboot, monkeypatch, no_dns_for_invalid, where
):
    service, trouble = where.split()
    host, cause = {
        "refused": (f"127.0.0.1:{unused_loopback_port()}", "refused"),
        "tls": (azure.arm.url.removeprefix("http://"), "TLS"),
        "dns": (f"{service}.regboot.invalid", "does not resolve"),
    }[trouble]
    if service == "login":
        azure.model.login_unreachable = trouble
        host = "login.microsoftonline.com"
    else:
        scheme = "http" if trouble == "refused" else "https"
        monkeypatch.setenv(f"REGBOOT_AZURE_{service.upper()}_ENDPOINT", f"{scheme}://{host}")
    done = regboot(*ACR, "-o", "json")
    assert done.code == 1, done.stdout
    [error] = done.json()["errors"]
    assert host in error["message"] and cause in error["message"], error
    assert "credentials" not in error["message"] and "az login" not in error["fix"]
    assert "waiting for" not in done.stderr  # nothing here is 'not yet'
    assert mutations(azure) == []


def test_status_without_a_subscription_finds_the_grant_where_the_registry_is(sandbox, azure, regboot, monkeypatch):
    azure.model.add_subscription(OTHER_SUBSCRIPTION, "team b")
    azure.model.add_registry("teambregistry", resource_group="rg-b", subscription=OTHER_SUBSCRIPTION)
    assert (
        regboot(
            "onboard", "acr", "--registry", "teambregistry", "--subscription", OTHER_SUBSCRIPTION, "--no-verify"
        ).code
        == 0
    )
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID")
    done = regboot("status", "-o", "json")
    [row] = done.json()["data"]["credentials"]
    assert row["grant"] == f"AcrPull on {azure.model.registries['teambregistry'].id}"


def test_onboarding_reads_graph_without_loading_its_models(sandbox, azure):
    """msgraph's model deserialisers import ~1,200 generated modules on their first parse (2 s of an onboarding):
    regboot reads Graph's JSON itself, so an onboarding loads only the few error models of the adapter."""
    import os
    import subprocess
    import sys

    code = (
        "import atexit, runpy, sys\n"
        "loaded = lambda: sum(m.startswith('msgraph.generated.models.') for m in sys.modules)\n"
        "atexit.register(lambda: sys.__stderr__.write(f'\\nmodels loaded: {loaded()}\\n'))\n"
        "sys.argv = ['regboot', *sys.argv[1:]]\n"
        "runpy.run_module('bootstrap', run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *ACR], env=dict(os.environ), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert apps(azure) and "docker-credentials" in platform_credentials(sandbox)
    models = int(done.stderr.rsplit("models loaded: ", 1)[1].split()[0])
    assert models < 20, f"{models} msgraph model modules loaded"

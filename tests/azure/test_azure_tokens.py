"""Tokens: the stand-in `az` as azure-identity runs it, and ARM and Graph accepting only tokens for their audience."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.mgmt.containerregistry import ContainerRegistryManagementClient
from azure_world import ARM_SCOPE, GRAPH_SCOPE, LEGACY_REGISTRY, RESOURCE_GROUP, arm_client, raw
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from bootstrap.sandbox.azure import AzureModel

REGISTRIES = "/subscriptions/{}/providers/Microsoft.ContainerRegistry/registries?api-version=2025-11-01"


def az(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["az", *args], capture_output=True, text=True, cwd="/bin", timeout=30)


def test_az_stand_in_answers_like_the_cli_azure_identity_runs(azure):
    token = az("account", "get-access-token", "--output", "json", "--resource", "https://management.azure.com")
    scoped = az(
        "account", "get-access-token", "--output", "json", "--scope", GRAPH_SCOPE, "--tenant", azure.model.tenant
    )
    account = az("account", "show", "--output", "json")

    printed = json.loads(token.stdout)
    assert set(printed) == {"accessToken", "expiresOn", "expires_on", "subscription", "tenant", "tokenType"}
    assert (printed["subscription"], printed["tenant"]) == (azure.model.subscription, azure.model.tenant)
    assert datetime.strptime(printed["expiresOn"], "%Y-%m-%d %H:%M:%S.%f").timestamp() == printed["expires_on"]
    assert scoped.returncode == 0 and json.loads(scoped.stdout)["accessToken"] != printed["accessToken"]
    assert json.loads(account.stdout)["id"] == azure.model.subscription


def test_az_stand_in_refuses_like_the_cli(azure):
    other_tenant = az(
        "account",
        "get-access-token",
        "--output",
        "json",
        "--resource",
        "https://graph.microsoft.com",
        "--tenant",
        "00000000-0000-0000-0000-000000000001",
    )
    azure.model.signed_in = False
    signed_out = az("account", "get-access-token", "--output", "json")
    unsupported = az("ad", "sp", "list")

    assert other_tenant.returncode == 1 and "AADSTS90002" in other_tenant.stderr
    assert signed_out.returncode == 1 and "az login" in signed_out.stderr
    assert unsupported.returncode == 2


def test_signed_out_cli_leaves_default_credential_without_a_token(azure, credential):
    azure.model.signed_in = False

    with pytest.raises(ClientAuthenticationError, match="az login"):
        credential.get_token(ARM_SCOPE)


def test_a_token_for_the_emulator_url_is_refused_so_scopes_must_be_explicit(azure, credential):
    with pytest.raises(ClientAuthenticationError, match="AADSTS500011"):
        credential.get_token(f"{azure.arm.url}/.default")


def test_arm_wants_a_bearer_token_for_its_own_audience(azure, credential):
    path = REGISTRIES.format(azure.model.subscription)
    graph_token = credential.get_token(GRAPH_SCOPE).token
    foreign_token = AzureModel(tenant=azure.model.tenant).issue_token("https://management.azure.com")["accessToken"]
    azure.model.token_lifetime = -1
    expired_token = azure.model.issue_token("https://management.azure.com")["accessToken"]

    missing = raw(azure.arm.url, path)
    answers = {
        name: raw(azure.arm.url, path, token=t)[2]["error"]["code"]
        for name, t in [("graph", graph_token), ("foreign", foreign_token), ("expired", expired_token)]
    }

    assert missing[0] == 401 and missing[2]["error"]["code"] == "AuthenticationFailed"
    assert 'error="invalid_token"' in missing[1]["WWW-Authenticate"]
    assert answers == {
        "graph": "InvalidAuthenticationTokenAudience",
        "foreign": "InvalidAuthenticationToken",
        "expired": "ExpiredAuthenticationToken",
    }
    assert azure.calls.operations() == ["arm.registries.list"] * 4


def test_arm_client_with_graph_scopes_is_unauthenticated(azure, credential):
    acr = arm_client(ContainerRegistryManagementClient, azure, credential, credential_scopes=[GRAPH_SCOPE])

    with pytest.raises(ClientAuthenticationError) as refused:
        acr.registries.get(RESOURCE_GROUP, LEGACY_REGISTRY)

    assert refused.value.status_code == 401 and refused.value.error.code == "InvalidAuthenticationTokenAudience"


def test_graph_wants_a_token_for_graph(azure, graph):
    async def story(g):
        with pytest.raises(ODataError) as refused:
            await g.applications.get()
        return refused.value

    refused = graph(story, scopes=(ARM_SCOPE,))

    assert refused.response_status_code == 401
    assert (refused.error.code, refused.error.message) == (
        "InvalidAuthenticationToken",
        "Access token validation failure. Invalid audience.",
    )


def test_arm_lists_every_subscription_and_az_shows_its_default(azure, credential):
    other = azure.model.add_subscription("11111111-2222-3333-4444-555555555555", "team b")
    azure.model.cli_subscription = other

    status, _, listed = raw(
        azure.arm.url, "/subscriptions?api-version=2022-12-01", token=credential.get_token(ARM_SCOPE).token
    )
    shown = json.loads(az("account", "show", "--output", "json").stdout)

    assert status == 200
    assert {(s["subscriptionId"], s["displayName"], s["state"]) for s in listed["value"]} == {
        (azure.model.subscription, "regboot sandbox", "Enabled"),
        (other, "team b", "Enabled"),
    }
    assert all(s["id"] == f"/subscriptions/{s['subscriptionId']}" for s in listed["value"])
    assert (shown["id"], shown["name"], shown["isDefault"], shown["tenantId"]) == (
        other,
        "team b",
        True,
        azure.model.tenant,
    )


@pytest.mark.parametrize(
    ("kind", "cause"),
    [("dns", "Temporary failure in name resolution"), ("refused", "Connection refused"), ("tls", "CERTIFICATE_VERIFY")],
)
def test_az_without_a_network_prints_the_connection_error_not_a_login_hint(azure, credential, kind, cause):
    azure.model.login_unreachable = kind

    failed = az("account", "get-access-token", "--output", "json")
    with pytest.raises(ClientAuthenticationError) as refused:
        credential.get_token(ARM_SCOPE)

    assert failed.returncode == 1 and "az login" not in failed.stderr
    assert failed.stderr.startswith("The command failed with an unexpected error.")
    assert "host='login.microsoftonline.com'" in failed.stderr and cause in failed.stderr
    assert cause in str(refused.value)

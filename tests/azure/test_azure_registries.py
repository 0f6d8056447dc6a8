"""Container registries through the real azure-mgmt-containerregistry client."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure_world import ABAC_REGISTRY, ARM_SCOPE, LEGACY_REGISTRY, RESOURCE_GROUP, raw

VERSION = "api-version=2025-11-01"


def test_registries_list_shows_login_servers_and_role_assignment_modes(azure, acr):
    azure.model.add_registry("otherteam", resource_group="rg-other")

    listed = {r.name: r for r in acr.registries.list()}
    in_group = [r.name for r in acr.registries.list_by_resource_group(RESOURCE_GROUP)]

    assert sorted(listed) == sorted([LEGACY_REGISTRY, ABAC_REGISTRY, "otherteam"])
    assert sorted(in_group) == sorted([LEGACY_REGISTRY, ABAC_REGISTRY])
    assert listed[LEGACY_REGISTRY].login_server == f"{LEGACY_REGISTRY}.azurecr.io"
    assert listed[LEGACY_REGISTRY].role_assignment_mode == "LegacyRegistryPermissions"
    assert listed[ABAC_REGISTRY].role_assignment_mode == "AbacRepositoryPermissions"


def test_registry_get_returns_its_resource_id(azure, acr):
    registry = acr.registries.get(RESOURCE_GROUP, ABAC_REGISTRY)

    assert registry.id == azure.model.registries[ABAC_REGISTRY].id
    assert registry.id.endswith(
        f"/resourceGroups/{RESOURCE_GROUP}/providers/Microsoft.ContainerRegistry/registries/{ABAC_REGISTRY}"
    )
    assert registry.role_assignment_mode == "AbacRepositoryPermissions"


def test_unknown_registry_and_resource_group_are_arm_404s(acr):
    with pytest.raises(ResourceNotFoundError) as missing_registry:
        acr.registries.get(RESOURCE_GROUP, "nosuchregistry")
    with pytest.raises(ResourceNotFoundError) as missing_group:
        acr.registries.get("rg-nowhere", LEGACY_REGISTRY)

    assert missing_registry.value.error.code == "ResourceNotFound"
    assert "nosuchregistry" in missing_registry.value.error.message
    assert missing_group.value.error.code == "ResourceGroupNotFound"


def test_caller_without_read_permission_gets_authorization_failed(azure, acr):
    azure.model.arm_denied_actions = {"Microsoft.ContainerRegistry/registries/read"}

    with pytest.raises(HttpResponseError) as denied:
        acr.registries.get(RESOURCE_GROUP, LEGACY_REGISTRY)

    assert denied.value.status_code == 403
    assert denied.value.error.code == "AuthorizationFailed"
    assert "Microsoft.ContainerRegistry/registries/read" in denied.value.error.message
    assert azure.model.registries[LEGACY_REGISTRY].id in denied.value.error.message


def test_unregistered_namespace_answers_missing_subscription_registration(azure, credential):
    azure.model.set_resource_provider("Microsoft.ContainerRegistry", registered=False)
    token = credential.get_token(ARM_SCOPE).token
    sub = f"/subscriptions/{azure.model.subscription}"
    registry = f"{sub}/resourceGroups/{RESOURCE_GROUP}/providers/Microsoft.ContainerRegistry/registries/x"

    listed = raw(azure.arm.url, f"{sub}/providers/Microsoft.ContainerRegistry/registries?{VERSION}", token=token)
    got = raw(azure.arm.url, f"{registry}?{VERSION}", token=token)
    state = raw(azure.arm.url, f"{sub}/providers/Microsoft.ContainerRegistry?api-version=2016-02-01", token=token)

    for status, _, body in (listed, got):
        assert status == 409
        assert body["error"]["code"] == "MissingSubscriptionRegistration"
        assert "namespace 'Microsoft.ContainerRegistry'" in body["error"]["message"]
        assert body["error"]["details"][0]["target"] == "Microsoft.ContainerRegistry"
    assert state[2]["registrationState"] == "NotRegistered"


def test_registering_a_namespace_takes_the_register_action(azure, credential):
    azure.model.set_resource_provider("Microsoft.ContainerRegistry", registered=False)
    token = credential.get_token(ARM_SCOPE).token
    register = f"/subscriptions/{azure.model.subscription}/providers/Microsoft.ContainerRegistry/register"
    azure.model.arm_denied_actions = {"Microsoft.ContainerRegistry/register/action"}

    denied = raw(azure.arm.url, f"{register}?api-version=2016-02-01", method="POST", token=token)
    azure.model.arm_denied_actions = set()
    done = raw(azure.arm.url, f"{register}?api-version=2016-02-01", method="POST", token=token)

    assert denied[0] == 403 and denied[2]["error"]["code"] == "AuthorizationFailed"
    assert done[0] == 200 and done[2]["registrationState"] == "Registered"
    assert azure.model.resource_provider(azure.model.subscription, "Microsoft.ContainerRegistry") == "Registered"


def test_microsoft_authorization_is_always_registered(azure):
    with pytest.raises(ValueError):
        azure.model.set_resource_provider("Microsoft.Authorization", registered=False)

"""Role definitions, role assignments and the caller's permissions through the real azure-mgmt-authorization client,
and what the model then says about pulling."""

from __future__ import annotations

import time
import uuid

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.mgmt.authorization.models import RoleAssignmentCreateParameters
from azure_world import ABAC_REGISTRY, LEGACY_REGISTRY, RESOURCE_GROUP, identity, registry_id, role_id

from bootstrap.sandbox.azure.roles import ACR_PULL, OWNER, READER, REPOSITORY_READER


def grant(
    azure, role: str, principal_id: str, principal_type: str = "ServicePrincipal"
) -> RoleAssignmentCreateParameters:
    return RoleAssignmentCreateParameters(
        role_definition_id=role_id(azure, role), principal_id=principal_id, principal_type=principal_type
    )


def test_assignment_is_idempotent_by_name(azure, authz):
    _, sp_id, _ = identity(azure)
    scope, name = registry_id(azure, LEGACY_REGISTRY), str(uuid.uuid4())

    first = authz.role_assignments.create(scope, name, grant(azure, ACR_PULL, sp_id))
    again = authz.role_assignments.create(scope, name, grant(azure, ACR_PULL, sp_id))
    fetched = authz.role_assignments.get(scope, name)

    assert first.id == again.id == fetched.id == f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"
    assert fetched.role_definition_id.endswith(ACR_PULL) and fetched.principal_type == "ServicePrincipal"
    assert len(azure.model.role_assignments) == 1


def test_same_grant_under_another_name_is_role_assignment_exists(azure, authz):
    _, sp_id, _ = identity(azure)
    scope = registry_id(azure, LEGACY_REGISTRY)
    authz.role_assignments.create(scope, str(uuid.uuid4()), grant(azure, ACR_PULL, sp_id))

    with pytest.raises(ResourceExistsError) as exists:
        authz.role_assignments.create(scope, str(uuid.uuid4()), grant(azure, ACR_PULL, sp_id))

    assert exists.value.status_code == 409 and exists.value.error.code == "RoleAssignmentExists"
    assert len(azure.model.role_assignments) == 1


def test_new_service_principal_is_principal_not_found_until_replicated(azure, authz):
    scope = registry_id(azure, LEGACY_REGISTRY)
    authz.role_definitions.get(scope, ACR_PULL)  # the client holds its token now: no `az` run inside the 0.3 s
    _, sp_id, _ = identity(azure)
    azure.model.replication_delay = 0.3  # the service principal just made is now 0.3 s from being known to ARM

    with pytest.raises(HttpResponseError) as early:
        authz.role_assignments.create(scope, str(uuid.uuid4()), grant(azure, ACR_PULL, sp_id))
    time.sleep(0.35)
    created = authz.role_assignments.create(scope, str(uuid.uuid4()), grant(azure, ACR_PULL, sp_id))

    assert early.value.status_code == 400 and early.value.error.code == "PrincipalNotFound"
    assert created.principal_id == sp_id


def test_sdk_default_principal_type_user_is_refused_for_a_service_principal(azure, authz):
    _, sp_id, _ = identity(azure)

    with pytest.raises(HttpResponseError) as unmatched:
        authz.role_assignments.create(
            registry_id(azure, LEGACY_REGISTRY),
            str(uuid.uuid4()),
            RoleAssignmentCreateParameters(role_definition_id=role_id(azure, ACR_PULL), principal_id=sp_id),
        )

    assert unmatched.value.error.code == "UnmatchedPrincipalType"


def test_listing_honours_at_scope_and_principal_filters(azure, authz):
    _, sp_id, _ = identity(azure)
    _, other_sp, _ = identity(azure, "other-reader")
    registry = registry_id(azure, LEGACY_REGISTRY)
    group = registry.split("/providers/")[0]
    authz.role_assignments.create(group, str(uuid.uuid4()), grant(azure, READER, sp_id))
    authz.role_assignments.create(registry, str(uuid.uuid4()), grant(azure, ACR_PULL, sp_id))
    authz.role_assignments.create(registry, str(uuid.uuid4()), grant(azure, ACR_PULL, other_sp))

    def roles(scope: str, filter: str | None) -> list[tuple[str, str]]:
        found = authz.role_assignments.list_for_scope(scope, filter=filter)
        return sorted((a.role_definition_id.rsplit("/", 1)[1], a.principal_id) for a in found)

    assert roles(registry, "atScope()") == sorted([(READER, sp_id), (ACR_PULL, sp_id), (ACR_PULL, other_sp)])
    assert roles(group, "atScope()") == [(READER, sp_id)]
    assert roles(group, f"principalId eq '{sp_id}'") == sorted([(READER, sp_id), (ACR_PULL, sp_id)])
    subscription = [
        a.principal_id for a in authz.role_assignments.list_for_subscription(f"principalId eq '{other_sp}'")
    ]
    assert subscription == [other_sp]


def test_deleted_assignment_is_gone_and_deleting_again_is_quiet(azure, authz):
    _, sp_id, _ = identity(azure)
    scope, name = registry_id(azure, LEGACY_REGISTRY), str(uuid.uuid4())
    authz.role_assignments.create(scope, name, grant(azure, ACR_PULL, sp_id))

    deleted = authz.role_assignments.delete(scope, name)
    again = authz.role_assignments.delete(scope, name)

    assert deleted.name == name and again is None
    with pytest.raises(ResourceNotFoundError):
        authz.role_assignments.get(scope, name)


def test_role_definitions_by_id_and_by_name(azure, authz):
    scope = registry_id(azure, ABAC_REGISTRY)

    acr_pull = authz.role_definitions.get(scope, ACR_PULL)
    readers = list(authz.role_definitions.list(scope, filter="roleName eq 'Container Registry Repository Reader'"))

    assert acr_pull.role_name == "AcrPull" and acr_pull.id == role_id(azure, ACR_PULL)
    assert [r.name for r in readers] == [REPOSITORY_READER]
    assert readers[0].permissions[0].data_actions  # the ABAC role grants data actions, not the legacy pull action


def test_caller_lacking_role_assignment_write_sees_it_in_permissions_and_is_refused(azure, authz):
    azure.model.arm_denied_actions = {"Microsoft.Authorization/roleAssignments/write"}
    _, sp_id, _ = identity(azure)

    permissions = list(
        authz.permissions.list_for_resource(
            RESOURCE_GROUP, "Microsoft.ContainerRegistry", "", "registries", LEGACY_REGISTRY
        )
    )
    with pytest.raises(HttpResponseError) as denied:
        authz.role_assignments.create(
            registry_id(azure, LEGACY_REGISTRY), str(uuid.uuid4()), grant(azure, ACR_PULL, sp_id)
        )

    assert permissions[0].actions == ["*"]
    assert permissions[0].not_actions == ["Microsoft.Authorization/roleAssignments/write"]
    assert denied.value.status_code == 403 and denied.value.error.code == "AuthorizationFailed"
    assert "Microsoft.Authorization/roleAssignments/write" in denied.value.error.message
    assert azure.model.role_assignments == {}


def test_pull_needs_acr_pull_on_a_legacy_registry_and_repository_reader_on_an_abac_one(azure, authz):
    app_id, sp_id, secret = identity(azure)
    legacy, abac = (azure.model.registries[n] for n in (LEGACY_REGISTRY, ABAC_REGISTRY))
    can_pull = azure.model.password_can_pull

    assert not can_pull(app_id, secret, legacy.login_server)
    for registry in (legacy, abac):
        authz.role_assignments.create(registry.id, str(uuid.uuid4()), grant(azure, ACR_PULL, sp_id))
    assert can_pull(app_id, secret, legacy.login_server)
    assert not can_pull(app_id, secret, abac.login_server)  # an ABAC registry ignores AcrPull
    authz.role_assignments.create(abac.id, str(uuid.uuid4()), grant(azure, REPOSITORY_READER, sp_id))
    assert can_pull(app_id, secret, abac.login_server)
    assert not can_pull(app_id, "wrong" + secret, legacy.login_server)


def test_pull_follows_grants_from_above_expiry_and_password_propagation(azure, authz):
    app_id, sp_id, secret = identity(azure)
    legacy = azure.model.registries[LEGACY_REGISTRY]
    authz.role_assignments.create(
        f"/subscriptions/{azure.model.subscription}", str(uuid.uuid4()), grant(azure, OWNER, sp_id)
    )
    assert azure.model.password_can_pull(app_id, secret, legacy.login_server)

    azure.model.password_delay = 60
    assert "not propagated" in azure.model.pull_denial(app_id, secret, legacy.login_server)
    azure.model.password_delay = 0
    azure.model.directory.application_of(app_id).passwords[0].end = time.time() - 1
    assert "expired" in azure.model.pull_denial(app_id, secret, legacy.login_server)
    assert azure.model.password_created_at(app_id, secret) <= time.time()

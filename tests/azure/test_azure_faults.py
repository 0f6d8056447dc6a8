"""Faults as data: injected per operation, answered in each API's shape, and seen through the real clients' retries."""

from __future__ import annotations

import uuid

import httpx
import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError
from azure.mgmt.authorization.models import RoleAssignmentCreateParameters
from azure_world import LEGACY_REGISTRY, RESOURCE_GROUP, identity, raw, registry_id, role_id
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_http.middleware.options import RetryHandlerOption
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.service_principal import ServicePrincipal

from bootstrap.sandbox.azure.roles import ACR_PULL
from bootstrap.sandbox.faults import Fault

NO_RETRIES = RequestConfiguration(options=[RetryHandlerOption(max_retries=0)])


def served(azure, operation: str) -> list[str | None]:
    """The fault (or None) each call of `operation` was answered with, in order."""
    return [c.fault for c in azure.calls.calls if c.operation == operation]


def test_503_is_retried_by_azure_core(azure, acr):
    azure.calls.inject("arm.registries.get", Fault(status=503), times=1)

    registry = acr.registries.get(RESOURCE_GROUP, LEGACY_REGISTRY)

    assert registry.name == LEGACY_REGISTRY
    assert served(azure, "arm.registries.get") == ["error", None]


def test_429_carries_retry_after_and_azure_core_waits_for_it(azure, authz, credential):
    azure.calls.inject("arm.roleDefinitions.get", Fault(status=429, retry_after=1), times=2)
    path = f"{registry_id(azure, LEGACY_REGISTRY)}/providers/Microsoft.Authorization/roleDefinitions/{ACR_PULL}"

    status, headers, body = raw(azure.arm.url, f"{path}?api-version=2022-04-01", token="ignored: faults come first")
    authz.role_definitions.get(registry_id(azure, LEGACY_REGISTRY), ACR_PULL)

    assert (status, headers["Retry-After"], body["error"]["code"]) == (429, "1", "TooManyRequests")
    throttled, retried = [c for c in azure.calls.calls if c.operation == "arm.roleDefinitions.get"][1:]
    assert (throttled.fault, retried.fault) == ("error", None)
    assert retried.at - throttled.at >= 0.9


def test_connection_reset_is_retried_by_azure_core(azure, acr):
    azure.calls.inject("arm.registries.list", Fault(kind="reset"), times=1)

    assert sorted(r.name for r in acr.registries.list()) == sorted(azure.model.registries)
    assert served(azure, "arm.registries.list") == ["reset", None]


def test_graph_faults_surface_when_retries_are_off(azure, graph):
    azure.calls.inject("graph.applications.list", Fault(status=503), times=1)
    azure.calls.inject("graph.servicePrincipals.list", Fault(kind="reset"), times=1)

    async def story(g):
        with pytest.raises(ODataError) as unavailable:
            await g.applications.get(NO_RETRIES)
        with pytest.raises(httpx.TransportError):
            await g.service_principals.get(NO_RETRIES)
        return unavailable.value

    unavailable = graph(story)

    assert (unavailable.response_status_code, unavailable.error.code) == (503, "serviceNotAvailable")
    assert azure.calls.pending() == 0


def test_not_visible_hides_a_new_object_for_one_call(azure, graph, authz):
    app = azure.model.directory.create_application("akka-docker-reader")
    _, sp_id, _ = identity(azure, "other")
    azure.calls.inject("graph.applications.list", Fault(kind="not_visible"), times=1)
    azure.calls.inject("arm.roleAssignments.create", Fault(kind="not_visible"), times=1)

    async def story(g):
        return [len((await g.applications.get()).value) for _ in range(2)]

    grant = RoleAssignmentCreateParameters(
        role_definition_id=role_id(azure, ACR_PULL), principal_id=sp_id, principal_type="ServicePrincipal"
    )
    with pytest.raises(HttpResponseError) as early:
        authz.role_assignments.create(registry_id(azure, LEGACY_REGISTRY), str(uuid.uuid4()), grant)

    assert graph(story) == [0, len(azure.model.directory.applications)]
    assert early.value.error.code == "PrincipalNotFound"
    assert app.id in azure.model.directory.applications


def test_conflict_means_a_concurrent_writer_got_there_first(azure, graph, authz):
    app = azure.model.directory.create_application("akka-docker-reader")
    _, sp_id, _ = identity(azure, "other")
    azure.calls.inject("graph.servicePrincipals.create", Fault(kind="conflict"), times=1)
    azure.calls.inject("arm.roleAssignments.create", Fault(kind="conflict"), times=1)

    async def story(g):
        with pytest.raises(ODataError) as taken:
            await g.service_principals.post(ServicePrincipal(app_id=app.app_id))
        return taken.value

    grant = RoleAssignmentCreateParameters(
        role_definition_id=role_id(azure, ACR_PULL), principal_id=sp_id, principal_type="ServicePrincipal"
    )
    with pytest.raises(ResourceExistsError) as exists:
        authz.role_assignments.create(registry_id(azure, LEGACY_REGISTRY), str(uuid.uuid4()), grant)

    assert graph(story).response_status_code == 409
    assert azure.model.directory.service_principal_of(app.app_id) is not None
    assert exists.value.error.code == "RoleAssignmentExists"
    assert [a.principal_id for a in azure.model.role_assignments.values()] == [sp_id]


def test_unknown_routes_fail_loudly(azure, acr, graph):
    with pytest.raises(HttpResponseError) as arm_unknown:
        acr.registries.list_credentials(RESOURCE_GROUP, LEGACY_REGISTRY)

    async def story(g):
        with pytest.raises(ODataError) as graph_unknown:
            await g.users.get()
        return graph_unknown.value

    graph_unknown = graph(story)

    assert arm_unknown.value.status_code == 501 and "does not implement POST" in arm_unknown.value.message
    assert graph_unknown.response_status_code == 501 and "/v1.0/users" in graph_unknown.error.message

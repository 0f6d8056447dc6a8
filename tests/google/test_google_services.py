"""APIs not enabled in a project answer as Google's do: 403 PERMISSION_DENIED with a SERVICE_DISABLED ErrorInfo."""

from __future__ import annotations

import pytest
from google.api_core import exceptions
from google.rpc import error_details_pb2

from tests.google.conftest import PROJECT, REPOSITORY


def _activation(err: exceptions.GoogleAPICallError, service: str, number: str) -> None:
    url = f"https://console.developers.google.com/apis/api/{service}/overview?project={number}"
    assert isinstance(err, exceptions.PermissionDenied | exceptions.Forbidden)  # gRPC 7 / REST 403
    assert err.reason == "SERVICE_DISABLED" and err.domain == "googleapis.com"
    assert err.metadata["service"] == service
    assert err.metadata["consumer"] == f"projects/{number}"
    assert err.metadata["activationUrl"] == url
    assert f"has not been used in project {number} before or it is disabled" in err.message
    assert _help_links(err) == [url]


def _help_links(err: exceptions.GoogleAPICallError) -> list[str]:
    # gRPC details arrive as messages, REST details as the JSON dicts Google sent
    links = []
    for detail in err.details:
        if isinstance(detail, error_details_pb2.Help):
            links += [link.url for link in detail.links]
        elif isinstance(detail, dict) and detail.get("@type", "").endswith("google.rpc.Help"):
            links += [link["url"] for link in detail["links"]]
    return links


def test_disabled_iam_api_refuses_every_grpc_call(google, iam):
    google.model.disable_services(PROJECT, "iam.googleapis.com")
    number = google.model.projects[PROJECT].number

    with pytest.raises(exceptions.PermissionDenied) as refused:
        iam.create_service_account(name=f"projects/{PROJECT}", account_id="akka-docker-reader", retry=None)

    _activation(refused.value, "iam.googleapis.com", number)
    assert google.model.accounts == {}


def test_disabled_resource_manager_api_refuses_project_calls(google, projects):
    google.model.disable_services(PROJECT, "cloudresourcemanager.googleapis.com")

    with pytest.raises(exceptions.Forbidden) as refused:
        projects.get_project(name=f"projects/{PROJECT}", retry=None)

    _activation(refused.value, "cloudresourcemanager.googleapis.com", google.model.projects[PROJECT].number)


def test_disabled_artifact_registry_api_refuses_repository_calls(google, registry):
    google.model.disable_services(PROJECT, "artifactregistry.googleapis.com")

    with pytest.raises(exceptions.Forbidden) as refused:
        registry.get_repository(name=REPOSITORY, retry=None)

    _activation(refused.value, "artifactregistry.googleapis.com", google.model.projects[PROJECT].number)


def test_other_apis_and_projects_keep_answering(google, projects, registry):
    google.model.add_project("other-project")
    google.model.disable_services("other-project", "cloudresourcemanager.googleapis.com")
    google.model.disable_services(PROJECT, "iam.googleapis.com")

    assert projects.get_project(name=f"projects/{PROJECT}").project_id == PROJECT
    assert registry.get_repository(name=REPOSITORY).name == REPOSITORY


def test_control_api_disables_and_enables_services(google, control, projects):
    done = control(
        "POST", "/_sandbox/services", json={"project": PROJECT, "disabled": ["cloudresourcemanager.googleapis.com"]}
    )
    assert done.status_code == 200 and done.json()["disabledServices"] == ["cloudresourcemanager.googleapis.com"]
    with pytest.raises(exceptions.Forbidden):
        projects.get_project(name=f"projects/{PROJECT}", retry=None)

    control("POST", "/_sandbox/services", json={"project": PROJECT, "enabled": ["cloudresourcemanager.googleapis.com"]})
    assert projects.get_project(name=f"projects/{PROJECT}").project_id == PROJECT
    assert control("POST", "/_sandbox/services", json={"project": "nope-project", "disabled": []}).status_code == 400

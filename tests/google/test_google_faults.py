"""Injected faults, unknown routes and the control API, as the real clients (and other processes) see them."""

from __future__ import annotations

import json
import time

import pytest
import requests
from google.api_core import exceptions

from bootstrap.sandbox.faults import Fault
from tests.google.conftest import PROJECT, REPOSITORY


@pytest.fixture
def account(google):
    return google.model.add_service_account(PROJECT, "akka-docker-reader")


# --- gRPC (IAM) ----------------------------------------------------------------------------------------
def test_grpc_503_is_service_unavailable(google, iam, account):
    google.calls.inject("iam.CreateServiceAccountKey", Fault(status=503))

    with pytest.raises(exceptions.ServiceUnavailable, match="injected fault"):
        iam.create_service_account_key(name=account.name)

    assert google.model.snapshot()["keys"][1:] == []  # nothing minted: only the system-managed key


def test_grpc_read_503_is_retried_by_the_client(google, iam, account):
    google.calls.inject("iam.GetServiceAccount", Fault(status=503))

    assert iam.get_service_account(name=account.name).email == account.email
    assert google.calls.operations() == ["iam.GetServiceAccount", "iam.GetServiceAccount"]


def test_grpc_429_is_resource_exhausted_with_retry_info(google, iam, account):
    google.calls.inject("iam.*", Fault(status=429, retry_after=7))

    with pytest.raises(exceptions.ResourceExhausted) as throttled:
        iam.list_service_account_keys(name=account.name)

    [retry] = throttled.value.details
    assert retry.retry_delay.seconds == 7


def test_grpc_reset_is_unavailable(google, iam, account):
    google.calls.inject("iam.GetServiceAccount", Fault(kind="reset"))

    with pytest.raises(exceptions.ServiceUnavailable, match="reset"):
        iam.get_service_account(name=account.name, retry=None)


def test_grpc_conflict_on_create_is_already_exists(google, iam):
    google.calls.inject("iam.CreateServiceAccount", Fault(kind="conflict"))

    with pytest.raises(exceptions.AlreadyExists):
        iam.create_service_account(name=f"projects/{PROJECT}", account_id="akka-docker-reader")


def test_grpc_not_visible_hides_an_account_for_one_call(google, iam, account):
    google.calls.inject("iam.GetServiceAccount", Fault(kind="not_visible"))

    with pytest.raises(exceptions.NotFound):
        iam.get_service_account(name=account.name, retry=None)
    assert iam.get_service_account(name=account.name).email == account.email


def test_grpc_not_visible_on_a_key_call_is_not_found_and_on_list_hides_the_newest(google, iam, account):
    newest = google.model.add_service_account(PROJECT, "akka-docker-reader-2")
    google.calls.inject("iam.ListServiceAccountKeys", Fault(kind="not_visible"))
    google.calls.inject("iam.ListServiceAccounts", Fault(kind="not_visible"))

    with pytest.raises(exceptions.NotFound):
        iam.list_service_account_keys(name=account.name)
    listed = [a.email for a in iam.list_service_accounts(name=f"projects/{PROJECT}")]

    assert listed == [account.email]
    assert newest.email in [a.email for a in iam.list_service_accounts(name=f"projects/{PROJECT}")]


def test_grpc_conflict_elsewhere_is_aborted(google, iam, account):
    google.calls.inject("iam.PatchServiceAccount", Fault(kind="conflict"))
    changed = {"name": account.name, "description": "x"}

    with pytest.raises(exceptions.Aborted):
        iam.patch_service_account(request={"service_account": changed, "update_mask": {"paths": ["description"]}})


def test_a_fault_can_wait_for_the_nth_matching_call(google, iam, account):
    google.calls.inject("iam.GetServiceAccount", Fault(kind="not_visible"), at=2)

    assert iam.get_service_account(name=account.name, retry=None).email == account.email
    with pytest.raises(exceptions.NotFound):
        iam.get_service_account(name=account.name, retry=None)
    assert iam.get_service_account(name=account.name, retry=None).email == account.email
    assert google.calls.pending() == 0


def test_a_request_its_client_gave_up_on_still_happens_and_settle_waits_for_it(google, iam, account):
    google.calls.inject("iam.CreateServiceAccountKey", Fault(kind="delay", seconds=0.6))

    with pytest.raises(exceptions.DeadlineExceeded):
        iam.create_service_account_key(name=account.name, timeout=0.2, retry=None)
    assert google.calls.settle(timeout=5)
    time.sleep(0.05)  # the handler runs right after its delay

    assert [k for k in google.model.snapshot()["keys"] if k["keyType"] == "USER_MANAGED"] != []


def test_every_grpc_call_is_logged_with_its_resource(google, iam, account):
    iam.get_service_account(name=account.name)

    [call] = google.calls.calls
    assert (call.service, call.operation, call.mutating, call.resource) == (
        "iam",
        "iam.GetServiceAccount",
        False,
        account.name,
    )


# --- REST (Resource Manager, Artifact Registry) --------------------------------------------------------
def test_rest_503_is_service_unavailable(google, registry):
    google.calls.inject("ar.repositories.get", Fault(status=503, message="backend unavailable"))

    with pytest.raises(exceptions.ServiceUnavailable, match="backend unavailable") as failed:
        registry.get_repository(name=REPOSITORY)

    assert failed.value.response.json()["error"]["status"] == "UNAVAILABLE"


def test_rest_429_carries_retry_after(google, projects):
    google.calls.inject("crm.projects.getIamPolicy", Fault(status=429, retry_after=3))

    with pytest.raises(exceptions.TooManyRequests) as throttled:
        projects.get_iam_policy(resource=f"projects/{PROJECT}", retry=None)

    assert throttled.value.response.headers["Retry-After"] == "3"
    assert throttled.value.details == [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "3s"}]


def test_rest_reset_is_a_connection_error_not_an_api_error(google, registry):
    google.calls.inject("ar.repositories.getIamPolicy", Fault(kind="reset"))

    with pytest.raises(requests.exceptions.ConnectionError):
        registry.get_iam_policy(request={"resource": REPOSITORY})


def test_rest_conflict_on_set_policy_is_a_stale_etag(google, projects, account):
    policy = projects.get_iam_policy(resource=f"projects/{PROJECT}")
    policy.bindings.add(role="roles/viewer", members=[f"serviceAccount:{account.email}"])
    google.calls.inject("crm.projects.setIamPolicy", Fault(kind="conflict"))

    with pytest.raises(exceptions.Conflict, match="concurrent policy changes"):
        projects.set_iam_policy(request={"resource": f"projects/{PROJECT}", "policy": policy})

    projects.set_iam_policy(request={"resource": f"projects/{PROJECT}", "policy": policy})  # the etag is still good


def test_rest_not_visible_on_set_policy_says_the_account_does_not_exist(google, registry, account):
    policy = registry.get_iam_policy(request={"resource": REPOSITORY})
    policy.bindings.add(role="roles/artifactregistry.reader", members=[f"serviceAccount:{account.email}"])
    google.calls.inject("ar.repositories.setIamPolicy", Fault(kind="not_visible"))

    with pytest.raises(exceptions.BadRequest, match="does not exist"):
        registry.set_iam_policy(request={"resource": REPOSITORY, "policy": policy})


def test_rest_not_visible_elsewhere_is_what_each_api_says_for_a_missing_resource(google, projects, registry):
    google.calls.inject("crm.projects.get", Fault(kind="not_visible"))
    google.calls.inject("ar.repositories.get", Fault(kind="not_visible"))

    with pytest.raises(exceptions.Forbidden, match="or it may not exist"):
        projects.get_project(name=f"projects/{PROJECT}", retry=None)
    with pytest.raises(exceptions.NotFound):
        registry.get_repository(name=REPOSITORY)

    assert registry.get_repository(name=REPOSITORY).name == REPOSITORY


def test_malformed_etag_is_refused(google):
    answer = requests.post(
        f"{google.resourcemanager.url}/v3/projects/{PROJECT}:setIamPolicy", json={"policy": {"etag": "%%"}}, timeout=5
    )

    assert (answer.status_code, answer.json()["error"]["status"]) == (400, "INVALID_ARGUMENT")


def test_rest_unknown_route_or_method_fails_loudly(google, projects):
    with pytest.raises(exceptions.MethodNotImplemented, match="does not implement DELETE /v3/projects/demo-project"):
        projects.delete_project(name=f"projects/{PROJECT}")

    unknown_verb = requests.get(f"{google.artifactregistry.url}/v1/{REPOSITORY}:exportArtifact", timeout=5)
    wrong_server = requests.get(f"{google.resourcemanager.url}/v1/{REPOSITORY}", timeout=5)

    assert unknown_verb.status_code == wrong_server.status_code == 501
    assert unknown_verb.json()["error"]["status"] == "UNIMPLEMENTED"


def test_rest_unknown_json_field_is_refused_like_google(google):
    answer = requests.post(
        f"{google.resourcemanager.url}/v3/projects/{PROJECT}:setIamPolicy", json={"polcy": {}}, timeout=5
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith("Invalid JSON payload received.")


# --- control API ---------------------------------------------------------------------------------------
def test_control_api_queues_a_fault_for_another_process(control, iam, account):
    queued = control("POST", "/_sandbox/faults", json={"operation": "iam.*", "fault": {"status": 503}, "times": 1})

    assert queued.json() == {"pending": 1}
    with pytest.raises(exceptions.ServiceUnavailable):
        iam.create_service_account_key(name=account.name)


def test_control_api_config_changes_the_rules(control, iam, google, account):
    settings = control("POST", "/_sandbox/config", json={"key_creation_disabled": True, "propagation_delay": 0.5})

    assert settings.json()["key_creation_disabled"] is True
    assert google.model.propagation_delay == 0.5
    with pytest.raises(exceptions.FailedPrecondition):
        iam.create_service_account_key(name=account.name)


def test_control_api_calls_and_state_leave_out_themselves_and_secrets(control, iam, account):
    key = iam.create_service_account_key(name=account.name)

    calls = control("GET", "/_sandbox/calls").json()["calls"]
    state = control("GET", "/_sandbox/state")

    assert [c["operation"] for c in calls] == ["iam.CreateServiceAccountKey"]
    assert key.name in [k["name"] for k in state.json()["keys"]]
    assert json.loads(key.private_key_data)["private_key"].split("\n")[1] not in state.text
    assert "private_key" not in state.text


def test_control_api_refuses_mistakes_loudly(control, google):
    bad_kind = control("POST", "/_sandbox/faults", json={"operation": "iam.*", "fault": {"kind": "explode"}})
    bad_field = control("POST", "/_sandbox/faults", json={"operation": "iam.*", "fault": {"statuss": 500}})
    bad_setting = control("POST", "/_sandbox/config", json={"propagation": 1})
    unknown = control("POST", "/_sandbox/reboot")

    assert [r.status_code for r in (bad_kind, bad_field, bad_setting, unknown)] == [400, 400, 400, 501]
    assert "statuss" in bad_field.json()["error"]["message"]
    assert google.calls.pending() == 0

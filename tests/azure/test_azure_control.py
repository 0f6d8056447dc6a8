"""The control API other processes use: faults, knobs, seeding, the call log and a state dump without secrets."""

from __future__ import annotations

from azure_world import RESOURCE_GROUP, identity, raw


def test_faults_and_knobs_set_over_http_reach_the_real_client(azure, acr):
    fault = raw(
        azure.arm.url,
        "/_sandbox/faults",
        method="POST",
        body={"operation": "arm.registries.*", "fault": {"kind": "error", "status": 503}, "times": 1},
    )
    config = raw(
        azure.arm.url,
        "/_sandbox/config",
        method="POST",
        body={"replication_delay": 0.25, "arm_denied_actions": ["Microsoft.Authorization/*/write"]},
    )
    seeded = raw(
        azure.arm.url,
        "/_sandbox/registries",
        method="POST",
        body={"name": "seededover", "resource_group": RESOURCE_GROUP, "abac": True},
    )

    registry = acr.registries.get(RESOURCE_GROUP, "seededover")

    assert fault[0] == 200 and config[0] == 200 and seeded[0] == 201
    assert registry.role_assignment_mode == "AbacRepositoryPermissions"
    assert azure.model.replication_delay == 0.25
    assert azure.model.arm_denied_actions == {"Microsoft.Authorization/*/write"}
    assert [c.fault for c in azure.calls.calls] == ["error", None]  # control calls are not in the log


def test_state_and_calls_never_show_a_secret(azure, acr):
    app_id, _, secret = identity(azure)
    list(acr.registries.list())

    status, _, state = raw(azure.arm.url, "/_sandbox/state")
    _, _, calls = raw(azure.arm.url, "/_sandbox/calls")

    assert status == 200 and secret not in str(state) and secret not in str(calls)
    assert [a["appId"] for a in state["applications"]] == [app_id]
    assert state["applications"][0]["passwordCredentials"][0]["hint"] == secret[:3]
    assert [c["operation"] for c in calls["calls"]] == ["arm.registries.list"]


def test_control_api_refuses_what_it_does_not_know(azure):
    unknown_knob = raw(azure.arm.url, "/_sandbox/config", method="POST", body={"replication_dely": 1})
    unknown_path = raw(azure.arm.url, "/_sandbox/reboot", method="POST", body={})
    bad_fault = raw(azure.arm.url, "/_sandbox/faults", method="POST", body={"operation": "*", "fault": {"kind": "x"}})

    assert unknown_knob[0] == 400 and "replication_dely" in unknown_knob[2]["error"]["message"]
    assert unknown_path[0] == 501
    assert bad_fault[0] == 400 and azure.calls.pending() == 0


def test_resource_provider_registration_is_set_over_http(azure):
    unregistered = raw(
        azure.arm.url,
        "/_sandbox/providers",
        method="POST",
        body={"namespace": "Microsoft.ContainerRegistry", "registered": False},
    )
    always = raw(
        azure.arm.url,
        "/_sandbox/providers",
        method="POST",
        body={"namespace": "Microsoft.Authorization", "registered": False},
    )

    assert unregistered[0] == 200 and unregistered[2]["registrationState"] == "NotRegistered"
    assert azure.model.resource_provider(azure.model.subscription, "Microsoft.ContainerRegistry") == "NotRegistered"
    assert always[0] == 400 and "always registered" in always[2]["error"]["message"]

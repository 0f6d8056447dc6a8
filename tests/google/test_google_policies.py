"""Projects, repositories and their IAM policies through the real REST clients (Resource Manager, Artifact Registry)."""

from __future__ import annotations

import base64

import pytest
from google.api_core import exceptions
from google.cloud import iam_admin_v1

from tests.google.conftest import PROJECT, REPOSITORY

READER = "roles/artifactregistry.reader"


def member(account):
    return f"serviceAccount:{account.email}"


def grant(client, resource, role, who, **request):
    """One read-modify-write of `resource`'s policy, as a provider would do it."""
    policy = client.get_iam_policy(request={"resource": resource})
    policy.bindings.add(role=role, members=[who])
    return client.set_iam_policy(request={"resource": resource, "policy": policy, **request})


def test_project_is_named_by_number_and_carries_its_id(projects, google):
    project = projects.get_project(name=f"projects/{PROJECT}")

    assert project.project_id == PROJECT
    assert project.name == f"projects/{google.model.projects[PROJECT].number}"
    assert project.state.name == "ACTIVE"
    assert projects.get_iam_policy(resource=project.name).bindings[0].role == "roles/owner"


def test_unknown_project_is_permission_denied_not_404(projects):
    with pytest.raises(exceptions.Forbidden, match="or it may not exist"):
        projects.get_project(name="projects/no-such-project")


def test_every_policy_write_changes_the_etag(projects, google):
    account = google.model.add_service_account(PROJECT, "akka-docker-reader")
    before = projects.get_iam_policy(resource=f"projects/{PROJECT}")

    after = grant(projects, f"projects/{PROJECT}", "roles/storage.objectViewer", member(account))
    again = grant(projects, f"projects/{PROJECT}", "roles/viewer", member(account))

    assert len({before.etag, after.etag, again.etag}) == 3
    assert google.model.snapshot()["projects"][0]["policy"]["etag"] == base64.b64encode(again.etag).decode()
    assert {b.role for b in again.bindings} == {"roles/owner", "roles/storage.objectViewer", "roles/viewer"}


def test_stale_etag_is_a_409_aborted(projects, google):
    account = google.model.add_service_account(PROJECT, "akka-docker-reader")
    stale = projects.get_iam_policy(resource=f"projects/{PROJECT}")
    grant(projects, f"projects/{PROJECT}", "roles/viewer", member(account))
    stale.bindings.add(role="roles/storage.objectViewer", members=[member(account)])

    with pytest.raises(exceptions.Conflict) as lost:
        projects.set_iam_policy(request={"resource": f"projects/{PROJECT}", "policy": stale})

    # Over REST the client raises Conflict for any 409; the ABORTED status is only in the body.
    assert lost.value.response.json()["error"]["status"] == "ABORTED"
    assert not isinstance(lost.value, exceptions.Aborted)
    assert not google.model.projects[PROJECT].policy.grants(member(account), "roles/storage.objectViewer")


def test_policy_without_etag_overwrites(projects, google):
    account = google.model.add_service_account(PROJECT, "akka-docker-reader")
    policy = projects.get_iam_policy(resource=f"projects/{PROJECT}")
    grant(projects, f"projects/{PROJECT}", "roles/viewer", member(account))
    policy.etag = b""

    projects.set_iam_policy(request={"resource": f"projects/{PROJECT}", "policy": policy})

    assert not google.model.projects[PROJECT].policy.grants(member(account), "roles/viewer")


def test_binding_a_new_account_fails_until_it_propagates(iam, projects, google, eventually):
    google.model.propagation_delay = 0.3
    account = iam.create_service_account(name=f"projects/{PROJECT}", account_id="akka-docker-reader")

    with pytest.raises(exceptions.BadRequest, match=f"Service account {account.email} does not exist."):
        grant(projects, f"projects/{PROJECT}", "roles/viewer", member(account))

    eventually(lambda: grant(projects, f"projects/{PROJECT}", "roles/viewer", member(account)))
    assert google.model.projects[PROJECT].policy.grants(member(account), "roles/viewer")


def test_binding_an_unknown_account_fails(projects):
    with pytest.raises(exceptions.BadRequest, match="does not exist"):
        grant(
            projects, f"projects/{PROJECT}", "roles/viewer", f"serviceAccount:ghost-1@{PROJECT}.iam.gserviceaccount.com"
        )


def test_invalid_members_and_roles_are_refused(projects, google):
    with pytest.raises(exceptions.BadRequest, match="<type>:<value>"):
        grant(projects, f"projects/{PROJECT}", "roles/viewer", "someone@example.com")
    with pytest.raises(exceptions.BadRequest, match="not a valid role"):
        grant(projects, f"projects/{PROJECT}", "viewer", "user:someone@example.com")


def test_deleting_an_account_leaves_a_tombstone_member(iam, projects, google):
    account = google.model.add_service_account(PROJECT, "akka-docker-reader")
    grant(projects, f"projects/{PROJECT}", "roles/viewer", member(account))

    iam.delete_service_account(name=account.name)

    [viewers] = [
        b for b in projects.get_iam_policy(resource=f"projects/{PROJECT}").bindings if b.role == "roles/viewer"
    ]
    assert list(viewers.members) == [f"deleted:serviceAccount:{account.email}?uid={account.unique_id}"]
    grant(projects, f"projects/{PROJECT}", "roles/owner", "user:other@example.com")  # the tombstone is no obstacle


def test_repository_get_and_list(registry):
    repository = registry.get_repository(name=REPOSITORY)

    assert repository.format_.name == "DOCKER"
    assert repository.registry_uri == f"gcr.io/{PROJECT}"
    assert [r.name for r in registry.list_repositories(parent=f"projects/{PROJECT}/locations/us")] == [REPOSITORY]
    assert list(registry.list_repositories(parent=f"projects/{PROJECT}/locations/europe")) == []
    with pytest.raises(exceptions.NotFound):
        registry.get_repository(name=f"projects/{PROJECT}/locations/us/repositories/missing")


def test_repository_policy_grants_pull_and_changes_etag(registry, google):
    account = google.model.add_service_account(PROJECT, "akka-docker-reader")
    empty = registry.get_iam_policy(request={"resource": REPOSITORY, "options": {"requested_policy_version": 3}})

    written = grant(registry, REPOSITORY, READER, member(account))

    assert empty.etag == b"\x00\x20\x01" and not empty.bindings  # "ACAB", Google's etag of a never-set policy
    assert written.etag != empty.etag
    assert google.model.member_can_pull(PROJECT, "us", "gcr.io", member(account))


def test_repository_refuses_roles_that_are_not_artifact_registry_roles(registry, google):
    account = google.model.add_service_account(PROJECT, "akka-docker-reader")

    with pytest.raises(exceptions.BadRequest, match="not supported for this resource"):
        grant(registry, REPOSITORY, "roles/storage.objectViewer", member(account))


def test_project_grant_reaches_the_repository_but_storage_viewer_does_not_pull(projects, google):
    account = google.model.add_service_account(PROJECT, "akka-docker-reader")

    grant(projects, f"projects/{PROJECT}", "roles/storage.objectViewer", member(account))
    assert not google.model.member_can_pull(PROJECT, "us", "gcr.io", member(account))

    grant(projects, f"projects/{PROJECT}", READER, member(account))
    assert google.model.member_has_role(PROJECT, "us", "gcr.io", member(account), READER)
    assert google.model.member_can_pull(PROJECT, "us", "gcr.io", member(account))


def test_a_new_grant_takes_effect_after_the_binding_propagation_delay(registry, google):
    account = google.model.add_service_account(PROJECT, "akka-docker-reader")
    google.model.binding_propagation_delay = 60

    grant(registry, REPOSITORY, READER, member(account))

    assert not google.model.member_can_pull(PROJECT, "us", "gcr.io", member(account))
    google.model.binding_propagation_delay = 0
    assert google.model.member_can_pull(PROJECT, "us", "gcr.io", member(account))


def test_test_iam_permissions_answers_what_the_caller_holds(projects, registry, google):
    wanted = ["resourcemanager.projects.setIamPolicy", "resourcemanager.projects.get"]
    google.model.deny("resourcemanager.projects.setIamPolicy", "artifactregistry.repositories.setIamPolicy")

    held = projects.test_iam_permissions(resource=f"projects/{PROJECT}", permissions=wanted).permissions
    on_repo = registry.test_iam_permissions(
        request={"resource": REPOSITORY, "permissions": ["artifactregistry.repositories.setIamPolicy"]}
    ).permissions

    assert list(held) == ["resourcemanager.projects.get"]
    assert list(on_repo) == []


def test_denied_permission_makes_the_write_permission_denied(projects, registry, google):
    account = google.model.add_service_account(PROJECT, "akka-docker-reader")
    google.model.deny("resourcemanager.projects.setIamPolicy", "artifactregistry.repositories.setIamPolicy")

    with pytest.raises(exceptions.Forbidden) as denied:
        grant(projects, f"projects/{PROJECT}", "roles/viewer", member(account))
    with pytest.raises(exceptions.Forbidden):
        grant(registry, REPOSITORY, READER, member(account))

    assert "resourcemanager.projects.setIamPolicy" in denied.value.message
    assert denied.value.reason == "IAM_PERMISSION_DENIED"


def test_account_key_and_grant_queries_for_the_registry_emulator(iam, registry, google):
    google.model.key_propagation_delay = 60
    account = google.model.add_service_account(PROJECT, "akka-docker-reader")
    key_json = iam.create_service_account_key(name=account.name).private_key_data.decode()
    grant(registry, REPOSITORY, READER, member(account))

    key = google.model.key_by_json(key_json)

    assert key is not None and key.account.email == account.email
    assert not google.model.key_is_usable(key)  # minted a moment ago: not yet propagated
    google.model.key_propagation_delay = 0
    assert google.model.key_is_usable(key)
    assert google.model.key_by_json(key_json.replace(key.key_id, "0" * 40)) is None
    assert google.model.key_by_json("not json") is None


def test_keys_listed_are_those_of_the_account_named(iam, google):
    one = google.model.add_service_account(PROJECT, "reader-one")
    two = google.model.add_service_account(PROJECT, "reader-two")
    iam.create_service_account_key(name=one.name)

    request = {"name": two.name, "key_types": [iam_admin_v1.ListServiceAccountKeysRequest.KeyType.USER_MANAGED]}
    assert list(iam.list_service_account_keys(request=request).keys) == []

"""Service accounts and keys through the real IAM admin client over gRPC."""

from __future__ import annotations

import json

import pytest
from google.api_core import exceptions
from google.cloud import iam_admin_v1
from google.protobuf import field_mask_pb2

from bootstrap.sandbox.google.errors import KEY_CREATION_CONSTRAINT
from tests.google.conftest import PROJECT

USER_MANAGED = iam_admin_v1.ListServiceAccountKeysRequest.KeyType.USER_MANAGED
SYSTEM_MANAGED = iam_admin_v1.ListServiceAccountKeysRequest.KeyType.SYSTEM_MANAGED


def create(iam, account_id="akka-docker-reader", **fields):
    return iam.create_service_account(
        name=f"projects/{PROJECT}", account_id=account_id, service_account=iam_admin_v1.ServiceAccount(**fields)
    )


def test_created_account_has_google_shaped_identity(iam):
    account = create(iam, display_name="Akka docker reader", description="serves docker-credentials")

    assert account.email == f"akka-docker-reader@{PROJECT}.iam.gserviceaccount.com"
    assert account.name == f"projects/{PROJECT}/serviceAccounts/{account.email}"
    assert account.unique_id.isdigit() and len(account.unique_id) == 21
    assert (account.description, account.disabled) == ("serves docker-credentials", False)
    assert iam.get_service_account(name=f"projects/-/serviceAccounts/{account.unique_id}").email == account.email


@pytest.mark.parametrize("account_id", ["abcdef", "a" * 30, "reader-2"])
def test_valid_account_ids_are_accepted(iam, account_id):
    assert create(iam, account_id).email.startswith(account_id + "@")


@pytest.mark.parametrize("account_id", ["abcde", "a" * 31, "Reader-one", "1reader", "reader-", "read_er"])
def test_invalid_account_ids_are_refused(iam, account_id):
    with pytest.raises(exceptions.InvalidArgument):
        create(iam, account_id)


@pytest.mark.parametrize(
    "fields", [{"description": "é" * 128 + "x"}, {"display_name": "a" * 101}, {"display_name": "é" * 51}]
)
def test_description_and_display_name_over_their_byte_limits_are_refused(google, iam, fields):
    with pytest.raises(exceptions.InvalidArgument):
        create(iam, **fields)
    assert google.model.accounts == {}


def test_description_and_display_name_at_their_byte_limits_are_kept(iam):
    account = create(iam, description="é" * 128, display_name="a" * 100)
    assert (len(account.description.encode()), len(account.display_name)) == (256, 100)


def test_duplicate_account_id_already_exists(iam):
    create(iam)
    with pytest.raises(exceptions.AlreadyExists, match="already exists within project"):
        create(iam)


def test_unknown_account_is_404_but_403_through_the_wildcard(iam):
    with pytest.raises(exceptions.NotFound):
        iam.get_service_account(name=f"projects/{PROJECT}/serviceAccounts/nobody@{PROJECT}.iam.gserviceaccount.com")
    with pytest.raises(exceptions.PermissionDenied):
        iam.get_service_account(name=f"projects/-/serviceAccounts/nobody@{PROJECT}.iam.gserviceaccount.com")


def test_list_pages_through_every_account(google, iam):
    for n in range(25):
        google.model.add_service_account(PROJECT, f"reader-{n:02d}")
    pager = iam.list_service_accounts(request={"name": f"projects/{PROJECT}", "page_size": 10})

    pages = list(pager.pages)

    assert [len(p.accounts) for p in pages] == [10, 10, 5]
    assert len({a.email for p in pages for a in p.accounts}) == 25


def test_patch_needs_a_mask_and_changes_only_what_it_names(iam):
    account = create(iam, display_name="reader", description="before")
    changed = iam_admin_v1.ServiceAccount(name=account.name, description="after", display_name="ignored")

    patched = iam.patch_service_account(
        request={"service_account": changed, "update_mask": field_mask_pb2.FieldMask(paths=["description"])}
    )

    assert (patched.description, patched.display_name) == ("after", "reader")
    with pytest.raises(exceptions.InvalidArgument):
        iam.patch_service_account(request={"service_account": changed})


def test_update_changes_only_the_display_name(iam):
    account = create(iam, display_name="reader", description="kept")

    updated = iam.update_service_account(
        request={"name": account.name, "display_name": "renamed", "description": "dropped"}
    )

    assert (updated.display_name, updated.description) == ("renamed", "kept")


def test_disable_and_enable_an_account(google, iam):
    account = create(iam)
    key = iam.create_service_account_key(name=account.name)

    iam.disable_service_account(request={"name": account.name})

    assert iam.get_service_account(name=account.name).disabled
    assert not google.model.key_is_usable(google.model.key_by_json(key.private_key_data.decode()))
    iam.enable_service_account(request={"name": account.name})
    assert not iam.get_service_account(name=account.name).disabled


def test_delete_removes_the_account_and_its_keys(google, iam):
    account = create(iam)
    iam.create_service_account_key(name=account.name)

    iam.delete_service_account(name=account.name)

    with pytest.raises(exceptions.NotFound):
        iam.get_service_account(name=account.name)
    assert google.model.snapshot()["keys"] == []


def test_new_key_is_a_service_account_key_file(google, iam):
    account = create(iam)

    key = iam.create_service_account_key(name=account.name)

    key_file = json.loads(key.private_key_data)  # raw JSON over gRPC, not base64
    assert key_file["type"] == "service_account"
    assert key_file["client_email"] == account.email
    assert key_file["project_id"] == PROJECT
    assert key_file["private_key_id"] == key.name.rsplit("/", 1)[1]
    assert key_file["private_key"].startswith("-----BEGIN PRIVATE KEY-----\n")
    assert key.valid_after_time.year >= 2024
    assert google.model.key_by_json(key.private_key_data.decode()).name == key.name


def test_keys_list_shows_one_system_managed_key_and_filters_by_type(iam):
    account = create(iam)
    key = iam.create_service_account_key(name=account.name)

    every = iam.list_service_account_keys(name=account.name).keys
    user = iam.list_service_account_keys(name=account.name, key_types=[USER_MANAGED]).keys
    system = iam.list_service_account_keys(name=account.name, key_types=[SYSTEM_MANAGED]).keys

    assert len(every) == 2
    assert [k.name for k in user] == [key.name]
    assert len(system) == 1 and system[0].name != key.name
    assert all(not k.private_key_data for k in every)


def test_get_disable_enable_and_delete_a_key(google, iam):
    key = iam.create_service_account_key(name=create(iam).name)

    iam.disable_service_account_key(name=key.name)
    assert iam.get_service_account_key(name=key.name).disabled
    assert not google.model.key_is_usable(google.model.key_by_json(key.private_key_data.decode()))
    iam.enable_service_account_key(name=key.name)
    assert not iam.get_service_account_key(name=key.name).disabled

    iam.delete_service_account_key(name=key.name)
    with pytest.raises(exceptions.NotFound):
        iam.get_service_account_key(name=key.name)
    assert google.model.key_by_json(key.private_key_data.decode()) is None


def test_eleventh_user_managed_key_fails_the_precondition(iam):
    account = create(iam)
    keys = [iam.create_service_account_key(name=account.name) for _ in range(10)]
    iam.disable_service_account_key(name=keys[0].name)  # disabled keys still count

    with pytest.raises(exceptions.FailedPrecondition) as refused:
        iam.create_service_account_key(name=account.name)

    assert refused.value.details == []  # nothing names the limit: callers must count first
    iam.delete_service_account_key(name=keys[0].name)
    iam.create_service_account_key(name=account.name)


def test_org_policy_refusal_names_the_constraint(google, iam):
    account = create(iam)
    google.model.key_creation_disabled = True

    with pytest.raises(exceptions.FailedPrecondition, match="Key creation is not allowed") as refused:
        iam.create_service_account_key(name=account.name)

    [violation] = refused.value.details[0].violations
    assert violation.type == KEY_CREATION_CONSTRAINT == "constraints/iam.disableServiceAccountKeyCreation"
    assert google.calls.operations().count("iam.CreateServiceAccountKey") == 1  # not retried


def test_new_account_is_invisible_until_it_propagates(google, iam, eventually):
    google.model.propagation_delay = 0.3
    account = create(iam)

    with pytest.raises(exceptions.NotFound):
        iam.get_service_account(name=account.name, retry=None)
    with pytest.raises(exceptions.NotFound):
        iam.create_service_account_key(name=account.name)

    assert eventually(lambda: iam.get_service_account(name=account.name, retry=None)).email == account.email


def test_denied_permission_makes_the_call_permission_denied(google, iam):
    account = create(iam)
    google.model.deny("iam.serviceAccountKeys.create")

    with pytest.raises(exceptions.PermissionDenied) as denied:
        iam.create_service_account_key(name=account.name)

    assert denied.value.reason == "IAM_PERMISSION_DENIED"
    assert denied.value.metadata == {"permission": "iam.serviceAccountKeys.create"}
    assert iam.list_service_account_keys(name=account.name).keys  # other permissions are untouched


def test_unknown_project_is_permission_denied(iam):
    with pytest.raises(exceptions.PermissionDenied, match="or it may not exist"):
        iam.create_service_account(name="projects/no-such-project", account_id="akka-docker-reader")


def test_unimplemented_method_fails_loudly(iam):
    with pytest.raises(
        exceptions.MethodNotImplemented, match=r"does not implement /google\.iam\.admin\.v1\.IAM/GetIamPolicy"
    ):
        iam.get_iam_policy(resource=f"projects/-/serviceAccounts/x@{PROJECT}.iam.gserviceaccount.com")

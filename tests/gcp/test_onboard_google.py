"""Onboarding gcr.io and Artifact Registry against the wire-level Google emulator, with the real client libraries."""

from __future__ import annotations

import hashlib
import json

from bootstrap.sandbox.faults import Fault
from tests.conftest import akka_commands, platform_credentials, set_platform
from tests.gcp.conftest import PROJECT

EMAIL = f"akka-docker-reader@{PROJECT}.iam.gserviceaccount.com"
MEMBER = f"serviceAccount:{EMAIL}"
GCR_REPO = f"projects/{PROJECT}/locations/us/repositories/gcr.io"
APPS_REPO = f"projects/{PROJECT}/locations/us-central1/repositories/apps"
GCR = ("onboard", "gcr", "--gcp-project", PROJECT, "--no-verify")
GAR = ("onboard", "gar", "--gcp-project", PROJECT, "--location", "us-central1", "--repository", "apps", "--no-verify")


def members(google, resource: str, role: str = "roles/artifactregistry.reader") -> list[str]:
    policy = google.model.get_iam_policy(resource)
    return list(policy.bindings.get(role, []))


def user_keys(google, email: str = EMAIL) -> list:
    return google.model.list_keys(f"projects/{PROJECT}/serviceAccounts/{email}", ["USER_MANAGED"])


def mutations(google) -> list[str]:
    return [c.operation for c in google.calls.mutating()]


def test_onboard_gcr_end_state(sandbox, google, regboot):
    done = regboot(*GCR)
    assert done.code == 0, done.stderr
    accounts = google.model.list_service_accounts(f"projects/{PROJECT}")[0]
    assert [a.email for a in accounts] == [EMAIL]
    assert accounts[0].description.endswith("akka:demo-project/*/docker-credentials")
    assert members(google, GCR_REPO) == [MEMBER]
    assert MEMBER not in members(google, f"projects/{PROJECT}")
    keys = user_keys(google)
    assert len(keys) == 1
    held = platform_credentials(sandbox)["docker-credentials"]
    assert (held["server"], held["username"], held["email"]) == ("https://gcr.io", "_json_key", EMAIL)
    assert held["password_sha256"] == hashlib.sha256(keys[0].private_key_data.encode()).hexdigest()


def test_rerun_changes_nothing(sandbox, google, regboot):
    assert regboot(*GCR).code == 0
    google.calls.clear()
    before = len(akka_commands(sandbox))
    again = regboot(*GCR)
    assert again.code == 0 and "already in place" in again.stdout
    assert mutations(google) == []
    assert "docker add-credentials" not in akka_commands(sandbox)[before:]
    assert len(user_keys(google)) == 1


def test_onboard_gar_binds_on_that_repository_only(sandbox, google, regboot):
    done = regboot(*GAR)
    assert done.code == 0, done.stderr
    assert members(google, APPS_REPO) == [MEMBER]
    assert members(google, f"projects/{PROJECT}/locations/us-central1/repositories/other") == []
    assert MEMBER not in members(google, f"projects/{PROJECT}")
    assert platform_credentials(sandbox)["docker-credentials"]["server"] == "https://us-central1-docker.pkg.dev"
    google.calls.clear()
    assert regboot(*GAR).code == 0 and mutations(google) == []


def test_gar_without_repository_binds_on_the_project(sandbox, google, regboot):
    done = regboot("onboard", "gar", "--gcp-project", PROJECT, "--location", "us-central1", "--no-verify")
    assert done.code == 0, done.stderr
    assert MEMBER in members(google, f"projects/{PROJECT}")


def test_documented_storage_role_is_a_project_binding(sandbox, google, regboot):
    done = regboot(*GCR, "--role", "roles/storage.objectViewer")
    assert done.code == 0, done.stderr
    assert MEMBER in members(google, f"projects/{PROJECT}", "roles/storage.objectViewer")
    assert members(google, GCR_REPO) == []


def test_propagation_stale_etag_and_throttling_still_succeed(sandbox, google, regboot):
    google.model.configure(propagation_delay=1.5)
    google.calls.inject("ar.repositories.getIamPolicy", Fault(kind="error", status=503))
    google.calls.inject("ar.repositories.setIamPolicy", Fault(kind="conflict"))
    google.calls.inject("iam.CreateServiceAccountKey", Fault(kind="error", status=429, retry_after=1))
    done = regboot(*GCR)
    assert done.code == 0, done.stderr
    assert google.calls.pending() == 0
    assert "waiting for" in done.stderr
    assert len(user_keys(google)) == 1 and members(google, GCR_REPO) == [MEMBER]


def test_org_policy_refusal_names_the_constraint(sandbox, google, regboot):
    google.model.configure(key_creation_disabled=True)
    done = regboot(*GCR, "-o", "json")
    assert done.code == 3
    error = done.json()["errors"][0]
    assert error["code"] == "org_policy" and "iam.disableServiceAccountKeyCreation" in error["message"]
    assert "docker add-credentials" not in akka_commands(sandbox)
    # the account this run created was rolled back with everything else
    assert google.model.list_service_accounts(f"projects/{PROJECT}")[0] == []
    assert members(google, GCR_REPO) == []


def test_platform_failure_retires_the_new_key(sandbox, google, regboot):
    set_platform(sandbox, fail={"docker add-credentials": {"message": "the platform is down"}})
    done = regboot(*GCR)
    assert done.code == 1 and "the platform is down" in done.stderr
    assert google.model.list_service_accounts(f"projects/{PROJECT}")[0] == []
    assert platform_credentials(sandbox) == {}


def test_the_key_is_minted_beside_the_grant_and_goes_when_the_grant_fails(sandbox, google, regboot):
    """The key needs the account, not its grant: both are asked for at once. A grant Google refuses then ends the
    run, and the key made meanwhile is rolled back with the account."""
    google.calls.inject("ar.repositories.setIamPolicy", Fault(kind="error", status=400, message="refused"))
    done = regboot(*GCR)
    assert done.code == 1 and "refused" in done.stderr, done.stderr
    assert "iam.CreateServiceAccountKey" in google.calls.operations()
    assert "rolled back: key" in done.stderr
    assert google.model.list_service_accounts(f"projects/{PROJECT}")[0] == []
    assert platform_credentials(sandbox) == {}


def test_platform_failure_on_an_existing_account_keeps_it_but_not_the_key(sandbox, google, regboot):
    assert regboot(*GCR).code == 0
    old = {k.name for k in user_keys(google)}
    set_platform(sandbox, fail={"docker add-credentials": {"message": "the platform is down"}})
    assert regboot("rotate", "gcr", "--gcp-project", PROJECT, "--no-verify").code == 1
    assert {k.name for k in user_keys(google)} == old


def test_identity_serving_another_consumer_is_refused(sandbox, google, regboot):
    assert regboot(*GCR).code == 0
    google.calls.clear()
    # A consumer of its own gets an identity of its own by default; naming the other's is refused.
    done = regboot(*GCR, "--secret-name", "other", "--service-account", "akka-docker-reader")
    assert done.code == 3 and "--service-account" in done.stderr and "already serves" in done.stderr
    assert mutations(google) == []


def test_key_limit_is_checked_before_minting(sandbox, google, regboot):
    account = google.model.add_service_account(
        PROJECT, "akka-docker-reader", description="regboot: serves akka:demo-project/*/docker-credentials"
    )
    for _ in range(10):
        google.model.create_key(account.name)
    done = regboot(*GCR)
    assert done.code == 3 and "10 user-managed keys" in done.stderr
    assert len(user_keys(google)) == 10


def test_missing_repository_says_how_to_create_it(sandbox, google, regboot):
    done = regboot("onboard", "gcr", "--gcp-project", PROJECT, "--host", "eu.gcr.io", "--no-verify")
    assert done.code == 3
    assert "gcloud artifacts repositories create eu.gcr.io" in done.stderr
    assert mutations(google) == []


def test_a_repository_the_permission_check_cannot_find_is_missing_too(sandbox, google, regboot):
    # get saw it, testIamPermissions (another replica) did not: the same answer, not an unexplained 404
    google.calls.inject("ar.repositories.testIamPermissions", Fault(kind="not_visible"))
    done = regboot(*GAR, "-o", "json")
    assert done.code == 3
    assert done.json()["errors"][0]["code"] == "unknown_repository"
    assert "gcloud artifacts repositories list" in done.json()["errors"][0]["fix"]
    assert mutations(google) == []


def test_unknown_project_is_a_precondition(sandbox, google, regboot):
    done = regboot("onboard", "gcr", "--gcp-project", "no-such-project", "--no-verify")
    assert done.code == 3 and "no-such-project" in done.stderr


def test_missing_permission_is_a_precondition(sandbox, google, regboot):
    google.model.deny("iam.serviceAccountKeys.create")
    done = regboot(*GCR)
    assert done.code == 3 and "iam.serviceAccountKeys.create" in done.stderr
    assert mutations(google) == []


def test_the_key_never_reaches_output(sandbox, google, regboot, canaries):
    done = regboot(*GCR, "-o", "json", "--debug")
    key = json.loads(user_keys(google)[0].private_key_data)
    canaries.values.append(key["private_key"])  # the key id is public (keys list shows it); the PEM is not
    assert done.code == 0
    assert "_json_key" in done.stdout


def test_disabled_apis_are_named_with_the_enable_command(sandbox, google, regboot):
    google.model.disable_services(PROJECT, "iam.googleapis.com", "artifactregistry.googleapis.com")
    done = regboot(*GCR, "-o", "json")
    assert done.code == 3, done.stderr
    [error] = done.json()["errors"]
    assert error["code"] == "api_disabled"
    assert "iam.googleapis.com" in error["message"] and "artifactregistry.googleapis.com" in error["message"]
    enable = f"gcloud services enable iam.googleapis.com artifactregistry.googleapis.com --project {PROJECT}"
    assert enable in error["fix"]
    assert google.model.accounts == {} and len(google.model.keys) == 0
    assert members(google, GCR_REPO) == [] and MEMBER not in members(google, f"projects/{PROJECT}")
    assert mutations(google) == []
    assert "docker add-credentials" not in akka_commands(sandbox) and platform_credentials(sandbox) == {}


def test_a_disabled_resource_manager_api_is_not_an_unknown_project(sandbox, google, regboot):
    google.model.disable_services(PROJECT, "cloudresourcemanager.googleapis.com")
    done = regboot(*GAR)
    assert done.code == 3
    assert f"gcloud services enable cloudresourcemanager.googleapis.com --project {PROJECT}" in done.stderr
    assert mutations(google) == []


def test_transient_errors_are_retried_by_regboot_not_the_sdk(sandbox, google, regboot):
    # The SDKs would repeat these reads silently on a 503 in a loop of their own; regboot's loop shows each retry.
    reads = ("crm.projects.get", "ar.repositories.get", "iam.GetServiceAccount", "iam.ListServiceAccountKeys")
    for operation in reads:
        google.calls.inject(operation, Fault(status=503, message="injected 503"))
    done = regboot(*GCR)
    assert done.code == 0, done.stderr
    assert google.calls.pending() == 0
    assert done.stderr.count("Google answered 503") == len(reads), done.stderr


def test_a_long_consumer_label_is_recorded_within_googles_limit_and_found_again(sandbox, google, regboot):
    project, region = "p" * 128, "r" * 100
    empty = {"owner": "", "regions": [region], "credentials": {}, "secrets": {}}
    set_platform(sandbox, projects={project: empty, f"{project[:-1]}q": dict(empty)}, config={"project": project})
    args = (*GCR, "--akka-region", region)
    done = regboot(*args)
    assert done.code == 0, done.stderr
    [account] = google.model.list_service_accounts(f"projects/{PROJECT}")[0]
    assert len(account.description.encode()) <= 256
    google.calls.clear()
    again = regboot(*args)
    assert again.code == 0 and "already in place" in again.stdout, again.stderr
    assert mutations(google) == []
    # a label differing only past the cut is another consumer, not this one
    other = regboot(*args, "--akka-project", f"{project[:-1]}q")
    assert other.code == 3 and "already serves" in other.stderr


def test_an_api_disabled_after_onboarding_is_named_with_the_enable_command(sandbox, google, regboot):
    assert regboot(*GCR).code == 0
    google.model.disable_services(PROJECT, "iam.googleapis.com")
    done = regboot("rotate", "gcr", "--gcp-project", PROJECT, "--no-verify")
    assert done.code == 3, done.stderr
    assert f"gcloud services enable iam.googleapis.com --project {PROJECT}" in done.stderr
    status = regboot("status")  # a warning per credential: which API, not "check your roles"
    assert "has not enabled iam.googleapis.com" in status.stdout, status.stdout


def test_a_new_account_is_not_searched_for_older_keys_after_onboarding(sandbox, google, regboot):
    """The account was made by this run, under the consumer's lock: it holds no key but the new one, so there is
    nothing to retire and no listing to make once the platform holds it."""
    assert regboot(*GCR).code == 0
    operations = google.calls.operations()
    minted = operations.index("iam.CreateServiceAccountKey")
    assert "iam.ListServiceAccountKeys" not in operations[minted:]
    assert len(user_keys(google)) == 1


def test_a_new_account_gets_its_key_without_its_keys_being_counted(sandbox, google, regboot):
    """An account this run made holds no user-managed key, so it cannot be at the 10-key limit: its keys are listed
    once, by the preflight (when it did not exist yet), and not again before the key is minted."""
    assert regboot(*GCR).code == 0
    operations = google.calls.operations()
    created = operations.index("iam.CreateServiceAccount")
    assert "iam.ListServiceAccountKeys" not in operations[created:]
    assert len(user_keys(google)) == 1


def test_the_grants_policy_is_read_ahead_and_the_grant_waits_for_the_new_account_itself(sandbox, google, regboot):
    """The policy a grant goes into does not depend on the account: the preflight reads it, and the grant writes it
    (etag-checked) right after the account is made, retrying while IAM policies do not know the new account yet
    (400 "does not exist"), with no read in between that would only wait."""
    google.model.propagation_delay = 2.0
    done = regboot(*GCR)
    assert done.code == 0, done.stderr
    operations = google.calls.operations()
    created = operations.index("iam.CreateServiceAccount")
    assert operations.index("ar.repositories.getIamPolicy") < created
    after = operations[created + 1 :]
    assert not {"ar.repositories.getIamPolicy", "iam.GetServiceAccount"} & set(
        after[: after.index("ar.repositories.setIamPolicy")]
    )
    assert operations.count("ar.repositories.setIamPolicy") > 1  # refused while the account propagated
    assert members(google, GCR_REPO) == [MEMBER]
    assert user_keys(google) and google.calls.pending() == 0


def test_a_rerun_reads_each_policy_once(sandbox, google, regboot):
    """Whether the grant is in place is told by the policy the preflight read: the inspection does not ask again."""
    assert regboot(*GCR).code == 0
    google.calls.clear()
    assert regboot(*GCR).code == 0
    assert google.calls.operations().count("ar.repositories.getIamPolicy") == 1


def test_the_preflight_reads_serve_the_inspection(sandbox, google, regboot):
    """Preflight already read the account and its keys: a rerun does not ask for them again."""
    assert regboot(*GCR).code == 0
    google.calls.clear()
    assert regboot(*GCR).code == 0
    operations = google.calls.operations()
    assert operations.count("iam.GetServiceAccount") == 1 and operations.count("iam.ListServiceAccountKeys") == 1


def test_a_logged_out_platform_is_reported_before_the_clouds_refusal(sandbox, google, regboot):
    """The platform's and the cloud's preflight run at once; the platform's failure is still the one reported."""
    set_platform(sandbox, logged_in=False)
    done = regboot("onboard", "gcr", "--gcp-project", "no-such-project", "--no-verify", "-o", "json")
    assert done.code == 3
    assert [e["code"] for e in done.json()["errors"]] == ["not_logged_in"]

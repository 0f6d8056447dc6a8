"""Several registries in one Akka project: a secret holding another registry is never replaced by accident, and
credentials the user holds rotate like the clouds' do."""

from __future__ import annotations

import hashlib

import pytest

from bootstrap.sandbox.world import GCP_PROJECT
from tests.conftest import akka_commands, platform_credentials

SERVER = "https://registry.example.com/v1/"
PRIVATE = ("onboard", "private", "--server", SERVER, "--username", "bot", "--password-stdin", "--no-verify")
GCR = ("onboard", "gcr", "--gcp-project", GCP_PROJECT)


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def test_onboard_never_replaces_another_registrys_credential_by_accident(world, regboot, canaries):
    token = canaries.new("token")
    assert regboot(*PRIVATE, input=token).code == 0
    for dry in ((), ("--dry-run",)):
        refused = regboot(*GCR, *dry, "-o", "json")
        assert refused.code == 3, refused.stderr
        error = refused.json()["errors"][0]
        assert error["code"] == "secret_holds_another_registry"
        assert SERVER in error["message"] and "docker-credentials" in error["message"]
        assert "--secret-name gcr" in error["fix"] and "--replace" in error["fix"]
    assert platform_credentials(world)["docker-credentials"]["password_sha256"] == sha(token)
    writes = [c for e in world.emulators.values() for c in e.calls.mutating()]
    assert writes == []  # refused before any cloud write
    assert akka_commands(world).count("docker add-credentials") == 1  # the private onboarding's alone


def test_replace_takes_another_registrys_secret_on_purpose(world, regboot, canaries):
    assert regboot(*PRIVATE, input=canaries.new("token")).code == 0
    done = regboot(*GCR, "--replace", "-y")
    assert done.code == 0, done.stderr
    assert platform_credentials(world)["docker-credentials"]["server"] == "https://gcr.io"


def test_the_suggested_secret_name_is_free(world, regboot, canaries):
    assert regboot(*PRIVATE, input=canaries.new("token")).code == 0
    assert regboot(*PRIVATE, "--secret-name", "gcr", input=canaries.new("token")).code == 0
    refused = regboot(*GCR, "-o", "json")
    assert refused.code == 3 and "--secret-name gcr-2" in refused.json()["errors"][0]["fix"]


def test_rotate_private_installs_a_new_token_verified_first(tmp_path, monkeypatch, regboot, canaries):
    from bootstrap.sandbox.world import Sandbox

    old, new = canaries.new("old"), canaries.new("new")
    with Sandbox(tmp_path / "box", clouds=True, accounts=(("bot", new),)) as box:  # the registry knows the new one
        for key, value in box.env.items():
            monkeypatch.setenv(key, value)
        assert regboot(*PRIVATE, input=old).code == 0
        rotate = ("rotate", "private", "--server", SERVER, "--username", "bot", "--password-stdin")
        refused = regboot(*rotate, input=canaries.new("wrong"))
        assert refused.code == 1 and "refused bot" in refused.stderr
        assert platform_credentials(box)["docker-credentials"]["password_sha256"] == sha(old)
        done = regboot(*rotate, input=new)
        assert done.code == 0, done.stderr
        assert "verified credential" in done.stderr
        assert platform_credentials(box)["docker-credentials"]["password_sha256"] == sha(new)


def test_rotate_dockerhub_installs_the_new_token(sandbox, regboot, canaries):
    hub = ("dockerhub", "--username", "octo", "--password-stdin", "--no-verify")
    assert regboot("onboard", *hub, input=canaries.new("old")).code == 0
    new = canaries.new("new")
    done = regboot("rotate", *hub, input=new)
    assert done.code == 0, done.stderr
    assert platform_credentials(sandbox)["docker-credentials"]["password_sha256"] == sha(new)


def test_an_onboard_already_in_place_says_the_token_was_not_sent(sandbox, regboot, canaries):
    assert regboot(*PRIVATE, input=canaries.new("old")).code == 0
    again = regboot(*PRIVATE, "-o", "json", input=canaries.new("new"))
    assert again.code == 0
    warning = " ".join(again.json()["data"]["warnings"])
    assert "not sent" in warning and "regboot rotate private" in warning
    text = regboot(*PRIVATE, input=canaries.new("new"))
    assert "not sent" in text.stdout + text.stderr


def test_rotate_and_offboard_by_secret_name_alone(sandbox, regboot, canaries):
    assert regboot(*PRIVATE, "--secret-name", "priv", input=canaries.new("old")).code == 0
    new = canaries.new("new")
    rotated = regboot("rotate", "--secret-name", "priv", "--password-stdin", "--no-verify", input=new)
    assert rotated.code == 0, rotated.stderr
    held = platform_credentials(sandbox)["priv"]
    assert (held["server"], held["username"], held["password_sha256"]) == (SERVER, "bot", sha(new))
    done = regboot("offboard", "--secret-name", "priv", "-y")
    assert done.code == 0, done.stderr
    assert "priv" not in platform_credentials(sandbox)
    again = regboot("offboard", "--secret-name", "priv", "-y")
    assert again.code == 0 and "already gone" in again.stdout


def test_rotate_by_a_name_the_platform_does_not_hold_is_refused(sandbox, regboot):
    done = regboot("rotate", "--secret-name", "nope", "-o", "json")
    assert done.code == 3 and done.json()["errors"][0]["code"] == "unknown_secret"


def test_options_before_the_provider_are_refused_not_dropped(sandbox, regboot):
    done = regboot("offboard", "--secret-name", "priv", "private", "--server", SERVER, "--username", "bot", "-y")
    assert done.code == 2 and "--secret-name must come after the provider name" in done.stderr
    assert "docker remove-credentials" not in akka_commands(sandbox)


def test_default_service_accounts_are_distinct_stable_and_valid():
    import re

    from bootstrap.consumer import Consumer

    def default_account(consumer: Consumer) -> str:
        return consumer.identity_name

    names = {
        secret: default_account(Consumer(secret, project="demo-project"))
        for secret in ("docker-credentials", "gar", "gcr", "x" * 63, "a-" + "b" * 60)
    }
    assert names["docker-credentials"] == "akka-docker-reader"  # the platform docs' name, kept for the default
    assert len(set(names.values())) == len(names)
    assert all(6 <= len(n) <= 30 and re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])", n) for n in names.values())
    assert default_account(Consumer("gar", project="demo-project")) == names["gar"]  # stable across runs
    assert default_account(Consumer("gar", project="other")) != names["gar"]  # per consumer, not per secret name


def test_gcr_and_gar_consumers_in_one_project_get_their_own_identities(world, regboot):
    assert regboot(*GCR).code == 0
    gar = ("onboard", "gar", "--gcp-project", GCP_PROJECT, "--location", "us-central1", "--secret-name", "gar")
    assert regboot(*gar).code == 0, "the default identities must not collide"
    again = regboot(*gar, "-o", "json")
    assert again.code == 0 and again.json()["data"]["changed"] is False
    emails = [a.email for a in world.emulators["google"].model.list_service_accounts(f"projects/{GCP_PROJECT}")[0]]
    assert len(emails) == 2 and any(e.startswith("akka-gar-") for e in emails)


def test_offboard_removes_every_grant_whichever_flags_are_given(world, regboot):
    location = ("--gcp-project", GCP_PROJECT, "--location", "us-central1")
    assert regboot("onboard", "gar", *location, "--repository", "apps").code == 0
    done = regboot("offboard", "gar", *location, "-y", "-o", "json")  # no --repository this time
    assert done.code == 0, done.stderr
    google = world.emulators["google"].model
    repository = f"projects/{GCP_PROJECT}/locations/us-central1/repositories/apps"
    members = [
        m
        for scope in (repository, f"projects/{GCP_PROJECT}")
        for ms in google.get_iam_policy(scope).bindings.values()
        for m in ms
    ]
    assert not [m for m in members if m.startswith("serviceAccount:")]
    revoked = [a for a in done.json()["data"]["actions"] if a["verb"] == "revoked"]
    assert [a["name"] for a in revoked] == [f"on {repository}"]
    assert google.list_service_accounts(f"projects/{GCP_PROJECT}")[0] == []


def test_google_credentials_rotate_and_offboard_by_secret_name(world, regboot):
    location = ("--gcp-project", GCP_PROJECT, "--location", "us-central1")
    assert regboot(*GCR, "--secret-name", "gcr").code == 0
    assert regboot("onboard", "gar", *location, "--repository", "apps", "--secret-name", "gar").code == 0
    google = world.emulators["google"].model
    keys = {
        a.email: [k.key_id for k in google.list_keys(a.name, ["USER_MANAGED"])]
        for a in google.list_service_accounts(f"projects/{GCP_PROJECT}")[0]
    }

    rotated = regboot("rotate", "--secret-name", "gcr")
    assert rotated.code == 0, rotated.stderr
    gar_rotate = regboot("rotate", "--secret-name", "gar", "-o", "json")  # the entry names no repository
    assert gar_rotate.code == 2 and "--repository REPOSITORY" in gar_rotate.json()["errors"][0]["fix"]
    after = {
        a.email: [k.key_id for k in google.list_keys(a.name, ["USER_MANAGED"])]
        for a in google.list_service_accounts(f"projects/{GCP_PROJECT}")[0]
    }
    [gcr_account] = [e for e in keys if e.startswith("akka-gcr-")]
    assert after[gcr_account] != keys[gcr_account] and len(after[gcr_account]) == 1

    assert regboot("offboard", "--secret-name", "gar", "-y").code == 0
    assert regboot("offboard", "--secret-name", "gcr", "-y").code == 0
    assert google.list_service_accounts(f"projects/{GCP_PROJECT}")[0] == []
    assert platform_credentials(world) == {}


def test_acr_credentials_get_their_own_app_and_rotate_and_offboard_by_secret_name(world, regboot):
    from bootstrap.sandbox.world import ACR_REGISTRY

    assert regboot("onboard", "acr", "--registry", ACR_REGISTRY).code == 0
    assert regboot("onboard", "acr", "--registry", ACR_REGISTRY, "--secret-name", "acr").code == 0
    directory = world.emulators["azure"].model.directory
    apps = {a.display_name: a for a in directory.applications_list()}
    assert len(apps) == 2 and "akka-docker-reader" in apps  # the second consumer got an app of its own
    [own] = [a for name, a in apps.items() if name.startswith("akka-acr-")]
    before = [p.key_id for p in own.passwords]

    rotated = regboot("rotate", "--secret-name", "acr")
    assert rotated.code == 0, rotated.stderr
    after = [p.key_id for p in next(a for a in directory.applications_list() if a.app_id == own.app_id).passwords]
    assert len(after) == 1 and after != before
    assert len(directory.applications_list()) == 2  # no app made for it

    assert regboot("offboard", "--secret-name", "acr", "-y").code == 0
    assert [a.display_name for a in directory.applications_list()] == ["akka-docker-reader"]
    assert sorted(platform_credentials(world)) == ["docker-credentials"]


def test_status_shows_an_identity_no_credential_uses_and_how_to_remove_it(world, regboot, canaries):
    assert regboot(*GCR).code == 0  # docker-credentials: gcr.io, served by akka-docker-reader
    assert regboot(*GCR, "--secret-name", "gcr").code == 0  # the project's entries point at the Google project
    replaced = regboot(*PRIVATE, "--replace", "-y", input=canaries.new("token"))  # docker-credentials now private
    assert replaced.code == 0, replaced.stderr
    done = regboot("status", "-o", "json")
    assert done.code == 0, done.stderr
    [stray] = done.json()["data"]["strays"]
    assert stray["identity"].startswith("akka-docker-reader@") and stray["credentials"] == 1
    assert stray["serves"].endswith("/docker-credentials")
    assert "remove it with `regboot offboard gcr" in regboot("status").stdout

    removed = regboot(*stray["fix"].split()[1:])  # the command status gave, as given
    assert removed.code == 0, removed.stderr
    google = world.emulators["google"].model
    assert [a.email for a in google.list_service_accounts(f"projects/{GCP_PROJECT}")[0]] != []
    assert not any(
        a.email.startswith("akka-docker-reader@") for a in google.list_service_accounts(f"projects/{GCP_PROJECT}")[0]
    )
    assert platform_credentials(world)["docker-credentials"]["server"] == SERVER  # the private credential stays
    assert regboot("status", "-o", "json").json()["data"]["strays"] == []


@pytest.mark.parametrize(
    ("principal", "made_before_tags"),
    [("team-reader", False), ("akka-docker-reader", True)],
    ids=["any-name-by-its-tag", "made-before-tags-by-its-default-name"],
)
def test_status_shows_an_acr_app_no_credential_uses_and_its_offboard_removes_it(
    world, regboot, canaries, principal, made_before_tags
):
    from bootstrap.sandbox.world import ACR_REGISTRY

    acr = ("onboard", "acr", "--registry", ACR_REGISTRY)
    assert regboot(*acr, "--service-principal", principal).code == 0  # docker-credentials: the registry
    assert regboot(*acr, "--secret-name", "acr").code == 0  # the project's entries still point at Azure
    replaced = regboot(*PRIVATE, "--replace", "-y", input=canaries.new("token"))  # docker-credentials now private
    assert replaced.code == 0, replaced.stderr
    azure = world.emulators["azure"].model
    [app] = [a for a in azure.directory.applications_list() if a.display_name == principal]
    sp = azure.directory.service_principal_of(app.app_id)
    if made_before_tags:  # an app an older regboot made carries no tag: its default name still finds it
        azure.directory.update_application(app.id, tags=[])

    done = regboot("status", "-o", "json")
    assert done.code == 0, done.stderr
    [stray] = done.json()["data"]["strays"]
    assert stray["provider"] == "acr" and app.app_id in stray["identity"]
    assert stray["serves"].endswith("/docker-credentials") and stray["credentials"] == 1
    text = regboot("status")
    assert f"holds 1 live credential(s) but no platform credential uses it: remove it with `{stray['fix']}`" in (
        " ".join(text.stdout.split())
    )

    removed = regboot(*stray["fix"].split()[1:])  # the command status gave, as given
    assert removed.code == 0, removed.stderr
    [left] = azure.directory.applications_list()
    assert left.display_name.startswith("akka-acr-")  # the acr consumer's own app stays
    assert not [a for a in azure.role_assignments.values() if a.principal_id == sp.id]  # its grant went too
    assert platform_credentials(world)["docker-credentials"]["server"] == SERVER  # the private credential stays
    assert regboot("status", "-o", "json").json()["data"]["strays"] == []


def test_an_acr_stray_beyond_graphs_first_page_of_apps_is_found(world, regboot, canaries):
    from bootstrap.sandbox.world import ACR_REGISTRY

    directory = world.emulators["azure"].model.directory
    for n in range(100):  # another Akka project's apps fill Graph's first page of tagged apps
        directory.create_application(f"other-{n}", notes="regboot: serves akka:elsewhere/*/x", tags=["regboot"])
    acr = ("onboard", "acr", "--registry", ACR_REGISTRY)
    assert regboot(*acr, "--service-principal", "team-reader").code == 0
    assert regboot(*acr, "--secret-name", "acr").code == 0
    assert regboot(*PRIVATE, "--replace", "-y", input=canaries.new("token")).code == 0

    done = regboot("status", "-o", "json")
    assert done.code == 0, done.stderr
    assert [s["identity"].split(" (")[0] for s in done.json()["data"]["strays"]] == ["team-reader"]

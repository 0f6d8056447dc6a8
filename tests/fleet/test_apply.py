"""regboot apply -f: a fleet file checked whole, planned, converged concurrently, pruned."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from bootstrap.sandbox.world import ACR_REGISTRY, GCP_PROJECT
from tests.conftest import akka_commands, platform_credentials

RESULT_SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "result-v2.schema.json").read_text())
PRIVATE_SERVER = "https://registry.example.com"
SA_DOMAIN = f"{GCP_PROJECT}.iam.gserviceaccount.com"


def fleet(tmp_path: Path, body: str, name: str = "fleet.yaml") -> str:
    path = tmp_path / name
    path.write_text(body)
    return str(path)


GCR = f"""
  - provider: gcr
    gcp-project: {GCP_PROJECT}
    secret-name: gcr
"""
GAR = f"""
  - provider: gar
    gcp-project: {GCP_PROJECT}
    location: us-central1
    repository: apps
    service-account: akka-gar-reader
    secret-name: gar
"""
PRIVATE = f"""
  - provider: private
    server: {PRIVATE_SERVER}
    username: bob
    password-env: PRIV_TOKEN
    no-verify: true
    secret-name: priv
"""
HEAD = "version: 1\ndefaults:\n  akka-project: demo-project\ncredentials:\n"


def writes(box) -> int:
    return sum(len(e.calls.mutating()) for e in box.emulators.values())


def platform_writes(box) -> list[str]:
    return [
        c for c in akka_commands(box) if c in ("docker add-credentials", "docker remove-credentials", "secrets delete")
    ]


def test_a_file_with_several_errors_reports_each_with_its_entry_and_key(world, regboot, tmp_path):
    path = fleet(
        tmp_path,
        HEAD
        + f"""
  - provider: gcr
    secret-name: One_
    colour: blue
  - provider: gar
    gcp-project: {GCP_PROJECT}
    location: "US Central"
    secret-name: two
  - provider: private
    server: {PRIVATE_SERVER}
    username: bob
    password: hunter22
    secret-name: three
  - provider: gcr
    gcp-project: {GCP_PROJECT}
    secret-name: gcr
  - provider: gcr
    gcp-project: {GCP_PROJECT}
    host: eu.gcr.io
    secret-name: gcr
""",
    )
    done = regboot("apply", "-f", path, "-o", "json")
    assert done.code == 2, done.stderr
    document = done.json()
    jsonschema.validate(document, RESULT_SCHEMA)
    assert document["status"] == "error" and document["errors"][0]["code"] == "fleet_invalid"
    problems = {(p["entry"], p["key"]) for p in document["data"]["problems"]}
    assert {(1, "colour"), (1, "gcp-project"), (1, "secret-name"), (2, "location"), (3, "password")} <= problems
    assert (5, "secret-name") in problems  # the same consumer as entry 4
    assert "entry 3, password" in done.stderr and "password-env" in done.stderr
    assert akka_commands(world) == [] and writes(world) == 0  # not even a read
    assert [c for e in world.emulators.values() for c in e.calls.calls] == []  # checked before any call


def test_a_toml_file_is_read_too(world, regboot, tmp_path):
    path = fleet(
        tmp_path,
        f'version = 1\n[defaults]\nakka-project = "demo-project"\n[[credentials]]\nprovider = "gcr"\n'
        f'gcp-project = "{GCP_PROJECT}"\nsecret-name = "gcr"\n',
        "fleet.toml",
    )
    done = regboot("apply", "-f", path, "--dry-run", "-o", "json")
    assert done.code == 0, done.stderr
    assert [e["action"] for e in done.json()["data"]["entries"]] == ["create"]


def test_dry_run_says_what_each_entry_would_do_and_writes_nothing(world, regboot, tmp_path, canaries, monkeypatch):
    monkeypatch.setenv("PRIV_TOKEN", canaries.new("token"))
    taken = ("onboard", "private", "--server", PRIVATE_SERVER, "--username", "eve", "--secret-name", "acr")
    assert regboot(*taken, "--password-stdin", "--no-verify", input=canaries.new("eve")).code == 0
    before = (writes(world), len(platform_writes(world)))
    acr = f"  - provider: acr\n    registry: {ACR_REGISTRY}\n    secret-name: acr\n"
    done = regboot("apply", "-f", fleet(tmp_path, HEAD + GCR + PRIVATE + acr), "--dry-run", "-o", "json")
    assert done.code == 1, done.stderr  # one entry is refused: the plan says so
    entries = {e["consumer"]["secret_name"]: e for e in done.json()["data"]["entries"]}
    assert (entries["gcr"]["action"], entries["priv"]["action"]) == ("create", "create")
    assert entries["acr"]["action"] == "refused"
    assert entries["acr"]["errors"][0]["code"] == "secret_holds_another_registry"
    assert (writes(world), len(platform_writes(world))) == before


def test_apply_converges_every_entry_and_a_rerun_writes_nothing(world, regboot, tmp_path, canaries, monkeypatch):
    token = canaries.new("token")
    monkeypatch.setenv("PRIV_TOKEN", token)
    path = fleet(tmp_path, HEAD + GCR + GAR + PRIVATE)
    done = regboot("apply", "-f", path, "-j", "3", "-o", "json")
    assert done.code == 0, done.stderr
    jsonschema.validate(done.json(), RESULT_SCHEMA)
    assert {e["action"] for e in done.json()["data"]["entries"]} == {"create"}
    held = platform_credentials(world)
    assert held["gcr"]["server"] == "https://gcr.io" and held["gar"]["server"] == "https://us-central1-docker.pkg.dev"
    assert held["priv"]["password_sha256"] == hashlib.sha256(token.encode()).hexdigest()
    assert len(world.emulators["google"].model.accounts) == 2  # one identity per consumer

    before = (writes(world), akka_commands(world).count("docker add-credentials"))
    again = regboot("apply", "-f", path, "-o", "json")
    assert again.code == 0, again.stderr
    assert [e["action"] for e in again.json()["data"]["entries"]] == ["in place"] * 3
    assert (writes(world), akka_commands(world).count("docker add-credentials")) == before


def test_a_failing_entry_does_not_stop_the_others(world, regboot, tmp_path, canaries, monkeypatch):
    monkeypatch.setenv("PRIV_TOKEN", canaries.new("token"))
    missing = "  - provider: gcr\n    gcp-project: no-such-project\n    secret-name: lost\n"
    done = regboot("apply", "-f", fleet(tmp_path, HEAD + GCR + missing + PRIVATE), "-o", "json")
    assert done.code == 1, done.stderr
    document = done.json()
    jsonschema.validate(document, RESULT_SCHEMA)
    assert document["status"] == "partial"
    status = {e["consumer"]["secret_name"]: e["status"] for e in document["data"]["entries"]}
    assert status == {"gcr": "converged", "lost": "failed", "priv": "converged"}
    lost = next(e for e in document["data"]["entries"] if e["consumer"]["secret_name"] == "lost")
    assert lost["errors"][0]["code"] == "unknown_project" and "no-such-project" in lost["errors"][0]["message"]
    assert {"gcr", "priv"} <= set(platform_credentials(world)) and "lost" not in platform_credentials(world)
    assert "lost" in done.stderr  # one line per entry as it finishes


def test_prune_offboards_what_the_file_no_longer_lists_but_never_a_static_credential(
    world, regboot, tmp_path, canaries, monkeypatch
):
    monkeypatch.setenv("PRIV_TOKEN", canaries.new("token"))
    assert regboot("apply", "-f", fleet(tmp_path, HEAD + GCR + GAR + PRIVATE)).code == 0
    google = world.emulators["google"].model
    gcr_account = next(email for email, a in google.accounts.items() if a.description.endswith("/gcr"))
    smaller = fleet(tmp_path, HEAD + GAR, "smaller.yaml")

    plan = regboot("apply", "-f", smaller, "--prune", "--dry-run", "-o", "json")
    assert plan.code == 0, plan.stderr
    actions = {e["consumer"]["secret_name"]: e["action"] for e in plan.json()["data"]["entries"]}
    assert actions == {"gar": "in place", "gcr": "prune", "priv": "unmanaged"}
    refused = regboot("apply", "-f", smaller, "--prune")  # no terminal, no -y
    assert refused.code == 2 and "-y" in refused.stderr
    assert {"gcr", "gar", "priv"} <= set(platform_credentials(world)) and gcr_account in google.accounts

    done = regboot("apply", "-f", smaller, "--prune", "-y", "-o", "json")
    assert done.code == 0, done.stderr
    assert set(platform_credentials(world)) >= {"gar", "priv"} and "gcr" not in platform_credentials(world)
    assert gcr_account not in google.accounts and len(google.accounts) == 1
    priv = next(e for e in done.json()["data"]["entries"] if e["consumer"]["secret_name"] == "priv")
    assert priv["action"] == "unmanaged" and "static" in priv["note"]


def test_a_credential_whose_identity_serves_another_consumer_is_never_pruned(world, regboot, tmp_path):
    assert regboot("onboard", "gcr", "--gcp-project", GCP_PROJECT, "--secret-name", "gcr").code == 0
    account = next(iter(world.emulators["google"].model.accounts.values()))
    account.description = "regboot: serves akka:other/*/gcr"  # someone else's record
    done = regboot("apply", "-f", fleet(tmp_path, HEAD + GAR), "--prune", "-y", "-o", "json")
    assert done.code == 0, done.stderr
    gcr = next(e for e in done.json()["data"]["entries"] if e["consumer"]["secret_name"] == "gcr")
    assert gcr["action"] == "unmanaged" and "akka:other/*/gcr" in gcr["note"]
    assert "gcr" in platform_credentials(world)


@pytest.mark.parametrize(("within", "action"), [("30", "rotate"), ("5", "in place")])
def test_a_credential_that_expires_within_the_window_is_rotated(world, regboot, tmp_path, within, action):
    acr = f"  - provider: acr\n    registry: {ACR_REGISTRY}\n    expires-in: 10d\n    secret-name: acr\n"
    path = fleet(tmp_path, HEAD + acr)
    assert regboot("apply", "-f", path).code == 0
    done = regboot("apply", "-f", path, "--rotate-within", within, "-o", "json")
    assert done.code == 0, done.stderr
    assert [e["action"] for e in done.json()["data"]["entries"]] == [action]


def test_azure_entries_converge_side_by_side(world, regboot, tmp_path):
    acr = "".join(
        f"  - provider: acr\n    registry: {ACR_REGISTRY}\n"
        f"    service-principal: akka-acr-{n}\n    secret-name: acr-{n}\n"
        for n in (1, 2)
    )
    done = regboot("apply", "-f", fleet(tmp_path, HEAD + GCR + acr), "-j", "3", "-o", "json")
    assert done.code == 0, done.stderr
    held = platform_credentials(world)
    assert held["acr-1"]["username"] != held["acr-2"]["username"]  # one app per consumer
    assert {held[f"acr-{n}"]["server"] for n in (1, 2)} == {f"{ACR_REGISTRY}.azurecr.io"}


def test_prune_offboards_an_acr_credential_the_file_no_longer_lists(world, regboot, tmp_path):
    acr = f"  - provider: acr\n    registry: {ACR_REGISTRY}\n    secret-name: acr\n"
    assert regboot("apply", "-f", fleet(tmp_path, HEAD + GAR + acr)).code == 0
    directory = world.emulators["azure"].model.directory
    assert len(directory.applications_list()) == 1
    done = regboot("apply", "-f", fleet(tmp_path, HEAD + GAR, "smaller.yaml"), "--prune", "-y", "-o", "json")
    assert done.code == 0, done.stderr
    entry = next(e for e in done.json()["data"]["entries"] if e["consumer"]["secret_name"] == "acr")
    assert entry["action"] == "prune"
    assert directory.applications_list() == [] and "acr" not in platform_credentials(world)


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("-j", "0", "invalid --jobs 0"),
        ("-j", "65", "invalid --jobs 65"),
        ("--rotate-within", "-1", "invalid --rotate-within -1"),
    ],
)
def test_an_out_of_range_option_stops_the_run_before_anything_is_read(world, regboot, tmp_path, flag, value, message):
    done = regboot("apply", "-f", fleet(tmp_path, HEAD + GCR), flag, value)
    assert done.code == 2, done.stderr
    assert message in done.stderr
    assert akka_commands(world) == [] and writes(world) == 0
    assert not any(e.calls.operations() for e in world.emulators.values())

"""The JSON contract (version 2): every command's document validates against the published schema, fields are
typed, and a command that did only part of its work says so."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from bootstrap.sandbox.world import GCP_PROJECT

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "result-v2.schema.json").read_text())
PRIVATE = ("--server", "https://registry.example.com/v1/", "--username", "bot")


def valid(done) -> dict:
    document = done.json()
    jsonschema.validate(document, SCHEMA)
    return document


def test_every_command_answers_a_document_the_schema_accepts(world, regboot, canaries):
    gcr = ("gcr", "--gcp-project", GCP_PROJECT)
    private = ("private", *PRIVATE, "--password-stdin", "--no-verify", "--secret-name", "priv")
    documents = [
        valid(regboot("onboard", *gcr, "-o", "json")),
        valid(regboot("onboard", *private, "-o", "json", input=canaries.new())),
        valid(regboot("onboard", *gcr, "-o", "json")),  # already in place
        valid(regboot("rotate", *gcr, "--dry-run", "-o", "json")),
        valid(regboot("status", "-o", "json")),
        valid(regboot("plugins", "-o", "json")),
        valid(regboot("offboard", *gcr, "-y", "-o", "json")),
        valid(regboot("onboard", "gcr", "--gcp-project", "Not_A_Project", "-o", "json")),  # exit 2
        valid(regboot("onboard", "gcr", "--bogus", "-o", "json")),  # does not parse
    ]
    assert [d["status"] for d in documents] == ["success"] * 7 + ["error"] * 2
    status = documents[4]["data"]["credentials"]
    assert {type(c["credentials"]) for c in status} == {int} and all(isinstance(c["notes"], list) for c in status)


def test_status_that_could_not_read_a_cloud_is_partial(world, regboot):
    assert regboot("onboard", "gcr", "--gcp-project", GCP_PROJECT).code == 0
    world.emulators["google"].model.configure(denied_permissions=["iam.serviceAccounts.get"])
    done = regboot("status", "-o", "json")
    assert done.code == 1
    document = valid(done)
    assert document["status"] == "partial"
    [unread] = document["errors"]
    assert unread["message"].startswith("gcr: ")
    assert len(document["data"]["credentials"]) == 1  # still listed, with what went wrong
    assert "error: gcr: " in regboot("status").stderr


def test_a_failed_onboard_reports_what_it_made_and_rolled_back(world, regboot):
    from tests.conftest import set_platform

    set_platform(world, fail={"docker add-credentials": {"message": "the platform is down"}})
    done = regboot("onboard", "gcr", "--gcp-project", GCP_PROJECT, "-o", "json")
    assert done.code == 1
    data = valid(done)["data"]
    assert {"created", "granted", "minted"} <= {a["verb"] for a in data["actions"]}
    assert any(r.startswith("service account ") for r in data["rolled_back"])
    assert any(r.startswith("key ") for r in data["rolled_back"])
    assert data["left_behind"] == []


@pytest.mark.parametrize("document", ["status", "plugins"])
def test_no_field_is_a_display_string(world, regboot, document):
    assert regboot("onboard", "gcr", "--gcp-project", GCP_PROJECT).code == 0
    data = regboot(document, "-o", "json").json()["data"]
    text = json.dumps(data)
    assert '"0d"' not in text and '"never"' not in text and '"1"' not in text

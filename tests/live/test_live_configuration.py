"""The live world is built from REGBOOT_LIVE_* alone, and docs/live-tests.md documents every variable it reads."""

from __future__ import annotations

import re
from pathlib import Path

from tests.scenarios import live

DOC = Path(__file__).resolve().parents[2] / "docs" / "live-tests.md"
FULL = {
    "REGBOOT_LIVE_AKKA_PROJECT": "regboot-live",
    "REGBOOT_LIVE_GCP_PROJECT": "live-123",
    "REGBOOT_LIVE_GAR_LOCATION": "europe-west1",
    "REGBOOT_LIVE_GAR_REPOSITORY": "apps",
    "REGBOOT_LIVE_AZURE_REGISTRY": "regbootlive",
    "REGBOOT_LIVE_DOCKERHUB_USERNAME": "octo",
    "REGBOOT_LIVE_DOCKERHUB_TOKEN": "token",
    "REGBOOT_LIVE_DOCKERHUB_REPOSITORY": "octo/app",
    "REGBOOT_LIVE_PRIVATE_SERVER": "https://registry.example.com",
    "REGBOOT_LIVE_PRIVATE_USERNAME": "bot",
    "REGBOOT_LIVE_PRIVATE_PASSWORD": "password",
    "REGBOOT_LIVE_PRIVATE_REPOSITORY": "team/app",
}


def test_a_full_configuration_names_every_registry_and_misses_nothing():
    world = live.LiveWorld({**FULL, "REGBOOT_LIVE_AKKA_REGION": "gcp-us-east1"}, {})
    assert world.missing == {}
    assert world.akka == ("--akka-project", "regboot-live", "--akka-region", "gcp-us-east1")
    assert world.target("gar") == ("--gcp-project", "live-123", "--location", "europe-west1", "--repository", "apps")
    assert world.target("acr") == ("--registry", "regbootlive")
    assert world.target("private") == ("--server", "https://registry.example.com", "--username", "bot")
    assert world.statics["dockerhub"].password == "token" and "token" not in repr(world)


def test_each_provider_misses_only_what_it_needs():
    world = live.LiveWorld({k: v for k, v in FULL.items() if "AZURE" not in k and "PRIVATE" not in k}, {})
    assert set(world.missing) == {"acr", "private"}
    assert world.missing["acr"] == "REGBOOT_LIVE_AZURE_REGISTRY"


def test_the_docs_table_lists_every_variable_the_live_world_reads():
    documented = set(re.findall(r"^\| `(REGBOOT_LIVE_[A-Z_]+)` \|", DOC.read_text(), re.MULTILINE))
    read = set(re.findall(r"REGBOOT_LIVE_[A-Z_]+", Path(live.__file__).read_text()))
    assert documented == read == set(live.CONFIGURATION) | set(live.OPTIONAL)

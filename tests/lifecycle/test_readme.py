"""The README's Use section, run as written against the sandbox: every registry it onboards ends up on the platform
side by side, each under its own secret and identity."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from bootstrap.sandbox.world import ACR_REGISTRY, GCP_PROJECT, Sandbox
from tests.conftest import platform_credentials

README = Path(__file__).resolve().parents[2] / "README.md"
# The README's placeholder names, and the sandbox's.
NAMES = {"my-project": GCP_PROJECT, "myregistry": ACR_REGISTRY}


def use_section() -> list[str]:
    text = README.read_text()
    block = re.search(r"## Use\n.*?```sh\n(.*?)```", text, re.S)
    assert block, "README has no Use section with a sh block"
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def command(line: str, tokens: dict[str, str]) -> tuple[list[str], str | None]:
    """The regboot argv a README line runs, and the password it pipes in (`printf %s "$TOKEN" |`, `< token.txt`)."""
    stdin = None
    if line.startswith("printf"):
        variable, line = re.match(r'printf %s "\$(\w+)" \| (.*)', line).groups()
        stdin = tokens[variable]
    if " < " in line:
        line, file = line.split(" < ")
        stdin = tokens[file]
    argv = [NAMES.get(word, word) for word in shlex.split(line)]
    assert argv[0] == "regboot"
    return argv[1:], stdin


def test_the_readme_onboards_every_registry_side_by_side(tmp_path, monkeypatch, regboot, canaries):
    tokens = {"TOKEN": canaries.new("token"), "token.txt": canaries.new("pat")}
    onboarding = [line for line in use_section() if " onboard " in f" {line} "]
    assert len(onboarding) == 5
    with Sandbox(
        tmp_path / "box", clouds=True, accounts=(("bot", tokens["TOKEN"]), ("octo", tokens["token.txt"]))
    ) as box:
        for key, value in box.env.items():
            monkeypatch.setenv(key, value)
        box.emulators["google"].model.add_repository(GCP_PROJECT, "europe-west1", "apps")
        for line in onboarding:
            argv, stdin = command(line, tokens)
            done = regboot(*argv, input=stdin)
            assert done.code == 0, f"{line}\n{done.stderr}"
        held = platform_credentials(box)
        assert sorted(held) == sorted(["docker-credentials", "gar", "acr", "private", "dockerhub"])
        assert {h["server"] for h in held.values()} == {
            "https://gcr.io",
            "https://europe-west1-docker.pkg.dev",
            f"{ACR_REGISTRY}.azurecr.io",
            "https://registry.example.com/v1/",
            "https://index.docker.io/v1/",
        }
        google = box.emulators["google"].model
        assert len(google.list_service_accounts(f"projects/{GCP_PROJECT}")[0]) == 2  # one identity per consumer

"""A plugin outside regboot's packages, installed as a third party's is, onboards through `bootstrap.api` alone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT, platform_credentials

EXAMPLE = Path(__file__).parent / "example_plugin"
SURFACE_CONTRACT = "Providers import the core only through bootstrap.api"
ROBOT = "robot$shop+bot"  # what Harbor names the robot `bot` of project `shop`
ONBOARD = ("onboard", "example", "--server", "Registry.Example.com", "--harbor-project", "shop", "--robot", "bot")


def install(plugin: Path, site: Path) -> dict[str, str]:
    """What `pip install` would leave: the package importable, and a dist-info naming its entry points."""
    project = tomllib.loads((plugin / "pyproject.toml").read_text())["project"]
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    groups = project["entry-points"].items()
    (info / "entry_points.txt").write_text(
        "".join(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()) for group, eps in groups)
    )
    return {"PYTHONPATH": os.pathsep.join([str(site), str(plugin), os.environ["PYTHONPATH"]])}


def regboot(*args: str, env: dict[str, str], input: str | None = None) -> subprocess.CompletedProcess[str]:
    code = "from bootstrap.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], input=input, env={**os.environ, **env}, capture_output=True, text=True
    )


def test_an_installed_plugin_onboards_through_the_public_api_against_the_sandbox(tmp_path, canaries):
    from bootstrap.sandbox.world import Sandbox

    env = install(EXAMPLE, tmp_path / "site")
    token = canaries.new("token")
    with Sandbox(tmp_path / "box", clouds=True, accounts=((ROBOT, token),)) as box:
        env |= box.env
        listed = regboot("plugins", "-o", "json", env=env)
        plugins = {p["name"]: p for p in json.loads(listed.stdout)["data"]["plugins"]}
        assert plugins["example"]["distribution"] == "regboot-example" and plugins["example"]["version"] == "0.1"
        assert plugins["example"]["providers"] == ["example"] and not plugins["example"]["error"]

        done = regboot(*ONBOARD, "--password-stdin", env=env, input=token)
        for where, text in (("stdout", done.stdout), ("stderr", done.stderr)):
            canaries.saw(where, text)
        assert done.returncode == 0, done.stderr
        assert "verified credential https://registry.example.com" in done.stderr
        held = platform_credentials(box)["docker-credentials"]
        assert (held["server"], held["username"]) == ("https://registry.example.com", ROBOT)


def test_the_example_plugin_reads_its_robot_back_from_the_platform_entry(tmp_path, canaries):
    from bootstrap.sandbox.world import Sandbox

    env = install(EXAMPLE, tmp_path / "site")
    token = canaries.new("token")
    with Sandbox(tmp_path / "box", clouds=True, accounts=((ROBOT, token),)) as box:
        env |= box.env
        assert regboot(*ONBOARD, "--password-stdin", env=env, input=token).returncode == 0

        status = json.loads(regboot("status", "-o", "json", env=env).stdout)["data"]["credentials"]
        assert [(c["provider"], c["identity"]) for c in status] == [("example", ROBOT)]
        rotated = regboot("rotate", "--secret-name", "docker-credentials", "--password-stdin", env=env, input=token)
        assert rotated.returncode == 0, rotated.stderr
        held = platform_credentials(box)["docker-credentials"]
        assert (held["server"], held["username"]) == ("https://registry.example.com", ROBOT)


def lint_imports(package: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """import-linter over `package` with the contract that holds the built-in providers to bootstrap.api."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    contract = next(c for c in contracts if c["name"] == SURFACE_CONTRACT)
    name = package.name
    contract = contract | {"source_modules": [name], "ignore_imports": [f"{name} -> bootstrap.api"]}  # one module
    config = tmp_path / "importlinter.toml"
    lines = [f'root_packages = ["bootstrap", "{name}"]', "[[tool.importlinter.contracts]]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in contract.items()]
    config.write_text("[tool.importlinter]\n" + "\n".join(lines) + "\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package.parent), os.environ["PYTHONPATH"]])}
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(lint), str(config), "--no-cache"], env=env, capture_output=True, text=True, cwd=tmp_path)


def test_the_example_plugin_imports_only_the_public_api(tmp_path):
    done = lint_imports(EXAMPLE / "regboot_example", tmp_path)
    assert done.returncode == 0 and "KEPT" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("reach", ["from bootstrap.journal import Journal", "from bootstrap import network"])
def test_a_plugin_reaching_past_the_public_api_breaks_the_contract(tmp_path, reach):
    copy = tmp_path / "src" / "regboot_example"
    shutil.copytree(EXAMPLE / "regboot_example", copy)
    module = copy / "__init__.py"
    module.write_text(module.read_text().replace("from bootstrap import api", f"{reach}\nfrom bootstrap import api", 1))
    done = lint_imports(copy, tmp_path)
    assert done.returncode != 0 and "BROKEN" in done.stdout, done.stdout + done.stderr
    assert "regboot_example -> bootstrap." in done.stdout

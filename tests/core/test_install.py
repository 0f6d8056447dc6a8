"""A plain `pip install registry-bootstrap` gives every built-in provider; one whose SDK is missing anyway says what
to install (exit 3) and `regboot plugins` shows it as unusable. A missing SDK is simulated by blocking its import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import requires

from packaging.requirements import Requirement

from tests.conftest import akka_commands


def regboot_without(module: str, *args: str) -> subprocess.CompletedProcess:
    code = (
        f"import sys\nsys.modules[{module!r}] = None\nsys.argv = ['regboot', *{list(args)!r}]\n"
        "from bootstrap.cli import main\nmain()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ), timeout=120
    )


def test_a_plain_install_brings_every_built_in_providers_sdk():
    from bootstrap.plugins import registry

    plain = {
        Requirement(r).name for r in requires("registry-bootstrap") or [] if "extra" not in str(Requirement(r).marker)
    }
    for name, cls in registry().providers.items():
        assert set(cls.needs.values()) <= plain, f"{name} needs {sorted(set(cls.needs.values()) - plain)} as extras"
        assert cls.missing() == [], name


def test_a_provider_without_its_sdk_exits_3_naming_what_to_install(sandbox):
    done = regboot_without("google.cloud.iam_admin_v1", "onboard", "gcr", "--gcp-project", "p-1234", "-o", "json")
    assert done.returncode == 3, done.stderr
    [error] = json.loads(done.stdout)["errors"]
    assert error["code"] == "sdk_missing"
    assert "google-cloud-iam" in error["message"] and "pip install google-cloud-iam" in error["fix"]
    assert "pip install registry-bootstrap" in error["fix"]
    assert len(done.stderr.strip().splitlines()) <= 2, done.stderr
    assert akka_commands(sandbox) == []  # refused before anything was asked of the platform


def test_plugins_show_a_provider_without_its_sdk_as_unusable():
    done = regboot_without("msgraph", "plugins", "-o", "json")
    assert done.returncode == 0, done.stderr
    plugins = {p["name"]: p for p in json.loads(done.stdout)["data"]["plugins"]}
    [acr] = plugins["azure"]["unusable"]
    assert acr["provider"] == "acr" and "msgraph-sdk not installed: pip install msgraph-sdk" in acr["reason"]
    assert plugins["gcp"]["unusable"] == [] and plugins["static"]["unusable"] == []

    text = regboot_without("msgraph", "plugins").stdout
    assert "4 usable provider(s) of 5" in text and "acr: msgraph-sdk not installed" in text

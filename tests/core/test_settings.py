"""The environment is read once, by bootstrap/settings.py, when a command starts: everything else is handed typed
values, and a bad value fails before any call."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bootstrap.errors import UsageError
from bootstrap.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
# settings.py reads it; run.py hands it to Settings.read and shares proxy spellings into it for the SDKs; the
# sandbox (and `regboot sandbox`, which finds it in the XDG state directory) is the test world, not regboot's run.
READERS = {"bootstrap/settings.py", "bootstrap/cli/run.py", "bootstrap/cli/sandbox.py"}


def _environment_reads(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in ("environ", "getenv", "environb")
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    ]


def test_only_the_settings_read_the_environment():
    sources = [*ROOT.joinpath("bootstrap").rglob("*.py"), *ROOT.joinpath("providers").rglob("*.py")]
    found = {
        f"{rel}:{line}"
        for path in sources
        if (rel := path.relative_to(ROOT).as_posix()) not in READERS and not rel.startswith("bootstrap/sandbox/")
        for line in _environment_reads(path)
    }
    assert not found, f"read the environment outside bootstrap/settings.py: {sorted(found)}"
    assert _environment_reads(ROOT / "bootstrap/settings.py")  # the scan sees a read where there is one


def test_settings_are_typed_once():
    settings = Settings.read(
        {
            "REGBOOT_CALL_TIMEOUT": "12.5",
            "REGBOOT_AKKA_TIMEOUT": "7",
            "REGBOOT_AKKA_BIN": "/opt/akka",
            "AKKA_PROJECT": "shop",
            "REGBOOT_REGISTRY_ENDPOINT": "http://127.0.0.1:5000/ignored/path",
            "REGBOOT_GCP_IAM_ENDPOINT": "http://127.0.0.1:8085",
            "REGBOOT_STATE_DIR": "/tmp/regboot-state",
        }
    )
    assert (settings.call_timeout, settings.akka_timeout) == (12.5, 7.0)
    assert (settings.akka_binary, settings.akka_project, settings.akka_token) == ("/opt/akka", "shop", False)
    assert settings.registry_endpoint == "http://127.0.0.1:5000"  # /v2/ lives at a registry's root
    iam = settings.endpoint("REGBOOT_GCP_IAM_ENDPOINT")
    assert iam is not None and iam.plain and iam.netloc == "127.0.0.1:8085"
    arm = settings.endpoint("REGBOOT_AZURE_ARM_ENDPOINT", "https://management.azure.com/")
    assert arm is not None and arm.url == "https://management.azure.com" and not arm.plain
    assert settings.endpoint("REGBOOT_GCP_RESOURCEMANAGER_ENDPOINT") is None
    assert str(settings.state_dir) == "/tmp/regboot-state"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REGBOOT_CALL_TIMEOUT", "0"),
        ("REGBOOT_CALL_TIMEOUT", "soon"),
        ("REGBOOT_AKKA_TIMEOUT", "-1"),
        ("REGBOOT_AZURE_GRAPH_ENDPOINT", "http://graph.example.com"),  # plain http off loopback
        ("REGBOOT_SOMETHING_ENDPOINT", "https://user:pw@127.0.0.1:1"),  # an endpoint nobody reads yet is checked too
    ],
)
def test_a_bad_setting_is_a_usage_error_naming_its_variable(variable, value):
    with pytest.raises(UsageError, match=variable):
        Settings.read({variable: value})


def test_the_settings_never_show_the_password_or_the_environment(canaries):
    password, token = canaries.new("password"), canaries.new("akka-token")
    settings = Settings.read({"REGBOOT_PASSWORD": password, "AKKA_TOKEN": token})
    assert settings.password is not None and settings.password.reveal() == password
    assert settings.akka_token
    shown = repr(settings)
    assert password not in shown and token not in shown

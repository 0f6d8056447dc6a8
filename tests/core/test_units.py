"""Small pieces with sharp edges: Secret, the table parser, the socket guard, start-up imports."""

from __future__ import annotations

import json
import logging
import os
import pickle
import socket
import subprocess
import sys

import pytest

from bootstrap.credentials import RegistryCredential, Secret, scrub
from bootstrap.platforms.table import parse_table


def test_secret_never_renders_itself(caplog, canaries):
    value = canaries.new()
    secret = Secret(value)
    assert value not in f"{secret} {secret!r} {secret:>20} {[secret]} {RegistryCredential('s', 'u', secret)}"
    logging.getLogger("regboot").warning("password is %s", secret)
    with pytest.raises(TypeError):
        json.dumps({"password": secret})
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    assert secret.reveal() == value
    assert scrub(f"echo {value}") == "echo ***"


def test_table_with_empty_cells():
    text = (
        "NAME                 STATUS   SERVER                        EMAIL              USERNAME\n"
        "docker-credentials   OK       https://us.gcr.io             user@example.com   _json_key\n"
        "hub                  OK       https://index.docker.io/v1/                      octo\n"
    )
    rows = parse_table(text, "NAME")
    assert rows[1] == {
        "name": "hub",
        "status": "OK",
        "server": "https://index.docker.io/v1/",
        "email": "",
        "username": "octo",
    }
    assert rows[0]["username"] == "_json_key"
    assert parse_table("No credentials found.\n", "NAME") == []


def test_socket_guard_blocks_beyond_loopback():
    import loopback

    with socket.socket() as s, pytest.raises(OSError, match="outside loopback"):
        s.connect(("169.254.169.254", 80))
    loopback.blocked.clear()  # this test meant to trip it
    open(os.environ["REGBOOT_GUARD_LOG"], "w").close()


def test_help_imports_no_cloud_sdk():
    code = (
        "import sys\nsys.argv = ['regboot', '--help']\nfrom bootstrap.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        # a None entry marks a module missing (regboot so marks httpx's command-line client): it is not loaded
        "print('LOADED', sorted({m.split('.')[0] for m, module in sys.modules.items() if module is not None}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = done.stdout.split("LOADED", 1)[1]
    for sdk in ("google", "grpc", "azure", "msgraph", "kiota_abstractions", "msal", "requests", "httpx", "rich"):
        assert f"'{sdk}'" not in loaded, f"{sdk} imported by --help"
    assert "'providers'" not in loaded, "the command list needs no plugin loaded"


def test_every_listed_command_is_the_command_that_runs(regboot):
    from bootstrap.cli import COMMANDS, help_of

    listing = " ".join(regboot("--help").stdout.split())
    for name in COMMANDS:
        assert f"{name} {help_of(name)}" in listing
        done = regboot(name, "--help")
        assert done.code == 0 and f"Usage: regboot {name} " in done.stdout, done.stdout
        assert " ".join(help_of(name).split()[:4]) in " ".join(done.stdout.split())


def test_regboot_needs_no_click():
    # typer stopped depending on click; only dev tools install it, so a user's install would have none
    code = (
        "import sys\nsys.modules['click'] = None\nsys.argv = ['regboot', 'plugins']\nfrom bootstrap.cli import main\n"
        "main()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

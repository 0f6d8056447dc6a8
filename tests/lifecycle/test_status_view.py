"""`regboot status` as a person reads it: fits the terminal, short grant names, detail on request, colour on a tty."""

from __future__ import annotations

import os
import re
import sys

import pexpect

from bootstrap.sandbox.world import ACR_REGISTRY
from tests.lifecycle.conftest import ARGS

WIDTH = 100
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def four_providers(regboot, canaries) -> None:
    # gcr and acr take the identity a consumer of their own gets by default (akka-<secret>-<hash>); gar names one
    for provider, identity in (("gcr", ()), ("gar", ("--service-account", "akka-gar-reader")), ("acr", ())):
        done = regboot("onboard", provider, *ARGS[provider], *identity, "--secret-name", provider)
        assert done.code == 0, done.stderr
    private = ("--server", "https://registry.example.com", "--username", "robot", "--no-verify")
    done = regboot("onboard", "private", *private, "--password-stdin", "--secret-name", "private", input=canaries.new())
    assert done.code == 0, done.stderr


def test_status_of_four_providers_fits_100_columns_with_short_grants(world, regboot, canaries):
    four_providers(regboot, canaries)
    credentials = {c["secret_name"]: c for c in regboot("status", "-o", "json").json()["data"]["credentials"]}
    app_id = credentials["acr"]["username"]
    done = regboot("status", env={"COLUMNS": str(WIDTH)})
    assert done.code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= WIDTH, done.stdout
    assert len(lines) == 1 + 1 + 4, done.stdout  # summary, header, one unwrapped line per credential
    assert "/subscriptions/" not in done.stdout and "projects/" not in done.stdout
    assert app_id not in done.stdout
    rows = {line.split()[0]: line for line in lines[2:]}
    assert f"AcrPull on {ACR_REGISTRY}" in rows["acr"]
    assert re.search(r"\bakka-gcr-[0-9a-f]{4} ", rows["gcr"]) and "reader on gcr.io" in rows["gcr"]
    assert "akka-gar-reader " in rows["gar"] and "reader on apps" in rows["gar"]
    # the typed JSON keeps the whole scope
    assert credentials["acr"]["grant"].startswith("AcrPull on /subscriptions/")


def test_wide_and_one_secret_name_show_everything(world, regboot, canaries):
    four_providers(regboot, canaries)
    credentials = {c["secret_name"]: c for c in regboot("status", "-o", "json").json()["data"]["credentials"]}
    app_id = credentials["acr"]["username"]
    wide = regboot("status", "--wide", env={"COLUMNS": str(WIDTH)})
    assert wide.code == 0, wide.stderr
    [acr] = [line for line in wide.stdout.splitlines() if line.startswith("acr ")]  # whole, however long
    assert app_id in acr and f"/providers/Microsoft.ContainerRegistry/registries/{ACR_REGISTRY}" in acr
    one = regboot("status", "--secret-name", "acr")
    assert one.code == 0, one.stderr
    assert f"username:    {app_id}" in one.stdout
    assert re.search(r"grant:\s+AcrPull on /subscriptions/\S+/registries/" + ACR_REGISTRY, one.stdout)
    assert "gcr" not in one.stdout.replace("gcr.io", "")
    only = regboot("status", "--secret-name", "acr", "-o", "json").json()["data"]["credentials"]
    assert [c["secret_name"] for c in only] == ["acr"]
    missing = regboot("status", "--secret-name", "nope")
    assert missing.code == 2 and "no credential named nope" in missing.stderr


def on_terminal(*args: str, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR")}
    child = pexpect.spawn(
        sys.executable, ["-m", "bootstrap", *args], env={**base, **env}, timeout=60, dimensions=(40, WIDTH)
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return child.before.decode()


def test_status_on_a_terminal_fits_it_in_colour_unless_no_color(world, regboot, canaries):
    four_providers(regboot, canaries)
    screen = on_terminal("status")
    assert ANSI.search(screen), screen
    assert max(len(ANSI.sub("", line)) for line in screen.splitlines()) <= WIDTH
    plain = on_terminal("status", NO_COLOR="1")
    assert not ANSI.search(plain) and "SECRET NAME" in plain
    assert not ANSI.search(regboot("status").stdout)  # not a terminal: no colour either

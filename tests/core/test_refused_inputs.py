"""Inputs regboot refuses before any call: a password that would cross the network in clear, a verification
deadline outside its documented range."""

from __future__ import annotations

import pytest

from bootstrap.sandbox.world import GCP_PROJECT
from tests.conftest import cloud_calls, platform_credentials

REMOTE = "http://registry.example.com"
USER = ("--username", "bot")


def test_plain_http_to_a_remote_registry_is_refused_before_any_call(sandbox, regboot, canaries):
    for argv in (
        ("onboard", "private", "--server", REMOTE, *USER, "--password-stdin"),
        ("rotate", "private", "--server", REMOTE, *USER, "--password-stdin"),
        ("verify", "--server", REMOTE, *USER, "--password-stdin"),
    ):
        done = regboot(*argv, input=canaries.new())
        assert done.code == 2, done.stdout + done.stderr
        assert "--allow-plain-http" in done.stderr and "registry.example.com" in done.stderr, done.stderr
    assert sandbox.platform_state()["calls"] == []


def test_plain_http_to_a_remote_registry_is_taken_when_the_flag_says_so(sandbox, regboot, canaries):
    argv = ("onboard", "private", "--server", REMOTE, *USER, "--password-stdin", "--no-verify", "--allow-plain-http")
    done = regboot(*argv, input=canaries.new())
    assert done.code == 0, done.stderr
    assert platform_credentials(sandbox)["docker-credentials"]["server"] == REMOTE


def test_the_plain_http_flag_is_documented_in_the_help(regboot):
    for argv in (("onboard", "private"), ("rotate", "private"), ("verify",)):
        done = regboot(*argv, "--help")
        assert "--allow-plain-http" in done.stdout and "unencrypted" in done.stdout, done.stdout


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "3601", "1e400"])
def test_a_verify_timeout_outside_its_documented_range_is_refused_before_any_call(world, regboot, value):
    help_text = " ".join(regboot("onboard", "gcr", "--help").stdout.split())
    assert "more than 0, at most 3600" in help_text, help_text
    for env in ({}, {"REGBOOT_VERIFY_TIMEOUT": value}):
        flag = () if env else ("--verify-timeout", value)
        done = regboot("onboard", "gcr", "--gcp-project", GCP_PROJECT, *flag, env=env)
        assert done.code == 2, done.stderr
        assert "more than 0, at most 3600" in done.stderr, done.stderr
    assert cloud_calls(world) == [] and world.platform_state()["calls"] == []

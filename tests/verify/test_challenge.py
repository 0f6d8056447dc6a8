"""WWW-Authenticate parsing: what registries send, and what a garbled header still says."""

from __future__ import annotations

import pytest

from bootstrap.verify.challenge import Challenge, parse, pick

DOCKER_HUB = (
    'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
    'scope="repository:library/app:pull,push",error="insufficient_scope"'
)


def test_docker_hub_challenge_keeps_the_comma_inside_the_scope():
    assert parse([DOCKER_HUB]) == [
        Challenge(
            "bearer",
            {
                "realm": "https://auth.docker.io/token",
                "service": "registry.docker.io",
                "scope": "repository:library/app:pull,push",
                "error": "insufficient_scope",
            },
        )
    ]


@pytest.mark.parametrize(
    ("header", "scheme", "params"),
    [
        ('BASIC Realm="basic-realm"', "basic", {"realm": "basic-realm"}),
        ("Basic realm=unquoted", "basic", {"realm": "unquoted"}),
        ('bearer  realm = "https://r/token" ,  service = "s"', "bearer", {"realm": "https://r/token", "service": "s"}),
        (r'Bearer realm="a\"b"', "bearer", {"realm": 'a"b'}),
        ('Negotiate abc==, Bearer realm="https://r"', "bearer", {"realm": "https://r"}),
        ('Negotiate abc, Basic realm="r"', "basic", {"realm": "r"}),
        ('Basic realm="r", Bearer realm="https://r"', "bearer", {"realm": "https://r"}),  # Bearer preferred
        ('Bearer realm="https://r/token', "bearer", {"realm": "https://r/token"}),  # unterminated quote
        ('Bearer realm="https://r", realm="https://evil"', "bearer", {"realm": "https://r"}),  # first wins
        ("Bearer", "bearer", {}),
    ],
)
def test_lenient_parsing(header, scheme, params):
    chosen = pick(parse([header]))
    assert chosen == Challenge(scheme, params)


@pytest.mark.parametrize("header", ["", '""', 'realm="https://r"', "=,=", 'Digest realm="r", nonce="n"'])
def test_nothing_a_registry_client_can_answer(header):
    assert pick(parse([header])) is None


def test_separate_header_lines_are_all_read():
    assert pick(parse(['Digest realm="x"', 'Basic realm="y"'])) == Challenge("basic", {"realm": "y"})

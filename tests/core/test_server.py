"""The rules of a registry server: one value type compares and renders every server regboot meets."""

from __future__ import annotations

import pytest

from bootstrap.errors import UsageError
from bootstrap.server import Server, check_server, check_username, same_server


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://registry.example.com/v1/", "registry.example.com/v1"),
        ("HTTPS://Registry.Example.com", "https://registry.example.com/"),
        ("http://registry.example.com:5000", "registry.example.com:5000//"),
        ("gcr.io", "https://gcr.io"),
    ],
)
def test_scheme_case_and_trailing_slashes_do_not_make_another_registry(a, b):
    assert same_server(a, b) and Server.parse(a) == Server.parse(b)
    assert hash(Server.parse(a)) == hash(Server.parse(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("registry.example.com:5000", "registry.example.com"),  # another port is another registry
        ("registry.example.com:443", "registry.example.com"),  # as the platform compares: no default ports
        ("registry.example.com/v1", "registry.example.com"),  # a path is part of the server
        ("https://index.docker.io/v1/", "docker.io"),  # the platform holds one alias as written
        ("eu.gcr.io", "gcr.io"),
    ],
)
def test_a_port_a_path_or_another_alias_is_another_server(a, b):
    assert not same_server(a, b) and Server.parse(a) != Server.parse(b)


def test_a_server_renders_as_written_and_shows_without_scheme():
    server = Server.parse("https://Registry.example.com:5000/v1/")
    assert str(server) == "https://Registry.example.com:5000/v1/"  # what the platform is given
    assert server.written == "Registry.example.com:5000/v1"  # what status shows
    assert (server.scheme, server.host, server.netloc) == ("https", "registry.example.com", "Registry.example.com:5000")
    assert server.api_base == "https://Registry.example.com:5000"
    assert Server.parse("localhost:5000").api_base == "https://localhost:5000"  # https unless written
    assert Server.parse("http://[::1]:5000/").host == "::1"


@pytest.mark.parametrize("text", ["https://index.docker.io/v1/", "docker.io", "registry-1.docker.io", "DOCKER.IO/x"])
def test_docker_hub_answers_to_its_three_names(text):
    assert Server.parse(text).docker_hub


def test_not_docker_hub_when_only_the_name_looks_alike():
    assert not Server.parse("docker.io.example.com").docker_hub
    assert not Server.parse("mirror.docker.io").docker_hub


def test_any_text_parses_and_an_unclosed_bracket_is_named():
    assert Server.parse("https://[::1/v2").unreadable()
    assert Server.parse("registry.example.com").unreadable() is None
    assert Server.parse("").written == ""


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "ftp://r.example.com",
        "https://r.example.com:99999",
        "https://r.example.com/v1/ ; rm -rf /",
        "r_x.com",
        "a?b",
    ],
)
def test_a_server_given_on_the_command_line_is_checked(bad):
    with pytest.raises(UsageError, match="invalid registry server"):
        check_server(bad, "registry server")


def test_a_server_with_credentials_says_where_the_password_goes():
    with pytest.raises(UsageError, match="carries credentials") as caught:
        check_server("https://bot:pw@registry.example.com")
    assert "--password-stdin" in (caught.value.fix or "")


@pytest.mark.parametrize("good", ["_json_key", "gitlab+deploy-token-1", "robot$project+name", "me@example.com"])
def test_usernames_registries_hand_out_are_accepted(good):
    assert check_username(good) == good


@pytest.mark.parametrize("bad", ["", "a:b", "bot x", "bot\nx", "-bot", "x" * 256])
def test_usernames_that_basic_auth_or_a_terminal_would_mangle_are_refused(bad):
    with pytest.raises(UsageError, match="invalid --username"):
        check_username(bad)


@pytest.mark.parametrize(
    ("server", "username", "refusal"),
    [
        ("https://registry.example.com:99999", "bot", "invalid registry server"),
        ("https://registry_1.example.com", "bot", "invalid registry server"),
        ("https://registry.example.com", "bot!", "invalid --username"),
    ],
)
def test_verify_refuses_what_onboard_refuses_before_reading_a_password(regboot, canaries, server, username, refusal):
    onboard = regboot(
        "onboard", "private", "--server", server, "--username", username, "--password-stdin", input=canaries.new()
    )
    assert onboard.code == 2 and "invalid" in onboard.stderr, onboard.stderr
    done = regboot("verify", "--server", server, "--username", username, "--password-stdin", input=canaries.new())
    assert done.code == 2 and refusal in done.stderr, done.stderr

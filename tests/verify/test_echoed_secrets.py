"""A secret echoed back in another shape is still scrubbed: a registry quoting the Basic Authorization header, an
akka CLI printing the JSON key Go-quoted. Output is searched for every derived form, not only the exact value."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote

from bootstrap.sandbox.akka.cli import go_quoted
from bootstrap.sandbox.world import GCP_PROJECT
from tests.conftest import set_platform
from tests.verify.conftest import SERVER


def shapes(secret: str) -> list[str]:
    """The forms a secret takes on the wire and in other programs' messages."""
    found = [secret, json.dumps(secret)[1:-1], go_quoted(secret)[1:-1], quote(secret, safe="")]
    found.append(base64.b64encode(secret.encode()).decode())
    pem = re.search(r"-----BEGIN [A-Z ]+-----(.*?)-----END", secret, re.S)
    if pem:  # each line of the key's body, whether the key file's JSON escapes its newlines or not
        found += [line for line in re.split(r"\\n|\n", pem.group(1)) if len(line) >= 16]
    return found


def test_a_registry_that_quotes_the_authorization_header_back_leaks_nothing(
    sandbox, registry, regboot, accounts, canaries
):
    registry.challenge = "basic"
    registry.quote_authorization = True
    accounts.add("bot", canaries.new("right"))
    wrong = canaries.new("wrong")
    done = regboot(
        "onboard", "private", "--server", SERVER, "--username", "bot", "--password-stdin", "-o", "json", input=wrong
    )
    assert done.code == 1, done.stderr
    basic = base64.b64encode(f"bot:{wrong}".encode()).decode()
    assert "Basic ***" in done.stderr, done.stderr  # the registry did quote it: what it quoted was scrubbed
    for shape in [basic, *shapes(wrong)]:
        assert shape not in done.stdout + done.stderr, shape


def test_an_akka_that_echoes_the_json_key_go_quoted_leaks_no_line_of_it(world, regboot):
    set_platform(world, fail={"docker add-credentials": {"message": "bad flag value {password:go}", "times": 1}})
    done = regboot("onboard", "gcr", "--gcp-project", GCP_PROJECT)
    assert done.code == 1, done.stderr
    assert "bad flag value" in done.stderr, done.stderr  # akka's message is shown, without the key
    [key] = world.emulators["google"].model.issued_secrets
    for shape in shapes(key):
        assert shape not in done.stdout + done.stderr, shape

"""Outside text (platform entries, akka's and the clouds' messages) reaches the terminal printable: no escape
sequence, bell, control or bidi override acts on it; JSON output keeps the data exact."""

from __future__ import annotations

import re

import pytest

from bootstrap.sandbox.world import GCP_PROJECT
from tests.conftest import platform_credentials, set_platform

ESC, BEL, RLO = "\x1b", "\x07", "\u202e"
HOSTILE = {
    "server": f"registry.example.com/{ESC}]0;owned{BEL}",
    "username": f"bot{ESC}[2J{ESC}[31m",
    "email": f"a{RLO}moc.elpmaxe@b{chr(0x9B)}",
}
# What may reach a terminal: printable text, newlines, and the table's own colour codes (none without a tty).
ACTING = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def entry(name: str, **fields: str) -> dict[str, str]:
    return {"id": name, "status": "OK", "region": "", "password_sha256": "0" * 64, **fields}


def with_entries(world, **entries: dict[str, str]) -> None:
    state = world.platform_state()
    state["projects"]["demo-project"]["credentials"].update(entries)
    set_platform(world, projects=state["projects"])


def test_hostile_platform_entries_are_shown_escaped_and_kept_exact_in_json(sandbox, regboot):
    with_entries(sandbox, hostile=entry("hostile", **HOSTILE))
    for argv in (("status",), ("status", "--wide"), ("status", "--secret-name", "hostile")):
        done = regboot(*argv)
        assert done.code == 0, done.stderr
        shown = done.stdout + done.stderr
        assert not ACTING.search(shown), repr(shown)
        assert "\\x1b" in shown, shown  # escaped, visibly, not dropped
    if_json = regboot("status", "-o", "json")
    [row] = if_json.json()["data"]["credentials"]
    assert {k: row[k] for k in HOSTILE} == HOSTILE


def test_an_entry_whose_server_is_not_a_url_is_one_row_with_a_note(sandbox, regboot):
    with_entries(
        sandbox,
        broken=entry("broken", server="https://[registry.example.com", username="bot", email=""),
        fine=entry("fine", server="https://registry.example.com", username="bot", email=""),
    )
    done = regboot("status", "-o", "json")
    assert "internal error" not in done.stdout + done.stderr, done.stdout + done.stderr
    rows = {r["secret_name"]: r for r in done.json()["data"]["credentials"]}
    assert set(rows) == {"broken", "fine"}, rows
    assert any("server" in note for note in rows["broken"]["notes"]), rows["broken"]
    assert rows["fine"]["notes"] == []
    text = regboot("status")
    assert "internal error" not in text.stderr and "broken" in text.stdout, text.stdout + text.stderr


@pytest.mark.parametrize("debug", [(), ("--debug",)])
def test_hostile_akka_messages_reach_the_terminal_escaped(world, regboot, debug):
    message = f"denied {ESC}[2J{ESC}]0;owned{BEL} by policy {RLO}"
    set_platform(world, fail={"docker add-credentials": {"message": message, "times": 1}})
    done = regboot(*debug, "onboard", "gcr", "--gcp-project", GCP_PROJECT)
    assert done.code == 1
    assert "denied" in done.stderr and "by policy" in done.stderr, done.stderr
    assert not ACTING.search(done.stdout + done.stderr), repr(done.stderr)  # --debug's traceback quotes it too
    assert platform_credentials(world) == {}

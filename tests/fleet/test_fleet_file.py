"""The fleet file's published schema, its documented example, and what Ctrl-C does to a running apply."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from pathlib import Path

import jsonschema
import yaml

from bootstrap.consumer import Consumer
from bootstrap.engine.fleet import Job, run_pool
from bootstrap.engine.fleetfile import load, schema
from bootstrap.result import Result
from bootstrap.settings import Settings
from bootstrap.ui import Ui

DOCS = Path(__file__).resolve().parents[2] / "docs"


def documented_example() -> str:
    return re.search(r"```yaml\n(# yaml-language-server.*?)```", (DOCS / "fleet.md").read_text(), re.S).group(1)


def test_the_published_schema_is_the_one_the_providers_describe():
    assert json.loads((DOCS / "fleet.schema.json").read_text()) == schema()


def test_the_documented_example_passes_the_schema_and_the_checks(tmp_path, monkeypatch):
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", "00000000-0000-0000-0000-000000000001")  # or `subscription:`
    text = documented_example()
    jsonschema.validate(yaml.safe_load(text), schema())
    (tmp_path / "fleet.yaml").write_text(text)
    fleet = load(tmp_path / "fleet.yaml", Settings.read({"PRIV_TOKEN": "a-token-from-ci"}))
    assert [e.request.provider.name for e in fleet.entries] == ["gcr", "gar", "acr", "private"]
    assert fleet.entries[3].request.password is not None


def test_the_schema_refuses_a_literal_password_as_the_checks_do():
    document = {"version": 1, "credentials": [{"provider": "private", "server": "https://r.example.com"}]}
    document["credentials"][0] |= {"username": "bob", "password": "hunter22"}
    assert not jsonschema.Draft202012Validator(schema()).is_valid(document)


class Watching(Ui):
    def __init__(self) -> None:
        super().__init__(interactive=False)
        self.interrupted = threading.Event()

    def warn(self, message: str) -> None:
        if message.startswith("interrupted"):
            self.interrupted.set()
        super().warn(message)


def test_ctrl_c_starts_no_new_entry_and_lets_the_running_one_finish():
    ui = Watching()
    started: list[int] = []

    def entry(n: int) -> Job:
        def work(ctx) -> Result:
            started.append(n)
            if n == 1:  # Ctrl-C while the first entry runs; it only finishes once the pool has seen it
                os.kill(os.getpid(), signal.SIGINT)
                assert ui.interrupted.wait(30)
            return Result("onboard", "done", data={"action": "create", "changed": True})

        return Job(n, "gcr", Consumer(f"s{n}", "demo-project"), work)

    outcomes, interrupted = run_pool([entry(n) for n in (1, 2, 3)], jobs=1, ui=ui, settings=Settings.read({}))
    assert interrupted and started == [1]
    assert [(o.action, o.status) for o in outcomes] == [("create", "converged"), *[("none", "not started")] * 2]


def test_a_second_signal_while_the_running_entry_finishes_does_not_abandon_it():
    # CI cancels with SIGINT and, seconds later, SIGTERM: the second must not cut short the wait for the running entry
    ui = Watching()
    finished: list[int] = []

    def work(ctx) -> Result:
        os.kill(os.getpid(), signal.SIGINT)
        assert ui.interrupted.wait(30)
        os.kill(os.getpid(), signal.SIGINT)  # a second signal while the pool waits for this entry
        time.sleep(0.2)
        finished.append(1)
        return Result("onboard", "done", data={"action": "create", "changed": True})

    outcomes, interrupted = run_pool(
        [Job(1, "gcr", Consumer("s1", "demo-project"), work)], jobs=1, ui=ui, settings=Settings.read({})
    )
    assert interrupted and finished == [1]
    assert [(o.action, o.status) for o in outcomes] == [("create", "converged")]

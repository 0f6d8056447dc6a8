"""The scenario steps, written once against a world: each runs regboot as a user would (`-o json`) and checks what
both worlds can answer: regboot's own JSON, and the platform's listing as `regboot status` reads it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.scenarios.world import STATIC, World

READ_ONLY = {"found", "kept"}  # the only verbs a run that writes nothing may report


def verbs(data: dict[str, Any]) -> list[str]:
    return [action["verb"] for action in data.get("actions", [])]


def platform(world: World, regboot: Callable[..., Any]) -> list[dict[str, Any]]:
    """Every credential the Akka project holds, as `regboot status -o json` lists them."""
    done = regboot("status", *world.akka, "-o", "json")
    document = json.loads(done.stdout)
    # exit 1 (partial) when a cloud of some other credential cannot be read: the listing is still whole
    assert done.code in (0, 1), f"regboot status exited {done.code}: {document['errors']}"
    return document["data"]["credentials"]


@dataclass
class Scenario:
    """One provider's consumer in one run: its secret and its identity are both called `name`."""

    world: World
    regboot: Callable[..., Any]
    provider: str
    name: str

    @property
    def options(self) -> tuple[str, ...]:
        w = self.world
        return (*w.target(self.provider), *w.identity(self.provider, self.name), "--secret-name", self.name, *w.akka)

    @property
    def password(self) -> str | None:
        static = self.world.statics.get(self.provider)
        return static.password if static else None

    def json(self, *args: str, codes: tuple[int, ...] = (0,)) -> dict[str, Any]:
        stdin = (
            ("--password-stdin",) if self.password is not None and args[0] in ("onboard", "rotate", "verify") else ()
        )
        done = self.regboot(*args, *stdin, "-o", "json", input=self.password if stdin else None)
        document = json.loads(done.stdout)
        assert done.code in codes, f"regboot {args[0]} {self.provider} exited {done.code}: {document['errors']}"
        return document["data"]

    # --- the steps ---------------------------------------------------------------------------------------
    def onboard(self) -> dict[str, Any]:
        data = self.json("onboard", self.provider, *self.options)
        assert data["changed"] is True
        assert "verified" in verbs(data) and "installed" in verbs(data), verbs(data)
        assert self.entry() is not None, f"the platform holds no {self.name} after onboarding"
        return data

    def rerun_writes_nothing(self) -> None:
        before = self.entry()
        self.world.forget_writes()
        data = self.json("onboard", self.provider, *self.options)
        assert data["changed"] is False
        assert set(verbs(data)) <= READ_ONLY, verbs(data)
        assert self.world.writes() in (None, []), self.world.writes()  # the sandbox also shows every call it saw
        assert self.entry() == before

    def status_shows_the_credential(self) -> dict[str, Any]:
        entry = self.entry()
        assert entry is not None, f"status lists no {self.name}"
        assert entry["provider"] == self.provider and entry["notes"] == [], entry
        if self.provider not in STATIC:
            assert self.name in entry["identity"] and entry["grant"], entry
            assert entry["credentials"] == 1 and entry["stray"] == [], entry
        return entry

    def verification_proves_a_pull(self, onboarded: dict[str, Any]) -> None:
        """Cloud providers prove a pull scope while onboarding; a static credential is proved on its repository."""
        assert "verified" in verbs(onboarded)
        static = self.world.statics.get(self.provider)
        if static is not None:
            proof = self.json(
                "verify",
                "--server",
                static.pull_server,
                "--username",
                static.username,
                "--repository",
                static.repository,
            )
            assert proof["repository"] == static.repository and proof["scheme"] != "none", proof

    def rotate(self) -> None:
        before = self.entry()
        data = self.json("rotate", self.provider, *self.options)
        after = self.status_shows_the_credential()
        assert data["changed"] is True and {"verified", "installed"} <= set(verbs(data)), verbs(data)
        if self.provider not in STATIC:  # a new key or password in, every other one retired
            minted = [a["name"] for a in data["actions"] if a["verb"] == "minted"]
            retired = [a["name"] for a in data["actions"] if a["verb"] == "retired"]
            assert len(minted) == 1 and retired and minted[0] not in retired, data["actions"]
        assert before is not None and (after["server"], after["username"]) == (before["server"], before["username"])

    def offboard(self) -> None:
        data = self.json("offboard", self.provider, *self.options, "-y")
        assert data["changed"] is True
        assert self.leftovers() == []
        again = self.json("offboard", self.provider, *self.options, "-y")
        assert again["changed"] is False

    # --- reading and cleaning up -------------------------------------------------------------------------
    def entry(self) -> dict[str, Any] | None:
        found = [c for c in platform(self.world, self.regboot) if c["secret_name"] == self.name]
        return found[0] if found else None

    def leftovers(self) -> list[str]:
        """What of this consumer still exists: its platform entry, its identity."""
        made = [f"platform credential {self.name}"] if self.entry() else []
        return made + [f"identity {self.name}" for i in self.world.identities() if i == self.name]

    def clean_up(self) -> list[str]:
        """Remove whatever the run made, whatever state a failed step left; say what could not be removed."""
        self.regboot("offboard", self.provider, *self.options, "-y", "-o", "json")
        return self.leftovers()

"""The sandbox world: stand-in akka, the Google and Azure emulators and a registry that knows two static accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bootstrap.sandbox.world import ACR_REGISTRY, GCP_PROJECT, Sandbox
from tests.scenarios.world import Static, World

MUTATING_AKKA = ("docker add-credentials", "docker remove-credentials", "docker delete-credentials", "secrets delete")
PRIVATE_SERVER = "https://registry.example.com"


class SandboxWorld(World):
    def __init__(self, directory: Path, passwords: tuple[str, str]) -> None:
        hub = Static("octo", passwords[0], "https://registry-1.docker.io", "octo/app")
        private = Static("bot", passwords[1], PRIVATE_SERVER, "team/app")
        self.box = Sandbox(
            directory, clouds=True, accounts=((hub.username, hub.password), (private.username, private.password))
        )
        super().__init__(
            kind="sandbox",
            env=self.box.start(),
            akka=("--akka-project", self.box.project),
            targets={
                "gcr": ("--gcp-project", GCP_PROJECT),
                "gar": ("--gcp-project", GCP_PROJECT, "--location", "us-central1", "--repository", "apps"),
                "acr": ("--registry", ACR_REGISTRY),
                "dockerhub": ("--username", hub.username),
                "private": ("--server", PRIVATE_SERVER, "--username", private.username),
            },
            statics={"dockerhub": hub, "private": private},
        )
        self._akka_seen = 0

    @property
    def _google(self) -> Any:
        return self.box.emulators["google"].model

    @property
    def _azure(self) -> Any:
        return self.box.emulators["azure"].model

    def identities(self) -> list[str]:
        accounts = self._google.list_service_accounts(f"projects/{GCP_PROJECT}")[0]
        apps = self._azure.directory.applications_list()
        return [a.email.split("@")[0] for a in accounts] + [a.display_name for a in apps]

    def writes(self) -> list[str]:
        clouds = [c.operation for e in self.box.emulators.values() for c in e.calls.mutating()]
        commands = [" ".join(c["command"][:2]) for c in self.box.platform_state()["calls"][self._akka_seen :]]
        return clouds + [c for c in commands if c in MUTATING_AKKA]

    def forget_writes(self) -> None:
        for emulator in self.box.emulators.values():
            emulator.calls.clear()
        self._akka_seen = len(self.box.platform_state()["calls"])

    def stop(self) -> None:
        self.box.stop()

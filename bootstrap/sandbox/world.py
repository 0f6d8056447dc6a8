"""One sandbox: the stand-in akka CLI and every cloud emulator, started together, with the environment that
points regboot at them. Used by `regboot sandbox up`, `make demo` and the end-to-end tests."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

from bootstrap import clock
from bootstrap.sandbox import latency
from bootstrap.sandbox.akka.server import AkkaServer, install

# Credential discovery must never reach a metadata server (169.254.169.254): these make Google's ADC skip the
# GCE check, and point it at a closed loopback port should anything still try.
GCP_PROJECT = "demo-gcp-project"
ACR_REGISTRY = "demoregistry"
NO_METADATA = {"NO_GCE_CHECK": "true", "GCE_METADATA_HOST": "127.0.0.1:9", "GCE_METADATA_IP": "127.0.0.1:9"}

# What the README's examples name, so that each of them runs and verifies in `regboot sandbox` as written: a Google
# project, an Artifact Registry repository in europe-west1, an ACR registry, and the static registry accounts
# (Docker Hub's octo and a private registry's bot) whose token is TOKEN.
README_GCP_PROJECT = "my-project"
README_ACR_REGISTRY = "myregistry"
TOKEN = "demo-token-not-a-real-secret"
README_ACCOUNTS = (("bot", TOKEN), ("octo", TOKEN))


# On a corporate machine HTTPS_PROXY is often set, and a proxy cannot reach this machine's loopback, where the
# emulators listen: the clients must go to them directly. gRPC reads only the lower-case no_proxy, so both are set.
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _direct_to_loopback() -> dict[str, str]:
    given = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    hosts = [h.strip() for h in given.split(",") if h.strip()]
    value = ",".join(hosts + [h for h in LOOPBACK if h not in hosts])
    return {"NO_PROXY": value, "no_proxy": value}


class Sandbox:
    """Start with `with Sandbox() as sb:`; `sb.env` is the environment for regboot processes."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        project: str = "demo-project",
        clouds: bool = False,
        accounts: tuple[tuple[str, str], ...] = (),
        readme: bool = False,
    ) -> None:
        self._own_dir = directory is None
        self.dir = Path(directory or tempfile.mkdtemp(prefix="regboot-sandbox-"))
        self.project = project
        self.bin = self.dir / "bin"
        self.akka_state_file = self.dir / "akka-state.json"
        self.clouds = clouds
        self.readme = readme  # also what the README's examples name (README_*), for `regboot sandbox`
        self.accounts = accounts + (README_ACCOUNTS if readme else ())  # static registry users (username, password)
        self.emulators: dict[str, Any] = {}
        self.env: dict[str, str] = {}
        # With its own clouds, the sandbox keeps one virtual clock for them and for regboot's waits (bootstrap/clock.py)
        self.clock: clock.SharedClock | None = None
        self.akka_server = AkkaServer(self.bin / ".akka.sock")

    def start(self) -> dict[str, str]:
        self.bin.mkdir(parents=True, exist_ok=True)
        exe = install(self.bin, self.akka_state_file, project=self.project, server=self.akka_server.start())
        self.env = {
            **NO_METADATA,
            "REGBOOT_AKKA_BIN": str(exe),
            "AKKA_SANDBOX_STATE": str(self.akka_state_file),
            "REGBOOT_STATE_DIR": str(self.dir / "state"),  # its own locks: a rehearsal never waits on a real run
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        if latency.seconds():  # the emulators here wait already; the akka commands wait where this env reaches
            self.env[latency.ENV] = os.environ[latency.ENV]
        if self.clouds:
            self.clock = clock.SharedClock.create(self.dir / "clock")
            self.env[clock.ENV] = str(self.clock.path)
            self.env.update(_direct_to_loopback())
            self.env.update(self._start_google())
            self.env.update(self._start_azure())
            self.env.update(self._start_registry())
        return self.env

    def _start_registry(self) -> dict[str, str]:
        """One registry for every host: it asks the emulated clouds (or the static accounts) who may pull."""
        from bootstrap.sandbox import pulls
        from bootstrap.sandbox.registry import RegistryEmulator

        authorize = pulls.chain(
            pulls.google(self.emulators["google"].model),
            pulls.azure(self.emulators["azure"].model),
            pulls.accounts(*self.accounts),
        )
        registry = self.emulators["registry"] = RegistryEmulator(authorize, clock=self._clock().monotonic)
        return {"REGBOOT_REGISTRY_ENDPOINT": registry.start()}

    def _start_google(self) -> dict[str, str]:
        """A project with the gcr.io repository and an Artifact Registry repository `apps` in us-central1."""
        from bootstrap.sandbox.google import GoogleEmulator, GoogleModel

        google = self.emulators["google"] = GoogleEmulator(GoogleModel(clock=self._clock().monotonic))
        google.model.add_project(GCP_PROJECT)
        google.model.add_repository(GCP_PROJECT, "us", "gcr.io")
        google.model.add_repository(GCP_PROJECT, "us-central1", "apps")
        if self.readme:
            google.model.add_repository(README_GCP_PROJECT, "us", "gcr.io")
            google.model.add_repository(README_GCP_PROJECT, "europe-west1", "apps")
        return google.start()

    def _start_azure(self) -> dict[str, str]:
        """A subscription with registry `demoregistry`, and a stand-in `az` that hands out its tokens."""
        from bootstrap.sandbox.azure import AzureEmulator, AzureModel

        azure = self.emulators["azure"] = AzureEmulator(AzureModel(clock=self._clock().time))
        azure.model.add_registry(ACR_REGISTRY, resource_group="demo-rg")
        if self.readme:
            azure.model.add_registry(README_ACR_REGISTRY, resource_group="demo-rg")
        env = azure.start()
        azure.install_az(self.bin)
        return env

    def _clock(self) -> clock.Clock:
        return self.clock or clock.REAL

    def stop(self) -> None:
        self.akka_server.stop()
        for emulator in self.emulators.values():
            emulator.stop()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def platform_state(self) -> dict[str, Any]:
        """What the stand-in akka holds now (password hashes only)."""
        return json.loads(self.akka_state_file.read_text())

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

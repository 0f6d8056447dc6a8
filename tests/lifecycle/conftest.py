"""A whole sandbox world (stand-in akka, Google and Azure emulators) and a uniform view of each provider's cloud."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from bootstrap.sandbox.world import ACR_REGISTRY, GCP_PROJECT


@dataclass
class Cloud:
    """What one provider's cloud holds for the default identity, read straight from the emulator's model."""

    provider: str
    args: tuple[str, ...]
    box: Any

    @property
    def google(self) -> Any:
        return self.box.emulators["google"]

    @property
    def azure(self) -> Any:
        return self.box.emulators["azure"]

    def identities(self) -> list[str]:
        if self.provider == "acr":
            return [a.app_id for a in self.azure.model.directory.applications_list()]
        return [a.email for a in self.google.model.list_service_accounts(f"projects/{GCP_PROJECT}")[0]]

    def credentials(self) -> list[Any]:
        """(id, secret) of every key or password the identity holds."""
        if self.provider == "acr":
            return [(p.key_id, p.secret) for a in self.azure.model.directory.applications_list() for p in a.passwords]
        out = []
        for email in self.identities():
            for key in self.google.model.list_keys(f"projects/{GCP_PROJECT}/serviceAccounts/{email}", ["USER_MANAGED"]):
                out.append((key.key_id, key.private_key_data))
        return out

    def grants(self) -> list[str]:
        if self.provider == "acr":
            return [a.role_id for a in self.azure.model.role_assignments.values()]
        scopes = [
            f"projects/{GCP_PROJECT}",
            f"projects/{GCP_PROJECT}/locations/us/repositories/gcr.io",
            f"projects/{GCP_PROJECT}/locations/us-central1/repositories/apps",
        ]
        return [
            f"{role} {m}"
            for scope in scopes
            for role, members in self.google.model.get_iam_policy(scope).bindings.items()
            for m in members
            if m.startswith("serviceAccount:")
        ]

    def mutations(self) -> list[str]:
        emulator = self.azure if self.provider == "acr" else self.google
        return [c.operation for c in emulator.calls.mutating()]

    def clear_log(self) -> None:
        for emulator in self.box.emulators.values():
            emulator.calls.clear()


ARGS = {
    "gcr": ("--gcp-project", GCP_PROJECT),
    "gar": ("--gcp-project", GCP_PROJECT, "--location", "us-central1", "--repository", "apps"),
    "acr": ("--registry", ACR_REGISTRY),
}


@pytest.fixture(params=sorted(ARGS))
def cloud(request, world) -> Cloud:
    return Cloud(request.param, ARGS[request.param], world)

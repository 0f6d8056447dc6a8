"""Google Cloud on 127.0.0.1: IAM admin (gRPC), Resource Manager v3 and Artifact Registry v1 (REST), one model.

    from bootstrap.sandbox.faults import Fault
    from bootstrap.sandbox.google import GoogleEmulator

    google = GoogleEmulator()
    google.model.add_project("demo-project")
    google.model.add_repository("demo-project", "us", "gcr.io")
    env = google.start()  # {"REGBOOT_GCP_IAM_ENDPOINT": "http://127.0.0.1:PORT", ...}
    google.model.propagation_delay = 2.0  # new service accounts take 2 s to become visible
    google.calls.inject("crm.projects.setIamPolicy", Fault(kind="conflict"))  # the next write loses a race
    google.model.disable_services("demo-project", "iam.googleapis.com")  # as in a project just created
    ...
    google.stop()

Operation names for faults: `iam.<Method>` (e.g. iam.CreateServiceAccountKey), `crm.projects.{get,getIamPolicy,
setIamPolicy,testIamPermissions}`, `ar.repositories.{get,list,getIamPolicy,setIamPolicy,testIamPermissions}`.
Other processes drive a running emulator through the control API under `/_sandbox/` on either REST endpoint.
"""

from __future__ import annotations

from bootstrap.sandbox.cloud import CloudEmulator
from bootstrap.sandbox.google.iam import IamEmulator
from bootstrap.sandbox.google.model import GoogleModel
from bootstrap.sandbox.google.rest import ArtifactRegistryEmulator, ResourceManagerEmulator

__all__ = ["GoogleEmulator", "GoogleModel"]


class GoogleEmulator(CloudEmulator[GoogleModel]):
    """The three Google endpoints regboot talks to, sharing one model and one call log."""

    model_type = GoogleModel

    def serve(self) -> tuple[IamEmulator, ResourceManagerEmulator, ArtifactRegistryEmulator]:
        self.iam = IamEmulator(self.model, self.calls)
        self.resourcemanager = ResourceManagerEmulator(self.model, self.calls)
        self.artifactregistry = ArtifactRegistryEmulator(self.model, self.calls)
        return self.iam, self.resourcemanager, self.artifactregistry

    def environment(self) -> dict[str, str]:
        return {
            "REGBOOT_GCP_IAM_ENDPOINT": self.iam.url,
            "REGBOOT_GCP_RESOURCEMANAGER_ENDPOINT": self.resourcemanager.url,
            "REGBOOT_GCP_ARTIFACTREGISTRY_ENDPOINT": self.artifactregistry.url,
        }

    @property
    def control_url(self) -> str:
        """Where the `/_sandbox/` control API answers (it answers on the Artifact Registry endpoint too)."""
        return self.resourcemanager.url

    def reset(self) -> None:
        """Empty the model and the call log, keeping the servers up (what a test fixture does between tests)."""
        self.model.reset()
        self.calls.clear()

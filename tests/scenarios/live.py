"""The live world: real Google, Azure, registries and Akka, configured by REGBOOT_LIVE_* (docs/live-tests.md).

Cloud credentials come from each cloud's own chain, as for any user (Google ADC, Azure CLI login or
AZURE_TOKEN_CREDENTIALS, AKKA_TOKEN or `akka auth login`); metadata servers stay unreachable."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from tests.scenarios.world import PROVIDERS, Static, World

# variable -> (providers whose live tests need it, what it is)
CONFIGURATION: dict[str, tuple[tuple[str, ...], str]] = {
    "REGBOOT_LIVE_AKKA_PROJECT": (PROVIDERS, "an Akka project the tests may add and remove credentials in"),
    "REGBOOT_LIVE_GCP_PROJECT": (("gcr", "gar"), "a Google Cloud project for the reader service accounts"),
    "REGBOOT_LIVE_GAR_LOCATION": (("gar",), "the location of an existing Artifact Registry repository"),
    "REGBOOT_LIVE_GAR_REPOSITORY": (("gar",), "that repository's name"),
    "REGBOOT_LIVE_AZURE_REGISTRY": (("acr",), "the name of an existing Azure Container Registry"),
    "REGBOOT_LIVE_DOCKERHUB_USERNAME": (("dockerhub",), "a Docker Hub user"),
    "REGBOOT_LIVE_DOCKERHUB_TOKEN": (("dockerhub",), "a read-only access token of that user"),
    "REGBOOT_LIVE_DOCKERHUB_REPOSITORY": (("dockerhub",), "a repository that token may pull, e.g. octo/app"),
    "REGBOOT_LIVE_PRIVATE_SERVER": (("private",), "a private registry's URL"),
    "REGBOOT_LIVE_PRIVATE_USERNAME": (("private",), "a user of it"),
    "REGBOOT_LIVE_PRIVATE_PASSWORD": (("private",), "that user's password or token"),
    "REGBOOT_LIVE_PRIVATE_REPOSITORY": (("private",), "a repository that user may pull"),
}
OPTIONAL = {
    "REGBOOT_LIVE_AKKA_REGION": "the Akka region, for a project in several regions",
    "REGBOOT_LIVE_GCR_HOST": "the gcr.io host to onboard (default gcr.io; its Artifact Registry repository must exist)",
    "REGBOOT_LIVE_AZURE_SUBSCRIPTION": "the registry's subscription (default: found from the registry)",
    "REGBOOT_LIVE_AZURE_RESOURCE_GROUP": "the registry's resource group",
}
# The live parametrization of a world: marked, and given the time real propagation takes (Google keys: minutes)
PARAM = pytest.param("live", marks=[pytest.mark.live, pytest.mark.timeout(3600)])
# Credential types that never ask a metadata server (169.254.169.254); anything else falls back to the Azure CLI.
AZURE_CHAINS = {"AzureCliCredential", "EnvironmentCredential", "WorkloadIdentityCredential", "dev"}


def missing(launch: Mapping[str, str], provider: str | None = None) -> list[str]:
    """The variables a provider's live test needs and lacks; without a provider, those every live test needs."""
    wanted = [
        name for name, (needs, _) in CONFIGURATION.items() if (provider in needs if provider else needs == PROVIDERS)
    ]
    return [name for name in wanted if not launch.get(name)]


def _optional(launch: Mapping[str, str], flag: str, variable: str) -> tuple[str, ...]:
    return (flag, launch[variable]) if launch.get(variable) else ()


class LiveWorld(World):
    def __init__(self, launch: Mapping[str, str], env: dict[str, str]) -> None:
        get = launch.get
        hub = Static(
            get("REGBOOT_LIVE_DOCKERHUB_USERNAME", ""),
            get("REGBOOT_LIVE_DOCKERHUB_TOKEN", ""),
            "https://registry-1.docker.io",
            get("REGBOOT_LIVE_DOCKERHUB_REPOSITORY", ""),
        )
        private = Static(
            get("REGBOOT_LIVE_PRIVATE_USERNAME", ""),
            get("REGBOOT_LIVE_PRIVATE_PASSWORD", ""),
            get("REGBOOT_LIVE_PRIVATE_SERVER", ""),
            get("REGBOOT_LIVE_PRIVATE_REPOSITORY", ""),
        )
        self.gcp_project = get("REGBOOT_LIVE_GCP_PROJECT", "")
        self.azure_registry = get("REGBOOT_LIVE_AZURE_REGISTRY", "")
        super().__init__(
            kind="live",
            env=env,
            akka=(
                "--akka-project",
                get("REGBOOT_LIVE_AKKA_PROJECT", ""),
                *_optional(launch, "--akka-region", "REGBOOT_LIVE_AKKA_REGION"),
            ),
            targets={
                "gcr": ("--gcp-project", self.gcp_project, *_optional(launch, "--host", "REGBOOT_LIVE_GCR_HOST")),
                "gar": (
                    "--gcp-project",
                    self.gcp_project,
                    "--location",
                    get("REGBOOT_LIVE_GAR_LOCATION", ""),
                    "--repository",
                    get("REGBOOT_LIVE_GAR_REPOSITORY", ""),
                ),
                "acr": (
                    "--registry",
                    self.azure_registry,
                    *_optional(launch, "--subscription", "REGBOOT_LIVE_AZURE_SUBSCRIPTION"),
                    *_optional(launch, "--resource-group", "REGBOOT_LIVE_AZURE_RESOURCE_GROUP"),
                ),
                "dockerhub": ("--username", hub.username),
                "private": ("--server", private.pull_server, "--username", private.username),
            },
            statics={"dockerhub": hub, "private": private},
            missing={p: ", ".join(missing(launch, p)) for p in PROVIDERS if missing(launch, p)},
        )

    def identities(self) -> list[str]:
        """Read-only listings, through the same SDKs regboot uses: service account ids and app display names."""
        return self._service_accounts() + self._applications()

    def _service_accounts(self) -> list[str]:
        if not self.gcp_project:
            return []
        from google.cloud import iam_admin_v1

        listed = iam_admin_v1.IAMClient().list_service_accounts(name=f"projects/{self.gcp_project}")
        return [account.email.split("@")[0] for account in listed]

    def _applications(self) -> list[str]:
        if not self.azure_registry:
            return []
        import httpx
        from azure.identity import DefaultAzureCredential

        token = DefaultAzureCredential().get_token("https://graph.microsoft.com/.default").token
        url = "https://graph.microsoft.com/v1.0/applications?$filter=startswith(displayName,'rb')&$select=displayName"
        names: list[str] = []
        while url:
            page = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30).raise_for_status().json()
            names += [app["displayName"] for app in page["value"]]
            url = page.get("@odata.nextLink", "")
        return names

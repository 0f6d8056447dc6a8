"""Resource Manager v3 and Artifact Registry v1, the few calls regboot makes, over REST with google-auth's
authorized session instead of their client libraries: importing google-cloud-resource-manager alone took longer
than the rest of a Google onboarding's own work. The requests are those the libraries' REST transports send
(same paths, bodies and `$alt`), errors become the same `google.api_core.exceptions` through `from_http_response`
(with the ErrorInfo reason and metadata), and policies are the same IAM protos. No call retries: regboot polls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.auth.credentials import Credentials
from google.iam.v1 import iam_policy_pb2, policy_pb2
from google.protobuf import json_format

# What the REST transports ask for: JSON, enums as numbers.
ALT = {"$alt": "json;enum-encoding=int"}


@dataclass(frozen=True)
class Repository:
    name: str


class _Api:
    """One REST API at `base` (`https://host` or an emulator's `http://127.0.0.1:port`)."""

    version = ""

    def __init__(self, base: str, credentials: Credentials) -> None:
        from google.auth.transport.requests import AuthorizedSession

        self.base = base.rstrip("/")
        self.session = AuthorizedSession(credentials)

    def send(
        self, method: str, path: str, *, timeout: float | None, body: Any = None, params: dict | None = None
    ) -> dict:
        from google.api_core import exceptions as gx

        response = self.session.request(
            method, f"{self.base}/{self.version}/{path}", json=body, params={**(params or {}), **ALT}, timeout=timeout
        )
        if response.status_code >= 400:
            raise gx.from_http_response(response)
        return dict(response.json()) if response.content else {}

    # --- IAM, alike on projects and repositories ------------------------------------------------------
    def get_iam_policy(
        self, *, request: iam_policy_pb2.GetIamPolicyRequest, timeout: float | None = None, retry: Any = None
    ) -> policy_pb2.Policy:
        version = request.options.requested_policy_version
        return _policy(self._get_policy(request.resource, version, timeout))

    def _get_policy(self, resource: str, version: int, timeout: float | None) -> dict:
        raise NotImplementedError

    def set_iam_policy(
        self, *, request: iam_policy_pb2.SetIamPolicyRequest, timeout: float | None = None, retry: Any = None
    ) -> policy_pb2.Policy:
        body = {"policy": json_format.MessageToDict(request.policy)}
        return _policy(self.send("POST", f"{request.resource}:setIamPolicy", body=body, timeout=timeout))

    def test_iam_permissions(
        self, *, request: iam_policy_pb2.TestIamPermissionsRequest, timeout: float | None = None, retry: Any = None
    ) -> iam_policy_pb2.TestIamPermissionsResponse:
        body = {"permissions": list(request.permissions)}
        answer = self.send("POST", f"{request.resource}:testIamPermissions", body=body, timeout=timeout)
        return json_format.ParseDict(answer, iam_policy_pb2.TestIamPermissionsResponse(), ignore_unknown_fields=True)


class Projects(_Api):
    """cloudresourcemanager.googleapis.com/v3."""

    version = "v3"

    def get_project(self, *, name: str, timeout: float | None = None, retry: Any = None) -> dict:
        return self.send("GET", name, timeout=timeout)

    def _get_policy(self, resource: str, version: int, timeout: float | None) -> dict:
        body = {"options": {"requestedPolicyVersion": version}} if version else {}
        return self.send("POST", f"{resource}:getIamPolicy", body=body, timeout=timeout)


class Registry(_Api):
    """artifactregistry.googleapis.com/v1."""

    version = "v1"

    def get_repository(self, *, name: str, timeout: float | None = None, retry: Any = None) -> Repository:
        return Repository(self.send("GET", name, timeout=timeout)["name"])

    def list_repositories(self, *, parent: str, timeout: float | None = None, retry: Any = None) -> list[Repository]:
        found: list[Repository] = []
        token = ""
        while True:
            page = self.send(
                "GET", f"{parent}/repositories", params={"pageToken": token} if token else None, timeout=timeout
            )
            found += [Repository(r["name"]) for r in page.get("repositories", [])]
            token = page.get("nextPageToken", "")
            if not token:
                return found

    def _get_policy(self, resource: str, version: int, timeout: float | None) -> dict:
        # Artifact Registry's getIamPolicy is a GET, its options in the query.
        params = {"options.requestedPolicyVersion": version} if version else None
        return self.send("GET", f"{resource}:getIamPolicy", params=params, timeout=timeout)


def _policy(answer: dict) -> policy_pb2.Policy:
    return json_format.ParseDict(answer, policy_pb2.Policy(), ignore_unknown_fields=True)

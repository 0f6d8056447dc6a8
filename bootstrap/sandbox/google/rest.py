"""Resource Manager v3 and Artifact Registry v1 over REST/JSON: the wire layer the `transport="rest"` clients call.

Both render Google's error shape `{"error": {"code", "message", "status", "details"}}` and share the control API
(`/_sandbox/...`, see control.py), which bypasses the request log and fault injection.
"""

from __future__ import annotations

import base64
import binascii
import functools
import ssl
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from google.cloud import artifactregistry_v1, resourcemanager_v3
from google.iam.v1 import iam_policy_pb2, policy_pb2
from google.protobuf import json_format
from google.protobuf.message import Message

from bootstrap.sandbox.faults import CallLog
from bootstrap.sandbox.google.control import control
from bootstrap.sandbox.google.errors import GoogleError, code_for_http, permission_denied, retry_info
from bootstrap.sandbox.google.model import GoogleModel
from bootstrap.sandbox.google.records import Policy, Project, Repository
from bootstrap.sandbox.http import HttpEmulator, HttpError, Request, route

GCR_HOSTS = ("gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io")


def _answers(handler: Callable) -> Callable:
    """Render the model's GoogleError as an HttpError in Google's REST shape."""

    @functools.wraps(handler)
    def answer(self: GoogleRestEmulator, request: Request, **params: str) -> Any:
        if any(":" in value for value in params.values()):
            # A custom verb we do not serve fell through to the plain resource route: fail loudly.
            raise HttpError(501, f"regboot sandbox: {type(self).__name__} does not implement {request.path}")
        try:
            self.model.require_service(self.api, f"projects/{params.get('project', '')}")
            # set_iam_policy acts on conflict/not_visible itself (a stale etag, an unpropagated member).
            if request.fault and handler.__name__ != "set_iam_policy":
                if request.fault.kind == "conflict":
                    raise GoogleError("ABORTED", request.fault.message)
                if request.fault.kind == "not_visible":
                    raise self.not_visible(request.path)
            return handler(self, request, **params)
        except GoogleError as error:
            raise HttpError(error.http_status, error.message, code=error.code, details=error.details) from None
        except json_format.ParseError as error:
            raise HttpError(400, f"Invalid JSON payload received. {error}", code="INVALID_ARGUMENT") from None
        except HttpError:
            raise
        except Exception as error:
            # An emulator bug must read as one, not as a dropped connection that looks like an injected reset.
            raise HttpError(500, f"regboot sandbox bug in {handler.__name__}: {error!r}", code="INTERNAL") from error

    return answer


def _detail(message: Message) -> dict:
    return {"@type": f"type.googleapis.com/{message.DESCRIPTOR.full_name}", **json_format.MessageToDict(message)}


class GoogleRestEmulator(HttpEmulator):
    """What the Google REST surfaces share: the error shape, enum rendering, IAM policy calls, the control API."""

    service = "google"
    api = ""  # the service name a project must have enabled, e.g. cloudresourcemanager.googleapis.com

    def __init__(self, model: GoogleModel, calls: CallLog | None = None) -> None:
        super().__init__(calls)
        self.model = model
        # Custom verbs (`resource:getIamPolicy`) must win over the plain resource route, which would swallow them.
        self._routes.sort(key=lambda r: ":" not in r.regex.pattern)

    def start(self, port: int = 0, *, tls: ssl.SSLContext | None = None) -> str:
        url = super().start(port, tls=tls)
        # Headers and body leave in two writes; with Nagle on, each response waits ~40 ms for a delayed ACK.
        assert self._server is not None
        self._server.RequestHandlerClass.disable_nagle_algorithm = True  # type: ignore[attr-defined]
        return url

    def error_body(self, error: HttpError) -> Any:
        status = error.code or code_for_http(error.status)
        details = list(error.details or [])
        if "Retry-After" in error.headers:
            details.append(retry_info(float(error.headers["Retry-After"])))
        body: dict[str, Any] = {"code": error.status, "message": error.message, "status": status}
        if details:
            body["details"] = [_detail(d) for d in details]
        return {"error": body}

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        # The control API is for the test or the demo driving the emulator: never logged, never faulted.
        path = urlsplit(h.path).path
        if path.startswith("/_sandbox/"):
            length = int(h.headers.get("Content-Length") or 0)
            self._write(h, control(self.model, self.calls, h.command, path, h.rfile.read(length) if length else b""))
            return
        super()._dispatch(h)

    def not_visible(self, path: str) -> GoogleError:
        """What this API answers for a resource that has not propagated yet."""
        return GoogleError("NOT_FOUND", "Requested entity was not found.")

    # --- shared IAM policy calls ---------------------------------------------------------------------
    def _get_policy(self, resource: str) -> dict:
        return _policy(self.model.get_iam_policy(resource))

    def _set_policy(self, request: Request, resource: str) -> dict:
        body, parsed = _parse(request, iam_policy_pb2.SetIamPolicyRequest)
        policy = parsed.policy
        if policy.audit_configs or any(b.HasField("condition") for b in policy.bindings):
            raise GoogleError(
                "UNIMPLEMENTED", "regboot sandbox: audit configs and conditional bindings are not emulated"
            )
        bindings: dict[str, list[str]] = {}
        for binding in policy.bindings:
            bindings.setdefault(binding.role, []).extend(binding.members)
        written = self.model.set_iam_policy(
            resource,
            bindings,
            version=policy.version,
            etag=_etag(body.get("policy", {}).get("etag", "")),
            stale=bool(request.fault and request.fault.kind == "conflict"),
            not_visible=bool(request.fault and request.fault.kind == "not_visible"),
        )
        return _policy(written)

    def _test_permissions(self, request: Request, resource: str) -> dict:
        _, parsed = _parse(request, iam_policy_pb2.TestIamPermissionsRequest)
        held = self.model.test_iam_permissions(resource, list(parsed.permissions))
        return {"permissions": held} if held else {}

    def _render(self, request: Request, message: Any) -> dict:
        # The clients ask for `$alt=json;enum-encoding=int`: enums then travel as numbers, as Google sends them.
        ints = "enum-encoding=int" in request.query.get("$alt", "")
        return json_format.MessageToDict(type(message).pb(message), use_integers_for_enums=ints)


class ResourceManagerEmulator(GoogleRestEmulator):
    """cloudresourcemanager.googleapis.com v3: projects.get and the project's IAM policy."""

    service = "resourcemanager"
    api = "cloudresourcemanager.googleapis.com"

    def not_visible(self, path: str) -> GoogleError:
        project = path.removeprefix("/v3/").partition(":")[0]
        return permission_denied("resourcemanager.projects.get", project)

    @route("GET", "/v3/projects/{project}", "crm.projects.get")
    @_answers
    def get_project(self, request: Request, project: str) -> dict:
        return self._render(request, _project(self.model.get_project(f"projects/{project}")))

    @route("POST", "/v3/projects/{project}:getIamPolicy", "crm.projects.getIamPolicy")
    @_answers
    def get_iam_policy(self, request: Request, project: str) -> dict:
        _parse(request, iam_policy_pb2.GetIamPolicyRequest)  # options.requestedPolicyVersion: we keep one version
        return self._get_policy(f"projects/{project}")

    @route("POST", "/v3/projects/{project}:setIamPolicy", "crm.projects.setIamPolicy", mutating=True)
    @_answers
    def set_iam_policy(self, request: Request, project: str) -> dict:
        return self._set_policy(request, f"projects/{project}")

    @route("POST", "/v3/projects/{project}:testIamPermissions", "crm.projects.testIamPermissions")
    @_answers
    def test_iam_permissions(self, request: Request, project: str) -> dict:
        return self._test_permissions(request, f"projects/{project}")


class ArtifactRegistryEmulator(GoogleRestEmulator):
    """artifactregistry.googleapis.com v1: repositories get/list and a repository's IAM policy."""

    service = "artifactregistry"
    api = "artifactregistry.googleapis.com"
    REPOSITORY = "/v1/projects/{project}/locations/{location}/repositories/{repository}"

    @route("GET", REPOSITORY, "ar.repositories.get")
    @_answers
    def get_repository(self, request: Request, project: str, location: str, repository: str) -> dict:
        name = f"projects/{project}/locations/{location}/repositories/{repository}"
        return self._render(request, _repository(self.model.get_repository(name)))

    @route("GET", "/v1/projects/{project}/locations/{location}/repositories", "ar.repositories.list")
    @_answers
    def list_repositories(self, request: Request, project: str, location: str) -> dict:
        size = request.query.get("pageSize") or "0"
        if not size.isdigit():
            raise GoogleError("INVALID_ARGUMENT", f"Invalid value at 'page_size' (TYPE_INT32), \"{size}\"")
        found, token = self.model.list_repositories(
            f"projects/{project}/locations/{location}", int(size), request.query.get("pageToken", "")
        )
        body: dict[str, Any] = {"repositories": [self._render(request, _repository(r)) for r in found]}
        return {**body, "nextPageToken": token} if token else body

    @route("GET", REPOSITORY + ":getIamPolicy", "ar.repositories.getIamPolicy")
    @_answers
    def get_iam_policy(self, request: Request, project: str, location: str, repository: str) -> dict:
        return self._get_policy(f"projects/{project}/locations/{location}/repositories/{repository}")

    @route("POST", REPOSITORY + ":setIamPolicy", "ar.repositories.setIamPolicy", mutating=True)
    @_answers
    def set_iam_policy(self, request: Request, project: str, location: str, repository: str) -> dict:
        return self._set_policy(request, f"projects/{project}/locations/{location}/repositories/{repository}")

    @route("POST", REPOSITORY + ":testIamPermissions", "ar.repositories.testIamPermissions")
    @_answers
    def test_iam_permissions(self, request: Request, project: str, location: str, repository: str) -> dict:
        return self._test_permissions(request, f"projects/{project}/locations/{location}/repositories/{repository}")


# --- parsing and rendering ---------------------------------------------------------------------------
def _parse(request: Request, message_type: Any) -> tuple[dict, Any]:
    """The JSON body and the message it must parse into; unknown fields are refused, as Google refuses them."""
    body = request.json()
    if not isinstance(body, dict):
        raise GoogleError("INVALID_ARGUMENT", "Invalid JSON payload received. Expected an object.")
    return body, json_format.ParseDict(body, message_type())


def _etag(text: str) -> bytes:
    # protobuf's JSON parser accepts malformed base64; Google does not.
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise GoogleError("INVALID_ARGUMENT", f"Invalid value at 'policy.etag' (TYPE_BYTES), \"{text}\"") from None


def _policy(policy: Policy) -> dict:
    message = policy_pb2.Policy(version=policy.version, etag=policy.etag)
    for role, members in policy.bindings.items():
        message.bindings.add(role=role, members=members)
    return json_format.MessageToDict(message)


def _project(project: Project) -> resourcemanager_v3.Project:
    # v3 names a project by its number; the id is a separate field (callers that want the id must read project_id).
    return resourcemanager_v3.Project(
        name=f"projects/{project.number}",
        project_id=project.project_id,
        display_name=project.display_name,
        state=resourcemanager_v3.Project.State.ACTIVE,
        create_time=project.create_time,
        etag=f'W/"{project.number}"',
    )


def _repository(repository: Repository) -> artifactregistry_v1.Repository:
    rid, project = repository.repository_id, repository.project
    uri = f"{rid}/{project}" if rid in GCR_HOSTS else f"{repository.location}-docker.pkg.dev/{project}/{rid}"
    return artifactregistry_v1.Repository(
        name=repository.name,
        format_=getattr(artifactregistry_v1.Repository.Format, repository.format),
        mode=artifactregistry_v1.Repository.Mode.STANDARD_REPOSITORY,
        description=repository.description,
        create_time=repository.create_time,
        update_time=repository.create_time,
        registry_uri=uri,
    )

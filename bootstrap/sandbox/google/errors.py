"""Google's canonical errors as data: a status name, a message and google.rpc detail messages.

The model raises `GoogleError`; each wire layer renders it in its own protocol (gRPC status with
`grpc-status-details-bin`, or the REST JSON shape `{"error": {"code", "message", "status", "details"}}`).
"""

from __future__ import annotations

from google.protobuf import duration_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2

from bootstrap.sandbox.faults import HTTP_TO_GRPC

# The HTTP status Google's REST surface answers for each canonical code (google/rpc/code.proto).
HTTP_STATUS = {
    "CANCELLED": 499,
    "UNKNOWN": 500,
    "INVALID_ARGUMENT": 400,
    "DEADLINE_EXCEEDED": 504,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "PERMISSION_DENIED": 403,
    "UNAUTHENTICATED": 401,
    "RESOURCE_EXHAUSTED": 429,
    "FAILED_PRECONDITION": 400,
    "ABORTED": 409,
    "OUT_OF_RANGE": 400,
    "UNIMPLEMENTED": 501,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
    "DATA_LOSS": 500,
}

KEY_CREATION_CONSTRAINT = "constraints/iam.disableServiceAccountKeyCreation"


class GoogleError(Exception):
    """A refusal the real API would give: canonical `code` name, `message`, google.rpc `details` messages."""

    def __init__(self, code: str, message: str, details: list[Message] | None = None) -> None:
        assert code in HTTP_STATUS, code
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message
        self.details = details or []

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]


def code_for_http(status: int) -> str:
    """The canonical code an HTTP status stands for (an injected `error` fault names only the HTTP status)."""
    return HTTP_TO_GRPC.get(status) or {499: "CANCELLED", 501: "UNIMPLEMENTED"}.get(status, "UNKNOWN")


def retry_info(seconds: float) -> error_details_pb2.RetryInfo:
    delay = duration_pb2.Duration()
    delay.FromNanoseconds(int(seconds * 1e9))
    return error_details_pb2.RetryInfo(retry_delay=delay)


def permission_denied(permission: str, resource: str) -> GoogleError:
    # Google answers the same for "no such resource" and "not allowed", so as not to leak what exists.
    return GoogleError(
        "PERMISSION_DENIED",
        f"Permission '{permission}' denied on resource '{resource}' (or it may not exist).",
        [
            error_details_pb2.ErrorInfo(
                reason="IAM_PERMISSION_DENIED", domain="iam.googleapis.com", metadata={"permission": permission}
            )
        ],
    )


SERVICE_TITLES = {
    "iam.googleapis.com": "Identity and Access Management (IAM) API",
    "cloudresourcemanager.googleapis.com": "Cloud Resource Manager API",
    "artifactregistry.googleapis.com": "Artifact Registry API",
}


def service_disabled(service: str, project_number: str) -> GoogleError:
    """What every Google API answers when it is not enabled in the consumer project.

    Copies the documented reason SERVICE_DISABLED (googleapis/google/api/error_reason.proto: "The request is calling
    a disabled service for a consumer", ErrorInfo domain googleapis.com, metadata consumer and service; see also
    https://cloud.google.com/apis/design/errors#error_info) as the real APIs send it, with the activation link both
    in the metadata and in a google.rpc.Help detail (e.g. the 403 quoted in google-gemini/gemini-cli#1343)."""
    title = SERVICE_TITLES.get(service, service)
    url = f"https://console.developers.google.com/apis/api/{service}/overview?project={project_number}"
    message = (
        f"{title} has not been used in project {project_number} before or it is disabled. Enable it by visiting "
        f"{url} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our "
        "systems and retry."
    )
    info = error_details_pb2.ErrorInfo(
        reason="SERVICE_DISABLED",
        domain="googleapis.com",
        metadata={
            "service": service,
            "serviceTitle": title,
            "consumer": f"projects/{project_number}",
            "containerInfo": project_number,
            "activationUrl": url,
        },
    )
    link = error_details_pb2.Help.Link(description="Google developers console API activation", url=url)
    return GoogleError("PERMISSION_DENIED", message, [info, error_details_pb2.Help(links=[link])])


def key_creation_refused(project: str, email: str) -> GoogleError:
    message = "Key creation is not allowed on this service account."
    violation = error_details_pb2.PreconditionFailure.Violation(
        type=KEY_CREATION_CONSTRAINT, subject=f"projects/{project}?configvalue={email}", description=message
    )
    return GoogleError("FAILED_PRECONDITION", message, [error_details_pb2.PreconditionFailure(violations=[violation])])

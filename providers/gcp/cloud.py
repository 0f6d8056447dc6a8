"""The Google APIs regboot calls, behind one small class. Imported only when a Google provider runs.

IAM admin is gRPC only (google-cloud-iam); Resource Manager and Artifact Registry go over REST through google-auth's
authorized session (providers/gcp/rest.py). An `http://` endpoint in the environment means an emulator on loopback:
plaintext and anonymous, and no credential lookup at all.
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, Unpack

import google.auth
import google.auth.exceptions
from google.api_core import exceptions as gx
from google.auth.credentials import AnonymousCredentials, Credentials
from google.cloud import iam_admin_v1
from google.iam.v1 import iam_policy_pb2, policy_pb2

from bootstrap import api
from providers.gcp import rest
from providers.unhandled import unhandled

T = TypeVar("T")
KEY_CONSTRAINTS = ("constraints/iam.disableServiceAccountKeyCreation", "iam.managed.disableServiceAccountKeyCreation")
ADC_FIX = "Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a key file."


class Google:
    """IAM admin, Resource Manager and Artifact Registry clients, made lazily, sharing one credential."""

    def __init__(self, settings: api.Settings, ui: api.Ui) -> None:
        self.settings = settings
        self.ui = ui
        self.timeout = settings.call_timeout
        # Every request passes these: a hung call fails in time, and the SDKs' own retry loops are off, so that
        # regboot's waiting (which tells "not yet" from "cannot", and shows each retry) is the only loop.
        self.once: dict[str, Any] = {"retry": None, "timeout": self.timeout}
        self._credentials: Credentials | None = None
        self._clients: dict[str, Any] = {}
        self._iam_host = "iam.googleapis.com"  # gRPC errors do not say which host they were for

    # --- clients ------------------------------------------------------------------------------------------
    def credentials(self) -> Credentials:
        if self._credentials is None:
            try:
                with warnings.catch_warnings():
                    # google-auth warns end users whose ADC file names no quota project; the APIs regboot calls
                    # bill the project of the resource they act on, so the advice is not for regboot's users.
                    warnings.filterwarnings("ignore", "Your application has authenticated using end user credentials")
                    self._credentials, _ = google.auth.default(
                        scopes=["https://www.googleapis.com/auth/cloud-platform"]
                    )
            except google.auth.exceptions.DefaultCredentialsError:
                raise api.PreconditionError("no Google credentials found", fix=ADC_FIX, code="no_credentials") from None
        return self._credentials

    @property
    def iam(self) -> iam_admin_v1.IAMClient:
        if "iam" not in self._clients:
            found = self.settings.endpoint("REGBOOT_GCP_IAM_ENDPOINT")
            host, plain = (found.netloc, found.plain) if found else (None, False)
            self._iam_host = host or self._iam_host
            if plain:
                import grpc
                from google.cloud.iam_admin_v1.services.iam.transports import IAMGrpcTransport

                channel = grpc.insecure_channel(host or "")
                self._clients["iam"] = iam_admin_v1.IAMClient(transport=IAMGrpcTransport(channel=channel))
            else:
                options = {"api_endpoint": host} if host else None
                self._clients["iam"] = iam_admin_v1.IAMClient(credentials=self.credentials(), client_options=options)
        return self._clients["iam"]

    def _rest(self, key: str, env_name: str, cls: Any, host: str) -> Any:
        if key not in self._clients:
            found = self.settings.endpoint(f"REGBOOT_GCP_{env_name}_ENDPOINT")
            base = found.url if found and found.plain else f"https://{found.netloc if found else host}"
            creds = AnonymousCredentials() if found and found.plain else self.credentials()
            self._clients[key] = cls(base, creds)
        return self._clients[key]

    @property
    def projects(self) -> rest.Projects:
        return self._rest("crm", "RESOURCEMANAGER", rest.Projects, "cloudresourcemanager.googleapis.com")

    @property
    def registry(self) -> rest.Registry:
        return self._rest("ar", "ARTIFACTREGISTRY", rest.Registry, "artifactregistry.googleapis.com")

    def _policies(self, resource: str) -> Any:
        return self.registry if "/repositories/" in resource else self.projects

    # --- calls ----------------------------------------------------------------------------------------------
    def call(
        self,
        what: str,
        fn: Callable[[], T],
        *,
        allow: tuple[type[Exception], ...] = (),
        **attempts: Unpack[api.Attempts],
    ) -> T:
        """One API call, retried and its failure made a domain error naming `what` (api.cloud_call); Google's errors
        of the types in `allow` reach the caller as they are, for it to act on."""

        def host(err: BaseException) -> str:
            return _request_host(err) or (self._iam_host if isinstance(err, gx.GoogleAPICallError) else "Google")

        def refused(err: Exception) -> Exception | None:
            return refusal(err, what) if isinstance(err, gx.GoogleAPICallError) and not isinstance(err, allow) else None

        return api.cloud_call(
            fn,
            what=what,
            errors=ERRORS,
            host=host,
            refusal=refused,
            ui=self.ui,
            clock=self.settings.clock,
            **attempts,
        )

    def probe(self, what: str, fn: Callable[[], object]) -> gx.GoogleAPICallError | None:
        """A read-only call made to learn whether it is refused: the refusal, or None when it answered."""
        try:
            self.call(what, fn, allow=(gx.GoogleAPICallError,))
        except gx.GoogleAPICallError as err:
            return err
        return None

    def get_account(self, name: str) -> iam_admin_v1.ServiceAccount | None:
        try:
            return self.call(
                f"service account {name}",
                lambda: self.iam.get_service_account(name=name, **self.once),
                allow=(gx.NotFound,),
            )
        except gx.NotFound:
            return None

    def accounts(self, project: str) -> list[iam_admin_v1.ServiceAccount]:
        return list(
            self.call(
                f"service accounts of project {project}",
                lambda: self.iam.list_service_accounts(name=f"projects/{project}", **self.once),
            )
        )

    def keys(self, account: str) -> list[iam_admin_v1.ServiceAccountKey]:
        user = iam_admin_v1.ListServiceAccountKeysRequest.KeyType.USER_MANAGED
        request = {"name": account, "key_types": [user]}
        return list(
            self.call(
                f"keys of {account}",
                lambda: self.iam.list_service_account_keys(request=request, **self.once),
                not_yet=_lagging,  # asked only of an account just seen or made: a 404 is a replica behind
            ).keys
        )

    def policy(self, resource: str, *, lagging: bool = True) -> policy_pb2.Policy:
        """The IAM policy of `resource`. With `lagging`, the project or repository has passed preflight, so a 404 is
        a replica behind and is waited out; without, the read is preflight's own and a 404 is the answer."""
        request = iam_policy_pb2.GetIamPolicyRequest(resource=resource)
        request.options.requested_policy_version = 3
        return self.call(
            f"IAM policy of {resource}",
            lambda: self._policies(resource).get_iam_policy(request=request, **self.once),
            not_yet=_lagging if lagging else None,
        )

    def change_policy(
        self,
        resource: str,
        change: Callable[[policy_pb2.Policy], bool],
        *,
        what: str,
        patience: api.Patience,
        read: policy_pb2.Policy | None = None,
    ) -> bool:
        """Read-modify-write the policy of `resource`; `change` edits it in place and says whether it did. `read`:
        the policy as read already, for the first cycle.

        The whole cycle is redone, reading anew, on a stale etag (409 ABORTED) and while a new member is not yet
        known."""
        ahead = [read] if read is not None else []

        def cycle() -> bool:
            policy = (
                ahead.pop()
                if ahead
                else self._policies(resource).get_iam_policy(request=_get_request(resource), **self.once)
            )
            if not change(policy):
                return False
            if any(b.HasField("condition") for b in policy.bindings):
                policy.version = 3  # conditional bindings are only kept by a version-3 write
            request = iam_policy_pb2.SetIamPolicyRequest(resource=resource, policy=policy)
            self._policies(resource).set_iam_policy(request=request, **self.once)
            return True

        return self.call(what, cycle, not_yet=_policy_not_yet, patience=patience)

    def missing_permissions(
        self, resource: str, permissions: list[str], *, allow: tuple[type[Exception], ...] = ()
    ) -> list[str]:
        request = iam_policy_pb2.TestIamPermissionsRequest(resource=resource, permissions=permissions)
        granted = self.call(
            f"permissions on {resource}",
            lambda: self._policies(resource).test_iam_permissions(request=request, **self.once),
            allow=allow,
        )
        return [p for p in permissions if p not in set(granted.permissions)]


def _get_request(resource: str) -> iam_policy_pb2.GetIamPolicyRequest:
    request = iam_policy_pb2.GetIamPolicyRequest(resource=resource)
    request.options.requested_policy_version = 3
    return request


def _policy_not_yet(exc: Exception) -> api.Retry | None:
    if isinstance(exc, gx.BadRequest) and "does not exist" in str(exc.message):
        return api.Retry("the new service account is not yet known to IAM policies")
    return _lagging(exc)


def _lagging(exc: Exception) -> api.Retry | None:
    """A 404 for something regboot has just seen exist: the replica answering has not caught up yet."""
    if isinstance(exc, gx.NotFound):
        return api.Retry("Google does not show it yet")
    return None


def disabled_service(err: BaseException | None) -> str | None:
    """The API a SERVICE_DISABLED refusal names: the project has never enabled it (new projects lack several)."""
    if isinstance(err, gx.GoogleAPICallError) and err.reason == "SERVICE_DISABLED":
        return str((err.metadata or {}).get("service") or "the API")
    return None


def apis_disabled(services: list[str], project: str) -> api.PreconditionError:
    names = list(dict.fromkeys(services))
    return api.PreconditionError(
        f"Google Cloud project {project} has not enabled {', '.join(names)}",
        fix=f"Run `gcloud services enable {' '.join(names)} --project {project}`, wait a minute for it to take "
        "effect, then run this command again.",
        code="api_disabled",
    )


def refusal(err: gx.GoogleAPICallError, what: str) -> api.RegbootError:
    """A Google error nobody handled, as a domain error: what was refused and why, in one line."""
    if service := disabled_service(err):
        return apis_disabled([service], str((err.metadata or {}).get("consumer", "")).removeprefix("projects/"))
    reason = str(err.message).strip().splitlines()[0] if str(err.message).strip() else type(err).__name__
    # REST errors start with the request ("GET http://...?$alt=json: reason"): the resource is in `what` already.
    method, _, rest = reason.partition(" ")
    if method in ("GET", "POST", "PUT", "PATCH", "DELETE") and ": " in rest:
        reason = rest.split(": ", 1)[1]
    return unhandled(
        "Google",
        what,
        reason,
        denied=isinstance(err, gx.PermissionDenied | gx.Forbidden | gx.Unauthenticated | gx.Unauthorized),
        answer=f"{err.code} {type(err).__name__}",
        denied_fix="Check your roles on the project (see docs/providers/google.md), then run this command again.",
        status_page="Google Cloud",
    )


# How gRPC words the failures that waiting cannot mend (it reports them all as UNAVAILABLE).
GRPC_UNREACHABLE = (
    ("DNS resolution failed", "the name does not resolve"),
    ("Connection refused", "the connection was refused"),
    ("handshake failed", "the TLS handshake failed"),
)


def unreachable(exc: BaseException) -> str | None:
    """Why a request never reached Google, when no retry can change it: a name that does not resolve, a refused
    connection, a failed TLS handshake. None otherwise; a connection lost mid-call is transient, not this."""
    if isinstance(exc, gx.GoogleAPICallError):
        text = str(exc.message).lower()
        return next((cause for marker, cause in GRPC_UNREACHABLE if marker.lower() in text), None)
    return api.network.unreachable(exc)


def _request_host(exc: BaseException) -> str | None:
    from urllib.parse import urlsplit

    for link in api.network.causes(exc):
        url = getattr(getattr(link, "request", None), "url", None)
        if isinstance(url, str):
            return urlsplit(url).netloc
    return None


def transient(exc: BaseException) -> api.Retry | None:
    """Throttling, brief unavailability, lost connections and stale etags: worth another try."""
    if isinstance(exc, gx.TooManyRequests | gx.ResourceExhausted):
        return api.Retry("throttled by Google", after=_retry_after(exc))
    if isinstance(exc, gx.Aborted | gx.Conflict) and not isinstance(exc, gx.AlreadyExists):
        return api.Retry("a concurrent change (stale etag)")
    if isinstance(exc, gx.MethodNotImplemented):  # 501: no retry changes that
        return None
    if isinstance(exc, gx.ServerError | gx.ServiceUnavailable | gx.DeadlineExceeded):
        return api.Retry(f"Google answered {exc.code} {type(exc).__name__}")
    if _connection_error(exc):
        return api.Retry("the connection was lost")
    return None


ERRORS = api.CloudErrors(
    transient,
    unreachable,
    "Check the network, DNS, proxy (HTTPS_PROXY, NO_PROXY) and any REGBOOT_GCP_*_ENDPOINT, then run the same command "
    "again.",
)


def _connection_error(exc: BaseException) -> bool:
    try:
        import requests
    except ImportError:  # pragma: no cover - requests comes with google-auth's transport
        return False
    return isinstance(exc, requests.ConnectionError | requests.Timeout | ConnectionError)


def _retry_after(exc: gx.GoogleAPICallError) -> float:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is not None and hasattr(headers, "get"):
        return api.retry_after(headers.get("Retry-After"))
    for detail in exc.details or ():
        delay = getattr(detail, "retry_delay", None)
        if delay is not None:
            return delay.seconds + delay.nanos / 1e9
    return 0.0


def org_policy_constraint(exc: gx.GoogleAPICallError) -> str | None:
    """The constraint named by a key-creation refusal, if that is what it is."""
    text = " ".join([str(exc.message), *(str(d) for d in exc.details or ())])
    for constraint in KEY_CONSTRAINTS:
        if constraint in text:
            return constraint
    if "Key creation is not allowed" in text:
        return KEY_CONSTRAINTS[0]
    return None


def key_file(data: bytes) -> str:
    """The key-file JSON text: raw over gRPC, base64 of it over REST; accept either."""
    text = data.decode("utf-8", errors="strict") if data[:1] == b"{" else base64.b64decode(data).decode("utf-8")
    json.loads(text)  # a key we cannot parse must not reach the platform
    return text

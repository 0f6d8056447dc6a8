"""The IAM admin v1 API (google.iam.admin.v1.IAM) on an insecure gRPC server: the wire layer over GoogleModel.

The real client has no REST transport, so this is what `IAMClient(transport=IAMGrpcTransport(channel=...))` talks to.
Methods not listed in `METHODS` answer UNIMPLEMENTED naming themselves, so nothing passes by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent import futures
from functools import partialmethod
from typing import Any, NamedTuple

import grpc
from google.cloud.iam_admin_v1 import types
from google.protobuf import empty_pb2
from google.rpc import status_pb2
from grpc_status import rpc_status

from bootstrap.sandbox.faults import CallLog, Fault
from bootstrap.sandbox.google.errors import GoogleError, code_for_http, retry_info
from bootstrap.sandbox.google.model import GoogleModel
from bootstrap.sandbox.google.records import ServiceAccount, ServiceAccountKey

SERVICE = "google.iam.admin.v1.IAM"
KeyType = types.ListServiceAccountKeysRequest.KeyType


class _Empty:
    """empty_pb2.Empty behind the proto-plus serialize/deserialize names the other messages use."""

    serialize = staticmethod(lambda message: message.SerializeToString())
    deserialize = staticmethod(empty_pb2.Empty.FromString)


class _Method(NamedTuple):
    request: Any
    response: Any
    mutating: bool


METHODS = {
    "ListServiceAccounts": _Method(types.ListServiceAccountsRequest, types.ListServiceAccountsResponse, False),
    "GetServiceAccount": _Method(types.GetServiceAccountRequest, types.ServiceAccount, False),
    "CreateServiceAccount": _Method(types.CreateServiceAccountRequest, types.ServiceAccount, True),
    "UpdateServiceAccount": _Method(types.ServiceAccount, types.ServiceAccount, True),
    "PatchServiceAccount": _Method(types.PatchServiceAccountRequest, types.ServiceAccount, True),
    "DeleteServiceAccount": _Method(types.DeleteServiceAccountRequest, _Empty, True),
    "EnableServiceAccount": _Method(types.EnableServiceAccountRequest, _Empty, True),
    "DisableServiceAccount": _Method(types.DisableServiceAccountRequest, _Empty, True),
    "ListServiceAccountKeys": _Method(types.ListServiceAccountKeysRequest, types.ListServiceAccountKeysResponse, False),
    "GetServiceAccountKey": _Method(types.GetServiceAccountKeyRequest, types.ServiceAccountKey, False),
    "CreateServiceAccountKey": _Method(types.CreateServiceAccountKeyRequest, types.ServiceAccountKey, True),
    "DeleteServiceAccountKey": _Method(types.DeleteServiceAccountKeyRequest, _Empty, True),
    "DisableServiceAccountKey": _Method(types.DisableServiceAccountKeyRequest, _Empty, True),
    "EnableServiceAccountKey": _Method(types.EnableServiceAccountKeyRequest, _Empty, True),
}


class _Router(grpc.GenericRpcHandler):
    def __init__(self, route: Callable[[str], grpc.RpcMethodHandler]) -> None:
        self._route = route

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        return self._route(handler_call_details.method)


class IamEmulator:
    """Serve METHODS from `model`, logging every call in `calls` and answering the faults queued there."""

    service = "iam"

    def __init__(self, model: GoogleModel, calls: CallLog | None = None) -> None:
        self.model = model
        self.calls = calls if calls is not None else CallLog()
        self._server: grpc.Server | None = None
        self._port = 0

    # --- lifecycle -----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "emulator not started"
        return f"http://127.0.0.1:{self._port}"

    def start(self, port: int = 0) -> str:
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="IamEmulator"))
        self._server.add_generic_rpc_handlers((_Router(self._route),))
        self._port = self._server.add_insecure_port(f"127.0.0.1:{port}")
        self._server.start()
        return self.url

    def stop(self) -> None:
        if self._server:
            self._server.stop(grace=None)
            self._server = None

    # --- dispatch ------------------------------------------------------------------------------------
    def _route(self, path: str) -> grpc.RpcMethodHandler:
        service, _, method = path.strip("/").partition("/")
        spec = METHODS.get(method) if service == SERVICE else None
        if spec is None:
            return grpc.unary_unary_rpc_method_handler(self._unimplemented(path))
        return grpc.unary_unary_rpc_method_handler(
            self._unary(method, spec),
            request_deserializer=spec.request.deserialize,
            response_serializer=spec.response.serialize,
        )

    @staticmethod
    def _unimplemented(path: str) -> Callable:
        def answer(request: bytes, context: grpc.ServicerContext) -> None:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f"regboot sandbox: the IAM emulator does not implement {path}")

        return answer

    def _unary(self, method: str, spec: _Method) -> Callable:
        handler = getattr(self, "_" + method)

        def answer(request: Any, context: grpc.ServicerContext) -> Any:
            resource = request.service_account.name if method == "PatchServiceAccount" else request.name
            fault = self.calls.arrive(self.service, f"iam.{method}", mutating=spec.mutating, resource=resource)
            kind = fault.kind if fault else ""
            try:
                if fault is not None and kind in ("error", "reset"):
                    raise _fault_error(fault)
                if spec.mutating:
                    self.model.charge_write(resource)
                if kind == "conflict" and method == "CreateServiceAccount":
                    return handler(request, False, conflict=True)  # the id was taken a moment ago
                if fault is not None and kind == "conflict":
                    raise GoogleError("ABORTED", fault.message)  # no etag or id to race on: the generic refusal
                self.model.require_service("iam.googleapis.com", resource)
                answered = handler(request, kind == "not_visible")
                return empty_pb2.Empty() if spec.response is _Empty else answered
            except GoogleError as error:
                _abort(context, error)

        return answer

    # --- service accounts ----------------------------------------------------------------------------
    # Each handler gets the request and whether a `not_visible` fault hides the account it names; one whose method
    # answers Empty returns nothing.
    def _ListServiceAccounts(self, request: Any, hidden: bool) -> Any:
        found, token = self.model.list_service_accounts(
            request.name, request.page_size, request.page_token, not_visible=hidden
        )
        return types.ListServiceAccountsResponse(accounts=[_account(a) for a in found], next_page_token=token)

    def _GetServiceAccount(self, request: Any, hidden: bool) -> Any:
        return _account(self.model.get_service_account(request.name, not_visible=hidden))

    def _CreateServiceAccount(self, request: Any, hidden: bool, *, conflict: bool = False) -> Any:
        given = request.service_account
        account = self.model.create_service_account(
            request.name,
            request.account_id,
            display_name=given.display_name,
            description=given.description,
            conflict=conflict,
        )
        return _account(account)

    def _UpdateServiceAccount(self, request: Any, hidden: bool) -> Any:
        # The deprecated Update changes only display_name (the API's own documentation says so).
        fields = {"display_name": request.display_name}
        return _account(self.model.patch_service_account(request.name, fields, ["display_name"], not_visible=hidden))

    def _PatchServiceAccount(self, request: Any, hidden: bool) -> Any:
        given = request.service_account
        fields = {"display_name": given.display_name, "description": given.description}
        paths = request.update_mask.paths
        return _account(self.model.patch_service_account(given.name, fields, paths, not_visible=hidden))

    def _on_named(self, call: Callable[..., None], request: Any, hidden: bool, **args: bool) -> None:
        """A method that answers Empty: one model call on the account or key the request names."""
        call(self.model, request.name, not_visible=hidden, **args)

    _DeleteServiceAccount = partialmethod(_on_named, GoogleModel.delete_service_account)
    _EnableServiceAccount = partialmethod(_on_named, GoogleModel.set_service_account_disabled, disabled=False)
    _DisableServiceAccount = partialmethod(_on_named, GoogleModel.set_service_account_disabled, disabled=True)

    # --- keys ----------------------------------------------------------------------------------------
    def _ListServiceAccountKeys(self, request: Any, hidden: bool) -> Any:
        kinds = [KeyType(t).name for t in request.key_types if t != KeyType.KEY_TYPE_UNSPECIFIED]
        keys = self.model.list_keys(request.name, kinds, not_visible=hidden)
        return types.ListServiceAccountKeysResponse(keys=[_key(k) for k in keys])

    def _GetServiceAccountKey(self, request: Any, hidden: bool) -> Any:
        return _key(self.model.get_key(request.name, not_visible=hidden))

    def _CreateServiceAccountKey(self, request: Any, hidden: bool) -> Any:
        if request.private_key_type == types.ServiceAccountPrivateKeyType.TYPE_PKCS12_FILE:
            raise GoogleError("UNIMPLEMENTED", "regboot sandbox: only TYPE_GOOGLE_CREDENTIALS_FILE keys are emulated")
        key = self.model.create_key(request.name, not_visible=hidden)
        # Over gRPC private_key_data is the key file itself (over REST it would be base64 of it).
        return _key(key, private_key_data=key.private_key_data.encode())

    _DeleteServiceAccountKey = partialmethod(_on_named, GoogleModel.delete_key)
    _DisableServiceAccountKey = partialmethod(_on_named, GoogleModel.set_key_disabled, disabled=True)
    _EnableServiceAccountKey = partialmethod(_on_named, GoogleModel.set_key_disabled, disabled=False)


# --- rendering ---------------------------------------------------------------------------------------
def _account(account: ServiceAccount) -> types.ServiceAccount:
    return types.ServiceAccount(
        name=account.name,
        project_id=account.project,
        unique_id=account.unique_id,
        email=account.email,
        display_name=account.display_name,
        description=account.description,
        oauth2_client_id=account.unique_id,
        disabled=account.disabled,
        etag=b"MDEwMjE5MjA=",  # deprecated and constant in the real API too
    )


def _key(key: ServiceAccountKey, *, private_key_data: bytes = b"") -> types.ServiceAccountKey:
    return types.ServiceAccountKey(
        name=key.name,
        private_key_type=types.ServiceAccountPrivateKeyType.TYPE_GOOGLE_CREDENTIALS_FILE if private_key_data else 0,
        key_algorithm=types.ServiceAccountKeyAlgorithm.KEY_ALG_RSA_2048,
        private_key_data=private_key_data,
        valid_after_time=key.valid_after,
        valid_before_time=key.valid_before,
        key_origin=types.ServiceAccountKeyOrigin.GOOGLE_PROVIDED,
        key_type=getattr(KeyType, key.key_type),  # by member name (proto-plus enums look unsubscriptable to mypy)
        disabled=key.disabled,
    )


def _fault_error(fault: Fault) -> GoogleError:
    if fault.kind == "reset":
        # A generic handler cannot reach the socket; UNAVAILABLE is what a client sees for a reset connection.
        return GoogleError("UNAVAILABLE", "Connection reset by peer")
    code = code_for_http(fault.status)
    return GoogleError(code, fault.message, [retry_info(fault.retry_after)] if fault.retry_after is not None else [])


def _abort(context: grpc.ServicerContext, error: GoogleError) -> None:
    status = status_pb2.Status(code=grpc.StatusCode[error.code].value[0], message=error.message)
    for detail in error.details:
        status.details.add().Pack(detail)
    # grpc-status-details-bin carries the details: the client library puts them in the exception's .details.
    context.abort_with_status(rpc_status.to_status(status))

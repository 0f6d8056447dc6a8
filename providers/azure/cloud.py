"""The Azure APIs regboot calls: ARM (registries, role assignments, permissions) and Microsoft Graph (apps,
service principals, passwords). Imported only when the acr provider runs.

Graph's SDK is async only and its HTTP pool belongs to one event loop, so this class owns a private loop and
runs every Graph call on it. Tokens are always asked for the cloud's own audiences, even when an endpoint is
overridden (sovereign clouds, emulators).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, Unpack

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.core.pipeline.policies import HTTPPolicy, SansIOHTTPPolicy

from bootstrap import api
from providers.azure.graph import Graph
from providers.azure.network import NETWORK_FIX, first_line, unreachable
from providers.azure.targets import Cloud, token_scope
from providers.unhandled import unhandled

T = TypeVar("T")
# 409s that say the thing is already there: an answer to act on, not a race to retry.
EXISTS = {"RoleAssignmentExists", "Request_MultipleObjectsWithSameKeyValue", "ObjectConflict"}
UNREGISTERED = "MissingSubscriptionRegistration"  # a 409 that stays until someone registers the namespace
LOGIN_FIX = (
    "Run `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET for a service principal, "
    "or run where a managed identity is assigned."
)


class _AllowLoopbackHttp(SansIOHTTPPolicy):
    """ARM clients refuse to send a bearer token over http; an emulator on loopback is plain http."""

    def on_request(self, request: Any) -> None:
        request.context["enforce_https"] = False


def _netloc(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc


class _NoProviderRegistration(HTTPPolicy):
    """azure-mgmt-core answers 409 MissingSubscriptionRegistration by registering the namespace for the subscription
    (a write regboot never asked for, before its preflight passed) and then polls every 10 s with no deadline.
    Placed after the retry policy, nearer the wire than that one, this raises the 409 before it can act."""

    def send(self, request: Any) -> Any:
        response = self.next.send(request)
        if response.http_response.status_code == 409:
            from azure.mgmt.core.exceptions import ARMErrorFormat

            refused = HttpResponseError(response=response.http_response, error_format=ARMErrorFormat)
            if code_of(refused) == UNREGISTERED:
                raise refused
        return response


class _ToDebug(logging.Handler):
    """azure-identity logs a failed credential chain at WARNING, several lines long. No handler is configured for
    it, so Python's last-resort handler printed it to stderr ahead of regboot's own one-line error; it is kept
    for --debug instead. (Only WARNING and above reach here: the `azure` loggers stay at WARNING.)"""

    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger("regboot").debug("azure-identity: %s", record.getMessage())


def _identity_logs_to_debug() -> None:
    identity = logging.getLogger("azure.identity")
    if not any(isinstance(h, _ToDebug) for h in identity.handlers):
        identity.addHandler(_ToDebug())
    identity.propagate = False


class _CachedCredential:
    """Graph's SDK asks for a token on every request, and AzureCliCredential runs `az` each time (a second or
    more): keep each audience's token until shortly before it expires."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self._tokens: dict[tuple[str, ...], Any] = {}

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        import time

        key = tuple(scopes)
        token = self._tokens.get(key)
        if token is None or token.expires_on - 300 < time.time() or kwargs.get("claims"):
            token = self._tokens[key] = self.inner.get_token(*scopes, **kwargs)
        return token

    def close(self) -> None:
        self.inner.close()


class Azure:
    """Clients for one target, made lazily and sharing one credential."""

    def __init__(self, cloud: Cloud, subscription: str, settings: api.Settings, ui: api.Ui) -> None:
        self.cloud = cloud
        self.subscription = subscription
        self.settings = settings
        self.ui = ui
        self.timeout = settings.call_timeout  # every request gets it: a hung call fails (and is retried) in time
        arm = settings.endpoint("REGBOOT_AZURE_ARM_ENDPOINT", cloud.arm)
        graph = settings.endpoint("REGBOOT_AZURE_GRAPH_ENDPOINT", cloud.graph)
        assert arm and graph  # the cloud's defaults are always set
        self.arm_url, self._arm_plain, self.graph_url = arm.url, arm.plain, graph.url
        self._credential: Any = None
        self._clients: dict[str, Any] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def close(self) -> None:
        if self._loop is not None:
            self._loop.close()
            self._loop = None

    # --- clients ------------------------------------------------------------------------------------------
    @property
    def credential(self) -> Any:
        if self._credential is None:
            from azure.identity import DefaultAzureCredential

            _identity_logs_to_debug()
            self._credential = _CachedCredential(
                DefaultAzureCredential(authority=self.cloud.authority, exclude_interactive_browser_credential=True)
            )
        return self._credential

    def _arm(self, key: str, cls: Any, subscription: str | None = None) -> Any:
        subscription = subscription or self.subscription
        key = f"{key} {subscription}"
        if key not in self._clients:
            policies = [_AllowLoopbackHttp()] if self._arm_plain else []
            self._clients[key] = cls(
                self.credential,
                subscription,
                base_url=self.arm_url,
                credential_scopes=[token_scope(self.cloud.arm)],
                per_call_policies=policies,
                per_retry_policies=[_NoProviderRegistration()],
                connection_timeout=self.timeout,
                read_timeout=self.timeout,
                retry_total=0,  # `arm()` retries, honouring Retry-After: one waiting mechanism, not two nested
            )
        return self._clients[key]

    def subscriptions(self) -> list[tuple[str, str]]:
        """(id, display name) of every subscription the credential can list (ARM's Subscriptions - List)."""
        from providers.azure import registries

        return self.arm("your subscriptions", lambda: registries.subscriptions(self))

    def cli_default_subscription(self) -> str | None:
        """The az CLI's default subscription, when az is the credential in use (`az account show`); else None."""
        import json
        import shutil
        import subprocess

        _auth(lambda: self.credential.get_token(token_scope(self.cloud.arm)))  # which credential answers is known after
        used = getattr(self.credential.inner, "_successful_credential", None)  # azure-identity sets it; no API does
        az = shutil.which("az", path=self.settings.env.get("PATH"))
        if type(used).__name__ != "AzureCliCredential" or az is None:
            return None
        try:
            shown = subprocess.run(
                [az, "account", "show", "--output", "json"],
                capture_output=True,
                text=True,
                timeout=self.timeout,
                env=dict(self.settings.env),
                check=True,
            )
            return str(json.loads(shown.stdout)["id"]).lower()
        except (OSError, subprocess.SubprocessError, ValueError, KeyError):
            return None  # then every listed subscription is searched

    @property
    def authorization(self) -> Any:
        return self.authorization_in(self.subscription)

    def authorization_in(self, subscription: str) -> Any:
        from azure.mgmt.authorization import AuthorizationManagementClient

        return self._arm("authz", AuthorizationManagementClient, subscription)

    def arm_pipeline(self, subscription: str) -> Any:
        """The authorization client's pipeline (this credential, timeouts and policies), for the plain GETs of
        providers/azure/registries.py: any management client's would do, and this one is loaded anyway. `_client`
        is the ARMPipelineClient every generated Azure client keeps; its multi-API client has no `send_request`."""
        return self.authorization_in(subscription)._client

    async def _graph(self) -> Graph:
        if "graph" not in self._clients:
            import httpx
            from kiota_abstractions.api_client_builder import register_default_deserializer
            from kiota_authentication_azure.azure_identity_authentication_provider import (
                AzureIdentityAuthenticationProvider,
            )
            from kiota_http.middleware.options import RetryHandlerOption
            from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
            from kiota_serialization_text.text_parse_node_factory import TextParseNodeFactory
            from msgraph.graph_request_adapter import GraphRequestAdapter, options
            from msgraph_core import GraphClientFactory

            # The readers GraphServiceClient would register: the adapter parses Graph's errors (ODataError) with them.
            register_default_deserializer(JsonParseNodeFactory)
            register_default_deserializer(TextParseNodeFactory)

            # What GraphServiceClient builds by itself, but with our timeout instead of kiota's 100 s, and without
            # kiota's retries (3 s apart): `graph()` retries, so there is one waiting mechanism, not two nested.
            no_retry = {RetryHandlerOption.get_key(): RetryHandlerOption(should_retry=False)}
            http = GraphClientFactory.create_with_default_middleware(
                client=httpx.AsyncClient(timeout=httpx.Timeout(self.timeout), http2=True),
                options={**options, **no_retry},
            )
            auth = AzureIdentityAuthenticationProvider(self.credential, scopes=[token_scope(self.cloud.graph)])
            adapter = GraphRequestAdapter(auth, client=http)
            adapter.base_url = f"{self.graph_url}/v1.0"
            self._clients["graph"] = Graph(adapter)
        return self._clients["graph"]

    # --- calls ----------------------------------------------------------------------------------------------
    def arm(
        self,
        what: str,
        fn: Callable[[], T],
        *,
        allow: Callable[[Exception], bool] = lambda err: False,
        **attempts: Unpack[api.Attempts],
    ) -> T:
        """One ARM call, retried while Azure throttles, is briefly unavailable, or `not_yet` says so.

        Azure's errors that `allow` accepts reach the caller as they are, for it to act on; any other becomes a
        domain error naming `what` (else it would surface as an internal error)."""
        return self._answer(what, _netloc(self.arm_url), lambda: _auth(fn), allow, attempts)

    def graph(
        self,
        what: str,
        story: Callable[[Graph], Awaitable[T]],
        *,
        allow: Callable[[Exception], bool] = lambda err: False,
        **attempts: Unpack[api.Attempts],
    ) -> T:
        """Run `story(client)` on the private loop, retried and its errors turned into domain errors like `arm()`."""
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        loop = self._loop

        async def once() -> T:
            return await story(await self._graph())

        call = lambda: _auth(lambda: loop.run_until_complete(once()))  # noqa: E731
        return self._answer(what, _netloc(self.graph_url), call, allow, attempts)

    def _answer(
        self,
        what: str,
        host: str,
        call: Callable[[], T],
        allow: Callable[[Exception], bool],
        attempts: api.Attempts,
    ) -> T:
        def refused(err: Exception) -> Exception | None:
            return None if status_of(err) is None or allow(err) else refusal(err, what, self.subscription)

        return api.cloud_call(
            call,
            what=what,
            errors=ERRORS,
            host=lambda err: host,
            refusal=refused,
            ui=self.ui,
            clock=self.settings.clock,
            **attempts,
        )


def _auth(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except ClientAuthenticationError as err:
        if err.response is not None:
            raise  # an API answered 401/403; the caller maps it
        cause = unreachable(err)
        if cause:  # az (or another credential) could not reach the login endpoint: not a login problem
            host = re.search(r"host='([^']+)'", str(err))
            raise api.OperationError(
                f"cannot reach {host.group(1) if host else 'the Azure login endpoint'} for a token: {cause}",
                fix=NETWORK_FIX,
                code="unreachable",
            ) from None
        raise api.PreconditionError(
            f"no usable Azure credentials: {_attempts(err)}", fix=LOGIN_FIX, code="no_credentials"
        ) from None


def _attempts(err: BaseException) -> str:
    """What DefaultAzureCredential's multi-line failure says, as one line: each credential tried and its answer."""
    tried = re.findall(r"^\s*(\w+Credential): (.+)$", str(err), re.MULTILINE)
    if not tried:
        return first_line(err)
    return "tried " + "; ".join(f"{name} ({' '.join(why.split())[:120]})" for name, why in tried)[:400]


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of an ARM or Graph error."""
    if isinstance(exc, HttpResponseError):
        return exc.status_code
    return getattr(exc, "response_status_code", None)


def code_of(exc: BaseException) -> str:
    """The service's error code: ARM's `error.code` or Graph's OData `error.code`."""
    if isinstance(exc, HttpResponseError):
        return getattr(exc.error, "code", None) or ""
    error = getattr(exc, "error", None)
    return getattr(error, "code", None) or ""


def refusal(err: BaseException, what: str, subscription: str = "") -> api.RegbootError:
    """An Azure error nobody handled, as a domain error: what was refused and why, in one line."""
    status, code = status_of(err), code_of(err)
    reason = " ".join(message_of(err).split())
    if code == UNREGISTERED:
        namespace = unregistered_namespace(err)
        return api.PreconditionError(
            f"subscription {subscription} is not registered for the resource provider {namespace}",
            fix=f"Run `az provider register --namespace {namespace} --subscription {subscription}` "
            "(it takes a minute or two), then run regboot again.",
            code="provider_not_registered",
        )
    return unhandled(
        "Azure",
        what,
        reason,
        denied=status in (401, 403),
        answer=f"{status}{f' {code}' if code else ''}",
        denied_fix="Check your role on the registry and your directory permissions (see docs/providers/azure.md).",
        status_page="Azure",
    )


def unregistered_namespace(err: BaseException) -> str:
    """The namespace a MissingSubscriptionRegistration names: `details[].target`, else the message's quoted name."""
    details = getattr(getattr(err, "error", None), "details", None) or []
    target = next((d.target for d in details if getattr(d, "target", None)), None)
    quoted = re.search(r"namespace '([^']+)'", message_of(err))
    return target or (quoted.group(1) if quoted else "Microsoft.ContainerRegistry")


def message_of(exc: BaseException) -> str:
    if isinstance(exc, HttpResponseError):
        return getattr(exc.error, "message", None) or first_line(exc)
    error = getattr(exc, "error", None)
    return getattr(error, "message", None) or first_line(exc)


def transient(exc: BaseException) -> api.Retry | None:
    status = status_of(exc)
    if status == 429:
        headers = getattr(getattr(exc, "response", None), "headers", None) or getattr(exc, "response_headers", None)
        after = api.retry_after(headers.get("Retry-After")) if headers is not None and hasattr(headers, "get") else 0.0
        return api.Retry("throttled by Azure", after=after)
    if status is not None and status >= 500 and status not in (501, 505):  # those two never change
        return api.Retry(f"Azure answered {status}")
    if status == 409 and code_of(exc) not in EXISTS | {UNREGISTERED}:
        return api.Retry("a concurrent change (409 Conflict)")
    if isinstance(exc, ServiceRequestError | ServiceResponseError | ConnectionError):
        return api.Retry("the connection was lost")
    try:
        import httpx
    except ImportError:  # pragma: no cover - msgraph brings httpx
        return None
    if isinstance(exc, httpx.TransportError):
        return api.Retry("the connection was lost")
    return None


ERRORS = api.CloudErrors(transient, unreachable, NETWORK_FIX)

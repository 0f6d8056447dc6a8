"""A Docker registry's v2 auth surface on 127.0.0.1: `/v2/`, a token endpoint and `/v2/<name>/tags/list`.

Who may pull is not this module's business: an `authorize(username, password, repository)` callable answers with
a `Decision`, so the Google and Azure emulators can plug in "an enabled key of an account bound to a read role on
that repository". What it does model is how registries answer: Bearer or Basic challenges, tokens under `token` or
`access_token`, redirects, and a propagation delay before a new credential works.

    registry = RegistryEmulator(Accounts().add("bot", "s3cret", repositories={"team/app"}).authorize)
    registry.propagation = 2.0  # a new credential is refused for its first 2 s
    registry.challenge = "basic"  # or "bearer"; `header` overrides the WWW-Authenticate text entirely
    url = registry.start()  # regboot verifies against it with REGBOOT_REGISTRY_ENDPOINT=url

`quote_authorization = True` makes every refusal quote the Authorization header it was sent ("... for Basic
dXNlcjpwYXNz"): not what a registry should do, but what a careless one or a proxy in front of it may, so tests can
check the header's base64(username:password) never reaches regboot's output.

Operation names for faults: `registry.ping`, `registry.token`, `registry.tags`. Besides error/reset/delay, a
`not_visible` fault makes that one request see the credential (token, Basic reads) or its pull grant (tags with a
token) as not propagated yet.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from bootstrap.sandbox.faults import CallLog
from bootstrap.sandbox.http import HttpEmulator, HttpError, Request, Response, route

_MOVED = "x-sandbox-moved"  # marks a request served after a redirect, so it is not redirected again


@dataclass(frozen=True)
class Decision:
    """What the registry's cloud says about one credential: is it live, may it pull the repository named (with
    none named, any answer), and since when, on the emulator's clock, that has been so."""

    authenticated: bool
    pull: bool = False
    since: float = float("-inf")


Authorize = Callable[[str, str, str | None], Decision]


@dataclass
class Accounts:
    """The simplest authoriser: usernames with a password, each allowed to pull some repositories (None: all)."""

    clock: Callable[[], float] = time.monotonic
    users: dict[str, tuple[str, set[str] | None, float]] = field(default_factory=dict)

    def add(self, username: str, password: str, *, repositories: set[str] | None = None) -> Accounts:
        self.users[username] = (password, repositories, self.clock())
        return self

    def authorize(self, username: str, password: str, repository: str | None) -> Decision:
        known = self.users.get(username)
        if known is None or not secrets.compare_digest(known[0].encode(), password.encode()):
            return Decision(False)
        allowed = known[1]
        return Decision(True, repository is None or allowed is None or repository in allowed, known[2])


@dataclass
class _Token:
    username: str
    repository: str | None  # the scope it was issued for
    pull: bool


class RegistryEmulator(HttpEmulator):
    """One registry. Settings are plain attributes a test changes between calls."""

    service = "registry"

    def __init__(
        self,
        authorize: Authorize,
        *,
        calls: CallLog | None = None,
        service_name: str = "registry.sandbox",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(calls)
        self.authorize_credential = authorize
        self.service_name = service_name  # the Bearer challenge's `service`
        self.clock = clock
        self._lock = threading.Lock()
        self._own_calls = calls is None  # a log shared with a cloud emulator is that emulator's to clear
        self.reset()

    def reset(self, authorize: Authorize | None = None) -> None:
        """Back to defaults: no tokens, no repositories, an empty log; optionally a new authoriser."""
        self.authorize_credential = authorize or self.authorize_credential
        self.propagation = 0.0  # seconds after Decision.since before a credential works
        # "bearer", "basic", "none" (anonymous pulls) or "open-ping" (an open /v2/, Bearer on the repositories)
        self.challenge = "bearer"
        self.header: str | None = None  # the exact WWW-Authenticate to send instead; "" sends none
        self.token_key = "token"  # "token", "access_token" or "both"
        self.realm_host: str | None = None  # serve the realm under another host name, e.g. "localhost"
        self.redirects: dict[str, str] = {}  # operation -> "same" or "other" host: answer 307 to /moved/...
        self.repositories: dict[str, list[str]] = {}  # name -> tags; a name not here answers NAME_UNKNOWN
        # Sign the tokens instead, for a server that checks them itself (a real registry in token-auth mode).
        self.issue: Callable[[str, str | None, bool], str] | None = None
        self.seen: list[dict[str, str]] = []  # every request's path, host and Authorization scheme, for tests
        self.quote_authorization = False  # a careless registry: refusals echo the Authorization header
        with self._lock:
            self._tokens: dict[str, _Token] = {}
        if self._own_calls:
            self.calls.clear()

    def error_body(self, error: HttpError) -> Any:
        return {"errors": [{"code": error.code or "UNKNOWN", "message": error.message, "detail": error.details}]}

    # --- routes ------------------------------------------------------------------------------------
    @route("GET", "/v2/", "registry.ping")
    def ping(self, request: Request) -> Response:
        self._note(request)
        self._redirect(request, "registry.ping")
        kind, value = _authorization(request)
        if self.challenge in ("none", "open-ping") or (kind == "bearer" and self._token(value) is not None):
            return Response(200, {})
        if kind == "basic" and self.challenge == "basic" and self._basic(value, None).authenticated:
            return Response(200, {})
        raise self._unauthorized("authentication required", request)

    @route("GET", "/v2/token", "registry.token")
    def token(self, request: Request) -> Response:
        self._note(request)
        self._redirect(request, "registry.token")
        kind, value = _authorization(request)
        if kind != "basic":
            raise HttpError(401, "basic credentials required", code="UNAUTHORIZED")
        repository = _pull_scope(request.query.get("scope", ""))
        decision = self._basic(value, repository, lagging=_lagging(request))
        if not decision.authenticated:
            raise HttpError(401, self._quoting("authentication failed", request), code="UNAUTHORIZED")
        # Like real token servers, a credential without access still gets a token: with no pull in it.
        if self.issue:
            token = self.issue(_username(value), repository, decision.pull)
        else:
            token = secrets.token_urlsafe(24)
            with self._lock:
                self._tokens[token] = _Token(_username(value), repository, decision.pull)
        keys = ("token", "access_token") if self.token_key == "both" else (self.token_key,)
        return Response(200, {**dict.fromkeys(keys, token), "expires_in": 300})

    @route("GET", "/v2/{name:path}/tags/list", "registry.tags")
    def tags(self, request: Request, name: str) -> Response:
        self._note(request)
        self._redirect(request, "registry.tags")
        kind, value = _authorization(request)
        if self.challenge == "none":  # an open registry: anyone pulls
            allowed = True
        elif kind == "bearer":
            token = self._token(value)
            if token is None:
                raise self._unauthorized("authentication required", request, scope=name, error="invalid_token")
            allowed = token.pull and token.repository == name and not _lagging(request)
        elif kind == "basic" and self.challenge == "basic":
            decision = self._basic(value, name, lagging=_lagging(request))
            if not decision.authenticated:
                raise self._unauthorized("authentication required", request, scope=name)
            allowed = decision.pull
        else:
            raise self._unauthorized("authentication required", request, scope=name)
        if not allowed:
            raise HttpError(403, "requested access to the resource is denied", code="DENIED")
        if name not in self.repositories:
            raise HttpError(404, "repository name not known to registry", code="NAME_UNKNOWN", details={"name": name})
        return Response(200, {"name": name, "tags": self.repositories[name]})

    @route("GET", "/moved/{rest:path}", "registry.moved")
    def moved(self, request: Request, rest: str) -> Any:
        """Where a redirect lands: serve the original route, never redirecting twice."""
        headers = {**request.headers, _MOVED: "1"}
        original = Request(request.method, "/" + rest, request.query, headers, request.body)
        found = self._match(original)
        if found is None:
            raise HttpError(404, f"nothing was moved to {request.path}", code="NAME_UNKNOWN")
        target, original.params = found
        return target.handler(original, **original.params)

    # --- the model -----------------------------------------------------------------------------------
    def _basic(self, value: str, repository: str | None, *, lagging: bool = False) -> Decision:
        try:
            username, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        except ValueError:
            return Decision(False)
        decision = self.authorize_credential(username, password, repository)
        if decision.authenticated and (lagging or self.clock() < decision.since + self.propagation):
            return Decision(False)  # not propagated yet: the registry does not know this credential
        return decision

    def _token(self, value: str) -> _Token | None:
        with self._lock:
            return self._tokens.get(value)

    def _unauthorized(self, message: str, request: Request, *, scope: str = "", error: str = "") -> HttpError:
        headers = {}
        if self.header is not None:
            if self.header:
                headers["WWW-Authenticate"] = self.header
        elif self.challenge == "basic":
            headers["WWW-Authenticate"] = 'Basic realm="regboot sandbox registry"'
        else:
            realm = f"{self._origin(request, self.realm_host)}/v2/token"
            params = [f'realm="{realm}"', f'service="{self.service_name}"']
            params += [f'scope="repository:{scope}:pull"'] if scope else []
            params += [f'error="{error}"'] if error else []
            headers["WWW-Authenticate"] = "Bearer " + ",".join(params)
        return HttpError(401, self._quoting(message, request), code="UNAUTHORIZED", headers=headers)

    def _quoting(self, message: str, request: Request) -> str:
        sent = request.header("authorization")
        return f"{message} for {sent}" if self.quote_authorization and sent else message

    def _redirect(self, request: Request, operation: str) -> None:
        where = self.redirects.get(operation)
        if where is None or request.header(_MOVED):
            return
        # 127.0.0.1 and localhost are one server but two origins: "other" tests that credentials stay behind.
        host = self._origin(request, "localhost" if where == "other" else None)
        query = urlencode(request.query)
        location = f"{host}/moved{request.path}" + (f"?{query}" if query else "")
        raise HttpError(307, "moved", code="MOVED", headers={"Location": location})

    def _origin(self, request: Request, host: str | None) -> str:
        own = urlsplit(self.url)
        current = request.header("host").rsplit(":", 1)[0] or "127.0.0.1"
        return f"{own.scheme}://{host or current}:{own.port}"

    def _note(self, request: Request) -> None:
        kind, _ = _authorization(request)
        path = f"/moved{request.path}" if request.header(_MOVED) else request.path
        self.seen.append({"path": path, "host": request.header("host"), "auth": kind})


def _lagging(request: Request) -> bool:
    """A `not_visible` fault: this request sees a credential or grant that has not propagated yet."""
    return request.fault is not None and request.fault.kind == "not_visible"


def _authorization(request: Request) -> tuple[str, str]:
    kind, _, value = request.header("authorization").partition(" ")
    return kind.lower(), value.strip()


def _username(basic: str) -> str:
    return base64.b64decode(basic).decode().partition(":")[0]


def _pull_scope(scope: str) -> str | None:
    """The repository of a `repository:<name>:pull` scope (the first one, if several are asked for)."""
    for item in scope.split():
        kind, _, rest = item.partition(":")
        name, _, actions = rest.rpartition(":")
        if kind == "repository" and "pull" in actions.split(","):
            return name
    return None

"""One pass of the registry v2 auth flow over httpx, every answer sorted into passed, denied, busy or never.

`GET /v2/`, answer its challenge (a Bearer token from the realm, or Basic), then one authorised read. The
password goes only to the realm (Bearer) or the registry (Basic), and never across a redirect to another host.
"""

from __future__ import annotations

import base64
import functools
import socket
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import httpx

from bootstrap import __version__
from bootstrap.credentials import scrub
from bootstrap.errors import OperationError, VerificationError
from bootstrap.server import Server
from bootstrap.verify.challenge import Challenge, parse, pick
from bootstrap.waiting import retry_after

if TYPE_CHECKING:
    from bootstrap.credentials import RegistryCredential
    from bootstrap.verify import VerifyTarget

MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)
_OPEN = "the registry asked for no credential, so it was not checked"
_BUSY = (429, 500, 502, 503, 504)  # worth waiting for; a 501 or a 4xx will not change


@dataclass(frozen=True)
class Passed:
    scheme: str
    note: str = ""


class Denied(VerificationError):
    """The registry refused: final for a static credential, "not yet" while a new one propagates."""

    def __init__(self, message: str, *, reason: str, fix: str, access: bool = False) -> None:
        super().__init__(message, fix=fix)
        self.reason = reason
        self.access = access  # the credential was accepted, the pull was not: a grant, not a password, is missing


class Busy(OperationError):
    """The registry throttles or fails (429, 5xx, a dropped connection): worth another try."""

    def __init__(self, message: str, *, retry_after: float = 0.0) -> None:
        super().__init__(message, fix="The registry may be having trouble; try again later.", code="registry_busy")
        self.retry_after = retry_after


def check(
    target: VerifyTarget,
    credential: RegistryCredential,
    base: str,
    *,
    timeout: float = 15.0,
    ca: tuple[str | None, str | None] = (None, None),
) -> Passed:
    """One attempt, each request bounded by `timeout` seconds; raises Denied, Busy, VerificationError (never) or
    OperationError (unreachable). `ca`: the CA settings (SSL_CERT_FILE, SSL_CERT_DIR) the TLS context is made for."""
    headers = {"User-Agent": f"regboot/{__version__}"}
    limits = httpx.Timeout(timeout, connect=min(timeout, 5.0))
    tls = _tls(*ca)
    with httpx.Client(timeout=limits, follow_redirects=False, headers=headers, verify=tls) as client:
        return _Flow(client, target, credential, base).run()


@functools.cache
def _tls(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    """httpx's own context for the CA settings given (it reads them from the environment), made once: loading a
    CA bundle costs tens of milliseconds of CPU, and a verification that waits for a grant makes many passes."""
    return httpx.create_ssl_context()


class _Flow:
    def __init__(self, client: httpx.Client, target: VerifyTarget, credential: RegistryCredential, base: str):
        self.client, self.target, self.credential, self.base = client, target, credential, base.rstrip("/")
        self.host = Server.parse(target.server).netloc

    def run(self) -> Passed:
        step, probe = "GET /v2/", self.get(f"{self.base}/v2/")
        if probe.status_code == 200:
            if not self.target.repository:
                return Passed("none", _OPEN)
            # an open /v2/ may still guard its repositories: ask the read for its challenge
            step, probe = f"GET /v2/{self.target.repository}/tags/list", self.get(self.read_url())
            if probe.status_code in (200, 404):
                return Passed("none", _OPEN)
        if probe.status_code != 401:
            raise self.unexpected(probe, step)
        challenge = pick(parse(probe.headers.get_list("www-authenticate")))
        if challenge is None:
            raise self.malformed(f"answered 401 to {step} without a Bearer or Basic challenge")
        authorization = self.basic() if challenge.scheme == "basic" else f"Bearer {self.token(challenge)}"
        if self.target.repository:
            note = self.judge_read(self.get(self.read_url(), authorization=authorization), challenge.scheme)
        else:  # no repository known: proving the login is all a read of /v2/ can do
            note = self.judge_login(self.get(f"{self.base}/v2/", authorization=authorization))
        return Passed(challenge.scheme, note)

    # --- the steps ---------------------------------------------------------------------------------
    def token(self, challenge: Challenge) -> str:
        realm = self.route(urljoin(f"{self.base}/v2/", challenge.params.get("realm", "")))
        parts = urlsplit(realm)
        usable = challenge.params.get("realm") and parts.scheme in ("http", "https") and parts.hostname
        if not usable or any(c.isspace() for c in realm):
            raise self.malformed("sent a Bearer challenge without a usable realm")
        if parts.scheme == "http" and self.base.startswith("https:"):  # the password would travel in clear
            raise self.malformed(f"asks for the password over plain http ({parts.netloc}); refusing to send it")
        params = {"account": self.credential.username}
        if challenge.params.get("service"):
            params["service"] = challenge.params["service"]
        if self.target.repository:
            params["scope"] = f"repository:{self.target.repository}:pull"
        answer = self.get(realm, authorization=self.basic(), params=params)
        if answer.status_code in (401, 403):
            raise self.denied(answer, "the token endpoint", "Check the username and the password or key.")
        if answer.status_code != 200:
            raise self.unexpected(answer, "the token request")
        try:
            body = answer.json()
        except ValueError:
            body = None
        token = (body.get("token") or body.get("access_token")) if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise self.malformed("answered the token request without a token")
        return token

    def judge_read(self, answer: httpx.Response, scheme: str) -> str:
        repository = self.target.repository
        if answer.status_code == 200:
            return ""
        if answer.status_code == 404:  # access was granted before the name was looked up
            return f"repository {repository} has no images yet"
        if answer.status_code in (401, 403):
            if scheme == "basic" and answer.status_code == 401:  # Basic: 401 is the password, 403 the access
                raise self.denied(answer, f"a read of {repository}", "Check the username and the password or key.")
            raise self.denied(
                answer,
                f"a read of {repository}",
                f"Check that {self.credential.username} may pull {repository}.",
                access=True,
            )
        raise self.unexpected(answer, f"GET /v2/{repository}/tags/list")

    def judge_login(self, answer: httpx.Response) -> str:
        if answer.status_code == 200:
            return ""
        if answer.status_code in (401, 403):
            raise self.denied(answer, "the login", "Check the username and the password or key.")
        raise self.unexpected(answer, "GET /v2/ with the credential")

    def basic(self) -> str:
        pair = f"{self.credential.username}:{self.credential.password.reveal()}"
        return "Basic " + base64.b64encode(pair.encode()).decode()

    def read_url(self) -> str:
        return f"{self.base}/v2/{self.target.repository}/tags/list"

    # --- HTTP --------------------------------------------------------------------------------------
    def get(self, url: str, *, authorization: str = "", params: dict[str, str] | None = None) -> httpx.Response:
        """GET, following redirects; the credential goes only to the first URL's origin (scheme, host, port)."""
        origin = _origin(url)
        for _ in range(MAX_REDIRECTS + 1):
            headers = {"Authorization": authorization} if authorization and _origin(url) == origin else {}
            try:
                answer = self.client.get(url, params=params, headers=headers)
            except httpx.HTTPError as exc:
                raise self.unreachable(exc, url) from None  # from None: httpx keeps the request, Authorization too
            location = answer.headers.get("location")
            if answer.status_code not in _REDIRECTS or not location:
                if answer.status_code in _BUSY:
                    raise Busy(
                        f"{self.host} answered {answer.status_code}{self.said(answer)}",
                        retry_after=retry_after(answer.headers.get("retry-after")),
                    )
                return answer
            url, params = self.route(urljoin(str(answer.url), location)), None
        raise self.malformed(f"redirected more than {MAX_REDIRECTS} times")

    def route(self, url: str) -> str:
        """A URL on the server's own host goes to the registry endpoint in use (REGBOOT_REGISTRY_ENDPOINT)."""
        parts = urlsplit(url)
        if _origin(url) == _origin(self.target.base_url) and self.base != self.target.base_url:
            return self.base + url[len(f"{parts.scheme}://{parts.netloc}") :]
        return url

    # --- verdicts ----------------------------------------------------------------------------------
    def denied(self, answer: httpx.Response, step: str, fix: str, *, access: bool = False) -> Denied:
        reason = f"{step} answered {answer.status_code}{self.said(answer)}"
        challenge = pick(parse(answer.headers.get_list("www-authenticate")))
        if challenge and challenge.params.get("error"):  # e.g. insufficient_scope: the token lacks the pull
            reason += f" [{_printable(challenge.params['error'])[:40]}]"
        return Denied(
            f"{self.host} refused {self.credential.username}: {reason}", reason=reason, fix=fix, access=access
        )

    def unexpected(self, answer: httpx.Response, step: str) -> VerificationError:
        if step == "GET /v2/" and answer.status_code == 404:
            return VerificationError(
                f"{self.host} is not a container registry (GET /v2/ answered 404)",
                fix="Check the server: it should be the registry itself, e.g. https://registry.example.com.",
            )
        return self.malformed(f"answered {answer.status_code} to {step}{self.said(answer)}")

    def malformed(self, what: str) -> VerificationError:
        return VerificationError(
            f"registry {self.host} {what}",
            fix="Check the server; if it is right, the registry does not speak the Docker v2 protocol as expected.",
            code="registry_malformed",
        )

    def unreachable(self, exc: httpx.HTTPError, url: str) -> OperationError:
        host = urlsplit(url).netloc
        causes = _causes(exc)
        if isinstance(exc, httpx.TimeoutException | httpx.RemoteProtocolError | httpx.ReadError):
            return Busy(f"{host} did not answer ({type(exc).__name__})")
        if any(isinstance(c, ssl.SSLError) for c in causes):
            reason = "the TLS handshake failed"
            fix = "If the registry speaks plain http, write http://; if its certificate is private, set SSL_CERT_FILE."
        elif any(isinstance(c, ConnectionRefusedError) for c in causes):
            reason, fix = "connection refused", "Check the server's host and port, and that the registry is running."
        elif any(isinstance(c, socket.gaierror) for c in causes):
            reason, fix = "its name does not resolve", "Check the server's host name (and DNS)."
        else:
            reason, fix = f"{type(exc).__name__}: {_first_line(exc)}", "Check the server and the network path to it."
        return OperationError(f"could not reach registry {host}: {reason}", fix=fix, code="registry_unreachable")

    def said(self, answer: httpx.Response) -> str:
        """What the registry said, in a few words, for a message (never the password, should it echo one)."""
        try:
            body = answer.json()
        except ValueError:
            body = None
        text = ""
        if isinstance(body, dict):
            errors = body.get("errors")
            if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                text = ": ".join(str(errors[0][k]) for k in ("code", "message") if errors[0].get(k))
            else:
                text = str(body.get("details") or body.get("error_description") or body.get("error") or "")
        text = _printable(scrub(text))[:160]  # a registry may quote the password, or the header that carries it
        return f" ({text})" if text else ""


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _printable(text: str) -> str:
    """A registry's words on one line, without control characters (a terminal escape is not a message)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:160]

"""A small threaded HTTP server with routes, the request log and fault injection: the wire layer's base.

An emulator subclasses `HttpEmulator`, registers routes with `@route`, and renders errors in its cloud's shape
by overriding `error_body`. Unknown routes answer 501 loudly, so a client calling something we never emulated
fails the test instead of passing by accident.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bootstrap.sandbox.faults import CallLog, Fault


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    fault: Fault | None = None  # a conflict/not_visible fault the handler must act on

    def json(self) -> Any:
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise HttpError(400, f"request body is not JSON: {exc}") from None

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Response:
    status: int = 200
    body: Any = None  # dict/list -> JSON, bytes/str -> as is
    headers: dict[str, str] = field(default_factory=dict)


class HttpError(Exception):
    """Raised by a handler to answer with an error in the emulator's shape."""

    def __init__(
        self, status: int, message: str, *, code: str = "", headers: dict[str, str] | None = None, details: Any = None
    ):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code
        self.headers = headers or {}
        self.details = details


@dataclass
class _Route:
    method: str
    regex: re.Pattern[str]
    operation: str
    mutating: bool
    handler: Callable[..., Response | Any]


def route(method: str, pattern: str, operation: str, *, mutating: bool = False) -> Callable:
    """Mark an emulator method as the handler of METHOD pattern; `{name}` captures one path segment,
    `{name:path}` captures the rest of the path. Stacked, the marks let one method serve several routes."""

    def mark(fn: Callable) -> Callable:
        fn.__routes__ = [*getattr(fn, "__routes__", ()), (method, pattern, operation, mutating)]  # type: ignore[attr-defined]
        return fn

    return mark


def _compile(pattern: str) -> re.Pattern[str]:
    def group(m: re.Match[str]) -> str:
        name, _, kind = m.group(1).partition(":")
        return f"(?P<{name}>.+)" if kind == "path" else f"(?P<{name}>[^/]+)"

    return re.compile("^" + re.sub(r"\{([^}]+)\}", group, pattern) + "$")


class HttpEmulator:
    """Serve the `@route` methods of a subclass on 127.0.0.1."""

    service = "http"

    def __init__(self, calls: CallLog | None = None) -> None:
        self.calls = calls if calls is not None else CallLog()
        self._routes = [
            _Route(m, _compile(p), op, mut, getattr(self, name))
            for name in dir(type(self))
            for (m, p, op, mut) in getattr(getattr(type(self), name), "__routes__", ())
        ]
        self._server: ThreadingHTTPServer | None = None
        self._tls: ssl.SSLContext | None = None
        self._thread: threading.Thread | None = None

    # --- rendering, overridden per cloud -------------------------------------------------------------
    def error_body(self, error: HttpError) -> Any:
        return {"error": {"code": error.code or error.status, "message": error.message}}

    def authorize(self, request: Request, operation: str) -> None:
        """Raise HttpError(401/403) when the request may not call `operation`. Open by default."""

    # --- lifecycle -----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "emulator not started"
        host, port = self._server.server_address[:2]
        assert isinstance(host, str)  # an AF_INET address: bytes only for AF_UNIX
        return f"{'https' if self._tls else 'http'}://{host}:{port}"

    def start(self, port: int = 0, *, tls: ssl.SSLContext | None = None) -> str:
        """Serve on 127.0.0.1; with `tls` (a server context holding a certificate) over https, as real registries
        and clouds do, so that tests can check which CA bundle a client trusts."""
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else every small response waits ~40 ms for a delayed ACK

            def log_message(self, *args: Any) -> None:  # quiet: tests read the CallLog instead
                pass

            def _serve(self) -> None:
                emulator._dispatch(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._tls = tls
        if tls:  # a client that refuses the certificate fails its handshake in accept(), which the server shrugs off
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # --- dispatch ------------------------------------------------------------------------------------
    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        split = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        request = Request(h.command, split.path, query, {k.lower(): v for k, v in h.headers.items()}, body)
        match = self._match(request)
        if match is None:
            self._write(
                h,
                Response(
                    501,
                    self.error_body(
                        HttpError(
                            501, f"regboot sandbox: {type(self).__name__} does not implement {h.command} {split.path}"
                        )
                    ),
                ),
            )
            return
        found, params = match
        request.params = params
        fault = self.calls.arrive(self.service, found.operation, mutating=found.mutating, resource=split.path)
        if fault and fault.kind == "reset":
            self._reset(h)
            return
        if fault and fault.kind == "error":
            headers = {"Retry-After": str(int(fault.retry_after))} if fault.retry_after is not None else {}
            err = HttpError(fault.status, fault.message, headers=headers)
            self._write(h, Response(fault.status, self.error_body(err), headers))
            return
        request.fault = fault
        try:
            self.authorize(request, found.operation)
            result = found.handler(request, **params)
            response = result if isinstance(result, Response) else Response(200, result)
        except HttpError as err:
            response = Response(err.status, self.error_body(err), err.headers)
        except Exception as exc:  # an emulator bug must not look like an injected connection reset
            response = Response(500, self.error_body(HttpError(500, f"regboot sandbox bug: {exc!r}")))
        self._write(h, response)

    def _match(self, request: Request) -> tuple[_Route, dict[str, str]] | None:
        for r in self._routes:
            if r.method == request.method and (m := r.regex.match(request.path)):
                return r, m.groupdict()
        return None

    @staticmethod
    def _write(h: BaseHTTPRequestHandler, response: Response) -> None:
        body = response.body
        headers = dict(response.headers)
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body or b""
        try:
            h.send_response(response.status)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            if h.command != "HEAD":
                h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout) before the answer came
            h.close_connection = True

    @staticmethod
    def _reset(h: BaseHTTPRequestHandler) -> None:
        # SO_LINGER 0 turns close() into a TCP RST: the client sees "connection reset by peer".
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.close_connection = True
        h.connection.close()

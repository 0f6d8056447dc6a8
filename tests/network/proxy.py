"""A loopback HTTP proxy for tests, as a corporate network has: CONNECT tunnels (https, gRPC) and absolute-form
forwarding (plain http), recording every host:port it was asked to reach. It reaches only loopback."""

from __future__ import annotations

import select
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class Proxy:
    def __init__(self) -> None:
        self.reached: list[str] = []  # host:port, in the order asked
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_CONNECT(self) -> None:
                host, _, port = self.path.rpartition(":")
                upstream = proxy._open(host, int(port))
                self.send_response(200, "Connection established")
                self.end_headers()
                _pipe(self.connection, upstream)
                self.close_connection = True

            def _forward(self) -> None:
                url = urlsplit(self.path)
                upstream = proxy._open(url.hostname or "", url.port or 80)
                target = url.path + (f"?{url.query}" if url.query else "")
                head = [f"{self.command} {target} HTTP/1.1"]
                hop = ("proxy-connection", "connection", "keep-alive")
                head += [f"{k}: {v}" for k, v in self.headers.items() if k.lower() not in hop]
                head.append("Connection: close")  # the upstream says so too, so the client opens anew next time
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                upstream.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
                # one request per upstream connection: the answer runs until the server closes it
                _pipe_one_way(upstream, self.connection)
                self.close_connection = True

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def _open(self, host: str, port: int) -> socket.socket:
        self.reached.append(f"{host}:{port}")
        return socket.create_connection((host, port), timeout=30)

    def hosts(self) -> set[str]:
        return set(self.reached)

    def __enter__(self) -> Proxy:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _pipe(a: socket.socket, b: socket.socket) -> None:
    sockets = [a, b]
    try:
        while True:
            readable, _, _ = select.select(sockets, [], [], 30)
            if not readable:
                return
            for s in readable:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        return
    finally:
        b.close()


def _pipe_one_way(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        source.close()

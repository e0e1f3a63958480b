"""A hostile local web server: each path answers the way a broken or defensive site does (error pages, bot walls,
captchas, redirect loops, slow or endless bodies, compression bombs, lying headers)."""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Responder = Callable[[BaseHTTPRequestHandler], None]


def reply(
    status: int, body: bytes, content_type: str = "text/html; charset=utf-8", **headers: str
) -> Responder:
    """A responder sending one fixed response."""

    def respond(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            h.send_header(key.replace("_", "-"), value)
        h.end_headers()
        h.wfile.write(body)

    return respond


def redirect(location: str, status: int = 302) -> Responder:
    """A responder redirecting to `location`."""

    def respond(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return respond


def slow_headers(delay: float) -> Responder:
    """A server that accepts the connection and then says nothing for `delay` seconds."""

    def respond(h: BaseHTTPRequestHandler) -> None:
        time.sleep(delay)
        reply(200, b"<html><body><main>late</main></body></html>")(h)

    return respond


def trickle(chunks: int, pause: float) -> Responder:
    """A body sent a few bytes at a time, slower than any timeout (a slowloris in reverse)."""

    def respond(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(chunks * 8))
        h.end_headers()
        try:
            for _ in range(chunks):
                h.wfile.write(b"<p>.</p>")
                h.wfile.flush()
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            return

    return respond


def endless(chunk: bytes = b"<p>" + b"x" * 4093 + b"</p>") -> Responder:
    """A chunked body that never ends (until the client hangs up)."""

    def respond(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        try:
            while True:
                h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except (BrokenPipeError, ConnectionResetError, OSError):
            return

    return respond


def compressed(body: bytes, encoding: str = "gzip") -> Responder:
    """A body compressed with gzip or deflate, declared in Content-Encoding."""
    data = gzip.compress(body) if encoding == "gzip" else zlib.compress(body)
    return reply(200, data, Content_Encoding=encoding)


def truncated(declared: int, body: bytes) -> Responder:
    """A response whose Content-Length promises more than is sent before the connection closes."""

    def respond(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(declared))
        h.end_headers()
        h.wfile.write(body)
        h.wfile.flush()
        h.close_connection = True

    return respond


@dataclass
class HostileSite:
    """Serves `routes` on 127.0.0.1; unknown paths are 404."""

    routes: dict[str, Responder]
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> HostileSite:
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                responder = routes.get(self.path.split("?", 1)[0])
                if responder is None:
                    reply(404, b"<html><body><h1>Not Found</h1></body></html>")(self)
                    return
                try:
                    responder(self)
                except (BrokenPipeError, ConnectionResetError):
                    return

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

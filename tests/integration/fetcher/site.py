"""A local website for fetcher tests: routes with status, headers, body, delay and redirects, on 127.0.0.1.

Runs in a thread (stdlib ThreadingHTTPServer), so a slow route does not hold up the others, and counts the hits of
each path so a test can tell how many times a page was fetched.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.support.sites import QuietHTTPServer


@dataclass
class Route:
    """What one path answers."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay: float = 0.0
    etag: str | None = None
    # ("NAME=VALUE", "/elsewhere"): without that cookie the request is redirected there (a consent wall).
    unless_cookie: tuple[str, str] | None = None


class LocalSite:
    """A threaded HTTP server with mutable routes."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.cookies_sent: dict[str, list[str]] = {}  # path -> each request's Cookie header ("" for none)
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site._serve(self)

            def do_POST(self) -> None:
                site._serve(self)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, route: Route) -> None:
        with self._lock:
            self.routes[path] = route

    def html(self, path: str, html: str, **kw: object) -> None:
        self.set(path, Route(body=html.encode("utf-8"), **kw))  # type: ignore[arg-type]

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        self.set(path, Route(status=status, headers={"Location": to}))

    def start(self) -> LocalSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path
        with self._lock:
            self.hits[path] += 1
            self.cookies_sent.setdefault(path, []).append(request.headers.get("Cookie", ""))
            route = self.routes.get(path) or self.routes.get(path.split("?")[0])
        if route is None:
            route = Route(status=404, body=b"<html><body><h1>Not Found</h1></body></html>")
        if route.delay:
            time.sleep(route.delay)
        if route.unless_cookie:
            cookie, elsewhere = route.unless_cookie
            sent = [c.strip() for c in request.headers.get("Cookie", "").split(";")]
            if cookie not in sent:
                route = Route(status=302, headers={"Location": elsewhere, "Content-Type": "text/html"})
        if route.etag and request.headers.get("If-None-Match") == route.etag:
            request.send_response(304)
            request.send_header("ETag", route.etag)
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        request.send_response(route.status)
        for name, value in route.headers.items():
            request.send_header(name, value)
        if route.etag:
            request.send_header("ETag", route.etag)
        request.send_header("Content-Length", str(len(route.body)))
        request.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            request.wfile.write(route.body)

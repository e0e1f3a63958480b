"""A local web site for tests whose pages can be swapped while it runs (a platform editing its policy)."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class QuietHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that does not print a traceback when a client drops its connection: a browser whose
    capture was cut short (or which opened a connection ahead and closed it) resets sockets the server still reads,
    which is no error of the site."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@dataclass
class Page:
    """A response: body, status and headers."""

    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class VersionedSite:
    """An HTTP server on 127.0.0.1 serving whatever `pages` holds now, and counting hits per path."""

    pages: dict[str, Page] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        """The absolute URL of a path on this site."""
        return f"http://127.0.0.1:{self.port}{path}"

    def set(self, path: str, body: bytes | str, **kwargs: Any) -> None:
        """Serve new content at path."""
        data = body.encode() if isinstance(body, str) else body
        with self._lock:
            self.pages[path] = Page(data, **kwargs)

    def start(self) -> None:
        """Serve in a background thread."""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with site._lock:
                    site.hits[path] = site.hits.get(path, 0) + 1
                    page = site.pages.get(path)
                if page is None:
                    self.send_error(HTTPStatus.NOT_FOUND)
                    return
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                for key, value in page.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = QuietHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

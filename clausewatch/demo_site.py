"""The demo's stand-in for the web: serves bundled real document histories and advances them on command.

Each document in `demo_data/manifest.json` has versions (raw HTML captured by Open Terms Archive, ODC-BY) and one
or more parts (URLs combined in order). The site serves each document's current version at
`/<platform>/<doc>/<part>`; `advance()` moves a document to its next version, as if the platform had edited it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

DATA = Path(str(resources.files("clausewatch") / "demo_data"))


@dataclass
class DemoDocument:
    """A document of the demo with its versions and the index of the one now served."""

    platform_id: str
    platform: str
    website: str
    doc_slug: str
    doc_type: str
    parts: list[str]
    versions: list[str]
    select: list[str]
    current: int = 0

    @property
    def document_id(self) -> str:
        """The catalogue id of the document."""
        return f"{self.platform_id}/{self.doc_slug}"

    def path(self, part: str) -> str:
        """The URL path of one part."""
        return f"/{self.platform_id}/{self.doc_slug}/{part or 'index'}.html"

    def file_for(self, part: str) -> Path:
        """The file holding the current version of one part."""
        version = self.versions[self.current]
        name = f"{version}__{part}.html" if part else f"{version}.html"
        return DATA / self.platform_id / name

    @property
    def can_advance(self) -> bool:
        """Whether a later version remains."""
        return self.current + 1 < len(self.versions)


def load_documents() -> list[DemoDocument]:
    """Read the bundled manifest."""
    manifest: dict[str, Any] = json.loads((DATA / "manifest.json").read_text())
    return [
        DemoDocument(**{k: d[k] for k in DemoDocument.__dataclass_fields__ if k in d})
        for d in manifest["documents"]
    ]


@dataclass
class DemoSite:
    """A threaded HTTP server on loopback serving the documents' current versions."""

    documents: list[DemoDocument] = field(default_factory=load_documents)
    host: str = "127.0.0.1"
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        """Where the site is."""
        return f"http://{self.host}:{self.port}"

    def urls(self, doc: DemoDocument) -> list[str]:
        """The document's URLs, in order."""
        return [self.base_url + doc.path(part) for part in doc.parts]

    def start(self) -> None:
        """Serve in a background thread."""
        routes = {doc.path(part): (doc, part) for doc in self.documents for part in doc.parts}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                route = routes.get(self.path.split("?", 1)[0])
                if route is None:
                    self.send_error(HTTPStatus.NOT_FOUND)
                    return
                body = route[0].file_for(route[1]).read_bytes()
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, name="demo-site", daemon=True).start()

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def advance(self, doc: DemoDocument) -> bool:
        """Serve the document's next version; return False if it has none."""
        if not doc.can_advance:
            return False
        doc.current += 1
        return True

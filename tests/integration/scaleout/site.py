"""A slow local web site of many policy pages, so captures overlap and a replica can be stopped mid-run."""

from __future__ import annotations

import html
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_CLAUSES = (
    "We collect the information you give us when you create an account, such as your name and email address.",
    "We use your information to provide, maintain and improve the services and to develop new features.",
    "You may ask us to delete your personal data at any time by writing to our privacy team.",
    "We share information with service providers who process it on our behalf and under our instructions.",
    "We keep your data for as long as your account is active or as needed to provide the services.",
    "If you live in the European Union you have the right to object to the processing of your personal data.",
    "We may use the content you submit, including prompts, to train and improve our models unless you opt out.",
    "We will tell you about material changes to this policy by email or by a notice on the service.",
)


def policy_page(title: str, marker: str) -> bytes:
    """Return a policy page with headings and numbered paragraphs, made distinct by `marker`."""
    sections = []
    for section in range(3):
        paragraphs = "".join(
            f"<p>{section + 1}.{i + 1} {html.escape(clause)} ({html.escape(marker)})</p>"
            for i, clause in enumerate(_CLAUSES)
        )
        sections.append(f"<h2>Section {section + 1}</h2>{paragraphs}")
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body><header>Example</header><main><h1>{html.escape(title)}</h1>{''.join(sections)}</main>"
        "<footer>© Example</footer></body></html>"
    ).encode()


class SlowSite:
    """Serves `policy_page` for any /<platform>/<doc> path after a fixed delay (stand-in for network latency)."""

    def __init__(self, delay: float) -> None:
        delay_s = delay

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = self.path.strip("/").split("/")
                if len(parts) != 2:
                    self.send_error(404)
                    return
                time.sleep(delay_s)
                body = policy_page(f"{parts[0]} {parts[1]}", self.path)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    # A client that went away (a process killed at teardown) is not the site's problem.
                    return

            def log_message(self, *args: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def start(self) -> SlowSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

"""The optional summariser against a local OpenAI-compatible endpoint (a stand-in for the internet service)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from clausewatch_analyzer.summarizer import Summarizer

pytestmark = pytest.mark.integration


class _Endpoint(BaseHTTPRequestHandler):
    status = 200
    seen: list[dict[str, object]] = []  # noqa: RUF012 (shared on purpose: the test reads what was sent)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        answer = {
            "choices": [{"message": {"role": "assistant", "content": "  Your prompts may train the AI.  "}}]
        }
        data = json.dumps(answer).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def endpoint() -> Iterator[tuple[str, type[_Endpoint]]]:
    """A local HTTP server answering /v1/chat/completions."""
    handler = type("Handler", (_Endpoint,), {"seen": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", handler
    server.shutdown()
    thread.join()


async def test_summary_comes_from_the_endpoint(endpoint: tuple[str, type[_Endpoint]]) -> None:
    """The clause is posted to {base}/chat/completions with the key, and the trimmed answer is used."""
    url, handler = endpoint
    summarizer = Summarizer(url, "tiny", api_key="sk-test", timeout=5)
    text, by = await summarizer.what_it_is(
        "We may train on prompts.", "Leonardo AI", "AI training", "template"
    )
    assert (text, by) == ("Your prompts may train the AI.", "summarizer:tiny")
    (call,) = handler.seen
    assert call["path"] == "/v1/chat/completions"
    assert call["auth"] == "Bearer sk-test"
    assert "We may train on prompts." in json.dumps(call["body"])


async def test_a_failing_endpoint_keeps_the_template_text(endpoint: tuple[str, type[_Endpoint]]) -> None:
    """A 500 from the endpoint falls back to the template text, marked as such."""
    url, handler = endpoint
    handler.status = 500
    summarizer = Summarizer(url, "tiny", timeout=5)
    assert await summarizer.what_it_is("clause", "P", "T", "template") == ("template", "templates")

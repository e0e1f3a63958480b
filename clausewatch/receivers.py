"""Local receivers for the demo and the tests: an SMTP server that keeps what it is sent, and an HTTP endpoint
that verifies Standard Webhooks signatures. They are real servers on loopback, not mocks."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class ReceivedWebhook:
    """One webhook request: its headers, parsed body, and whether its signature verified."""

    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """An HTTP server on loopback that records each POST and checks its signature against a secret."""

    secret: str
    host: str = "127.0.0.1"
    port: int = 0
    received: list[ReceivedWebhook] = field(default_factory=list)
    on_receive: Callable[[ReceivedWebhook], None] | None = None
    fail_next: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """The URL to register as an endpoint."""
        return f"http://{self.host}:{self.port}/hooks/clausewatch"

    def start(self) -> None:
        """Serve in a background thread."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver._lock:
                    if receiver.fail_next > 0:
                        receiver.fail_next -= 1
                        self.send_response(HTTPStatus.INTERNAL_SERVER_ERROR)
                        self.end_headers()
                        return
                try:
                    Webhook(receiver.secret).verify(body, headers)
                    verified = True
                except WebhookVerificationError:
                    verified = False
                item = ReceivedWebhook(headers=headers, body=body, verified=verified)
                with receiver._lock:
                    receiver.received.append(item)
                if receiver.on_receive is not None:
                    receiver.on_receive(item)
                self.send_response(HTTPStatus.NO_CONTENT if verified else HTTPStatus.UNAUTHORIZED)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, name="webhook-receiver", daemon=True).start()

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class _KeepMail:
    def __init__(self, sink: MailSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self._sink._add(message, list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@dataclass
class MailSink:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message it accepts."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    on_receive: Callable[[EmailMessage], None] | None = None
    _controller: Controller | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _add(self, message: EmailMessage, recipients: list[str]) -> None:
        with self._lock:
            self.messages.append(message)
        if self.on_receive is not None:
            self.on_receive(message)

    def start(self) -> None:
        """Start the SMTP server in its own thread."""
        if self.port == 0:
            from clausewatch.natsd import free_port

            self.port = free_port(self.host)
        self._controller = Controller(_KeepMail(self), hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        """Stop the SMTP server."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

"""The three ways out: SMTP e-mail, signed webhook POSTs and Apprise chat URLs. Each returns an Outcome, never raises.

Errors are described without secrets: SMTP passwords are SecretStr, webhook secrets are only used to sign, and an
Apprise URL (which carries a token) is never put in an error message or a log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

import aiosmtplib
import httpx

from clausewatch_notifier.settings import NotifierSettings
from clausewatch_notifier.ssrf import pin
from clausewatch_notifier.targets import UnsafeTargetError, check_apprise_target, check_target


@dataclass(frozen=True)
class Outcome:
    """What one try produced."""

    ok: bool
    destination: str
    status: int | None = None
    error: str | None = None
    duration_ms: int = 0
    retryable: bool = True


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def redact_url(url: str) -> str:
    """Return scheme://host[:port]/path of a URL: no credentials, query or fragment (they may hold tokens)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


class _RedactURLs(logging.Filter):
    """Strip credentials, query and fragment from URLs in httpx's request log lines (webhook URLs carry tokens)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_url(str(a)) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


def install_log_redaction() -> None:
    """Attach the URL-redacting filter to httpx's logger once (idempotent)."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactURLs) for f in logger.filters):
        logger.addFilter(_RedactURLs())


# An SMTP connection is reused for the next message if it sat idle for less than this; an older one is closed and a
# new one opened (servers drop idle clients after a minute or more: RFC 5321 suggests a 5-minute timeout).
SMTP_REUSE_SECONDS = 10.0
SMTP_IDLE_KEPT = 8  # connections kept open between messages at most (the delivery pass sends 8 at once)


class EmailSender:
    """Sends MIME messages through the configured SMTP server, reusing a connection for messages close together.

    Connecting (TCP, greeting, EHLO, STARTTLS and login when configured) and QUIT cost more CPU than sending a
    message. A connection is reused only if the server has not closed it (a restarted or timed-out server closes
    the socket, which the client notices) and it was used less than SMTP_REUSE_SECONDS ago; after any error it is
    closed, never reused. Each message is sent exactly as before: the same bytes, one SMTP transaction.
    """

    def __init__(self, settings: NotifierSettings) -> None:
        self._settings = settings
        self._local_hostname: str | None = None
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []

    async def _ehlo_name(self) -> str:
        """Return the name this host greets with: aiosmtplib's default (the FQDN), looked up once per process.

        aiosmtplib resolves it again (a thread and a resolver call) for every connection when it is not given.
        """
        if self._local_hostname is None:
            self._local_hostname = await asyncio.to_thread(socket.getfqdn)
        return self._local_hostname

    async def _connection(self) -> aiosmtplib.SMTP:
        """Return an idle connection still fit for use, or a new one (connected, as `aiosmtplib.send` would)."""
        now = time.monotonic()
        while self._idle:
            client, used = self._idle.pop()
            if client.is_connected and now - used < SMTP_REUSE_SECONDS:
                return client
            await _quit(client)
        s = self._settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            local_hostname=await self._ehlo_name(),
            username=s.smtp_user,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            start_tls=s.smtp_starttls,
            use_tls=s.smtp_tls,
            timeout=s.smtp_timeout_seconds,
        )
        try:
            await client.connect()
        except BaseException:
            client.close()
            raise
        return client

    async def send(self, message: EmailMessage) -> Outcome:
        """Hand one message to SMTP; success means the server accepted it for every recipient."""
        s = self._settings
        started = time.perf_counter()
        destination = f"smtp://{s.smtp_host}:{s.smtp_port}"
        try:
            client = await self._connection()
            try:
                refused, _ = await client.send_message(message)
            except BaseException:
                client.close()  # in an unknown state: never reused
                raise
            self._keep(client)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return Outcome(False, destination, error=f"recipient refused: {exc}", duration_ms=_ms(started))
        except (aiosmtplib.SMTPException, OSError) as exc:
            return Outcome(False, destination, error=f"{type(exc).__name__}: {exc}", duration_ms=_ms(started))
        if refused:
            return Outcome(False, destination, error=f"refused: {sorted(refused)}", duration_ms=_ms(started))
        return Outcome(True, destination, status=250, duration_ms=_ms(started))

    def _keep(self, client: aiosmtplib.SMTP) -> None:
        if len(self._idle) < SMTP_IDLE_KEPT:
            self._idle.append((client, time.monotonic()))
        else:
            client.close()

    async def aclose(self) -> None:
        """Say goodbye (QUIT) on the connections kept open."""
        idle, self._idle = self._idle, []
        for client, _ in idle:
            await _quit(client)


async def _quit(client: aiosmtplib.SMTP) -> None:
    """End a connection politely if it is still open; close it either way."""
    if client.is_connected:
        with contextlib.suppress(Exception):
            await client.quit(timeout=5.0)
    client.close()


class WebhookSender:
    """POSTs signed bodies with httpx, after re-checking the target against SSRF rules."""

    def __init__(self, settings: NotifierSettings, client: httpx.AsyncClient | None = None) -> None:
        self._settings = settings
        install_log_redaction()
        # Redirects are not followed: a 30x to an internal address would walk around the SSRF check.
        self._client = client or httpx.AsyncClient(
            timeout=settings.webhook_timeout_seconds, follow_redirects=False, trust_env=False
        )

    async def send(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        """POST one webhook; success means a 2xx answer."""
        destination = redact_url(url)
        started = time.perf_counter()
        try:
            addresses = await check_target(
                url,
                require_https=self._settings.https_required,
                allow_private=self._settings.allow_private_webhook_targets,
            )
        except UnsafeTargetError as exc:
            return Outcome(False, destination, error=f"refused target: {exc}", retryable=False)
        pinned, host_header, server_name = pin(url, addresses[0])
        try:
            response = await self._client.post(
                pinned,
                content=body,
                headers={**headers, "host": host_header},
                extensions={"sni_hostname": server_name},
            )
        except httpx.HTTPError as exc:
            return Outcome(
                False, destination, error=f"{type(exc).__name__}: {exc}"[:500], duration_ms=_ms(started)
            )
        if 200 <= response.status_code < 300:
            return Outcome(True, destination, status=response.status_code, duration_ms=_ms(started))
        return Outcome(
            False,
            destination,
            status=response.status_code,
            error=f"HTTP {response.status_code}: {response.text[:200]}",
            duration_ms=_ms(started),
            # 410 Gone is the receiver telling us to stop; anything else may pass.
            retryable=response.status_code != 410,
        )

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.aclose()


class AppriseSender:
    """Posts a title and body to one Apprise URL (Slack, Teams, Matrix, Discord, ntfy …)."""

    def __init__(self, settings: NotifierSettings) -> None:
        self._settings = settings

    async def send(self, url: str, title: str, body: str) -> Outcome:
        """Notify one Apprise target; the URL's scheme is the only part that appears in errors."""
        destination = f"apprise:{urlsplit(url).scheme}"
        if not self._settings.apprise_enabled:
            return Outcome(False, destination, error="apprise is disabled by the operator", retryable=False)
        import apprise  # imported here: it loads dozens of plugins, only worth it when a chat channel is used

        try:
            await check_apprise_target(url, allow_private=self._settings.allow_private_webhook_targets)
        except UnsafeTargetError as exc:
            return Outcome(False, destination, error=f"refused target: {exc}", retryable=False)
        started = time.perf_counter()
        notifier = apprise.Apprise()
        if not notifier.add(url):
            return Outcome(False, destination, error="not a URL Apprise understands", retryable=False)
        try:
            ok = await notifier.async_notify(body=body, title=title)
        except Exception as exc:  # Apprise plugins raise anything; the URL must not leak through the message
            return Outcome(False, destination, error=type(exc).__name__, duration_ms=_ms(started))
        return Outcome(
            bool(ok), destination, error=None if ok else "apprise reported failure", duration_ms=_ms(started)
        )

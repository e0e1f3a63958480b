"""The operations endpoint every service process serves: liveness, readiness and Prometheus metrics.

A deliberately tiny HTTP/1.1 server on asyncio (no web framework: the workers have none, and the API's own
port must not depend on the ops one). Routes:
- `GET /healthz` (and `/livez`): 200 while the event loop answers. Liveness only: a broker outage must not
  get every pod restarted, since reconnecting is the client's job.
- `GET /readyz`: 200 when every check passes (broker connected, database answers), else 503; always a JSON
  body naming each check. It turns 503 as soon as shutdown begins, so nothing new is routed to a draining
  process.
- `GET /metrics`: the Prometheus text format, after sampling JetStream consumer lag.

`python -m clausewatch_shared.ops URL` probes an endpoint and exits 0 or 1: container health checks use it,
since slim images have no curl.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable, Iterable, Mapping

import structlog
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from clausewatch_shared.metrics import CONSUMER_ACK_PENDING, CONSUMER_PENDING, CONSUMER_REDELIVERED
from clausewatch_shared.streams import ConsumerSpec

Check = Callable[[], Awaitable[bool]]
Sampler = Callable[[], Awaitable[None]]
log = structlog.get_logger("clausewatch.ops")

_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}
_MAX_REQUEST_LINE = 4096


async def sample_consumer_lag(js: JetStreamContext, consumers: Iterable[ConsumerSpec]) -> None:
    """Set the lag gauges from the server's view of each durable consumer; a missing consumer is skipped."""
    for spec in consumers:
        try:
            info = await js.consumer_info(spec.stream.name, spec.durable)
        except NotFoundError:
            continue
        CONSUMER_PENDING.labels(spec.durable).set(info.num_pending or 0)
        CONSUMER_ACK_PENDING.labels(spec.durable).set(info.num_ack_pending or 0)
        CONSUMER_REDELIVERED.labels(spec.durable).set(info.num_redelivered or 0)


class OpsServer:
    """Serves /healthz, /readyz and /metrics for one process."""

    def __init__(
        self,
        host: str,
        port: int,
        checks: Mapping[str, Check],
        sampler: Sampler | None = None,
        check_timeout: float = 3.0,
    ) -> None:
        self.host, self._port = host, port
        self.checks = dict(checks)
        self.sampler = sampler
        self.check_timeout = check_timeout
        self.shutting_down = False
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        """The bound port (useful when started on port 0)."""
        if self._server is None or not self._server.sockets:
            return self._port
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Start listening."""
        self._server = await asyncio.start_server(self._serve, self.host, self._port)
        log.info("ops_endpoint_listening", host=self.host, port=self.port)

    async def stop(self) -> None:
        """Stop listening and wait for open requests to finish."""
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), timeout=5)
            self._server = None

    async def readiness(self) -> tuple[bool, dict[str, bool]]:
        """Run every check concurrently, each bounded by the timeout; a check that raises or hangs fails."""

        async def run(check: Check) -> bool:
            try:
                return bool(await asyncio.wait_for(check(), timeout=self.check_timeout))
            except Exception:
                return False

        names = list(self.checks)
        results = await asyncio.gather(*(run(self.checks[n]) for n in names))
        status = dict(zip(names, results, strict=True))
        if self.shutting_down:
            status["not_shutting_down"] = False
        return all(status.values()), status

    async def metrics(self) -> bytes:
        """Return the metrics text, sampling consumer lag first (a failed sample keeps the last values)."""
        if self.sampler is not None:
            try:
                await asyncio.wait_for(self.sampler(), timeout=self.check_timeout)
            except Exception as exc:
                log.warning("consumer_lag_sample_failed", error=repr(exc))
        return generate_latest(REGISTRY)

    async def respond(self, method: str, path: str) -> tuple[int, str, bytes]:
        """Return (status, content type, body) for a request."""
        route = urllib.parse.urlsplit(path).path.rstrip("/") or "/"
        if route not in ("/healthz", "/livez", "/readyz", "/metrics"):
            return 404, "text/plain; charset=utf-8", b"not found: try /healthz, /readyz or /metrics\n"
        if method not in ("GET", "HEAD"):
            return 405, "text/plain; charset=utf-8", b"only GET\n"
        if route in ("/healthz", "/livez"):
            return 200, "text/plain; charset=utf-8", b"ok\n"
        if route == "/readyz":
            ready, checks = await self.readiness()
            report = {"status": "ready" if ready else "not ready", "checks": checks}
            body = json.dumps(report).encode() + b"\n"
            return (200 if ready else 503), "application/json", body
        return 200, CONTENT_TYPE_LATEST, await self.metrics()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await asyncio.wait_for(reader.readline(), timeout=10)
            # Headers are read and ignored: no route depends on them.
            for _ in range(100):
                line = await asyncio.wait_for(reader.readline(), timeout=10)
                if line in (b"\r\n", b"\n", b""):
                    break
            parts = request_line[:_MAX_REQUEST_LINE].decode("latin-1").split()
            method, path = (parts[0], parts[1]) if len(parts) >= 2 else ("GET", "/")
            status, content_type, body = await self.respond(method, path)
            head = (
                f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            ).encode("latin-1")
            writer.write(head if method == "HEAD" else head + body)
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


def probe(url: str, timeout: float = 3.0) -> bool:
    """Return True if GET url answers 2xx within the timeout (for container health checks)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        msg = f"not an http(s) URL: {url}"
        raise ValueError(msg)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            return 200 <= int(response.status) < 300
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    """`python -m clausewatch_shared.ops [URL]`: exit 0 if the endpoint answers 2xx, else 1."""
    args = sys.argv[1:] if argv is None else argv
    url = args[0] if args else "http://127.0.0.1:9000/readyz"
    return 0 if probe(url) else 1


if __name__ == "__main__":
    raise SystemExit(main())

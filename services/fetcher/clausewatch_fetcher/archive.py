"""Optional third-party evidence: ask a Wayback-compatible Save Page Now endpoint to archive a captured URL.

Speaks the SPN2 protocol (`POST /save` with `url=`, JSON `{job_id}`, then `GET /save/status/<job_id>` until
`status: success` with a `timestamp`) and also accepts the simple form's answer (a `Content-Location: /web/<ts>/<url>`
header). Off unless an endpoint is configured; a failed archive never fails a capture.
"""

from __future__ import annotations

import asyncio
import re
import time
from urllib.parse import urljoin

import httpx
import structlog

log = structlog.get_logger("clausewatch.fetcher.archive")
_WEB_PATH = re.compile(r"/web/\d{8,14}/")


def archive_url_for(endpoint: str, timestamp: str, original_url: str) -> str:
    """Return the replay URL of an archived capture."""
    return f"{endpoint.rstrip('/')}/web/{timestamp}/{original_url}"


class Archiver:
    """Requests archives from one Save Page Now endpoint."""

    def __init__(self, endpoint: str, *, timeout: float, user_agent: str, poll_seconds: float = 1.0) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.timeout = timeout
        self.poll_seconds = poll_seconds
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(min(timeout, 30.0)),
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def archive(self, url: str) -> str | None:
        """Return the archive URL of `url`, or None if the endpoint did not archive it in time."""
        try:
            return await asyncio.wait_for(self._archive(url), self.timeout)
        except (TimeoutError, httpx.HTTPError, ValueError) as exc:
            log.warning("archive_failed", url=url, error=repr(exc))
            return None

    async def _archive(self, url: str) -> str | None:
        response = await self._client.post(f"{self.endpoint}/save", data={"url": url})
        located: str = response.headers.get("content-location") or response.headers.get("location") or ""
        if _WEB_PATH.search(located):
            return urljoin(self.endpoint + "/", located)
        if response.status_code >= 400:
            log.warning("archive_refused", url=url, status=response.status_code)
            return None
        job = response.json().get("job_id")
        if not job:
            return None
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            status = (await self._client.get(f"{self.endpoint}/save/status/{job}")).json()
            if status.get("status") == "success":
                return archive_url_for(
                    self.endpoint, str(status["timestamp"]), status.get("original_url", url)
                )
            if status.get("status") == "error":
                log.warning("archive_error", url=url, message=status.get("message"))
                return None
            await asyncio.sleep(self.poll_seconds)
        return None

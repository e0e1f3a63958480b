"""Plain HTTP capture with httpx: bounded time and size, redirect chain, conditional GET, decompression-bomb guard."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from clausewatch_fetcher.detect import Rejection

# Headers worth keeping as evidence (others are noise or per-request).
EVIDENCE_HEADERS = (
    "content-type",
    "content-length",
    "content-language",
    "content-encoding",
    "etag",
    "last-modified",
    "date",
    "server",
    "cache-control",
    "age",
    "x-cache",
    "cf-ray",
    "cf-mitigated",
    "location",
)
_BOMB_CHECK_AFTER = 1024 * 1024  # judge the compression ratio only once this much is decoded


class FetchFailed(Exception):  # noqa: N818 - it is a result, not a bug: "the fetch failed"
    """A fetch ended without a usable response; carries the rejection to report."""

    def __init__(self, rejection: Rejection) -> None:
        super().__init__(f"{rejection.cause}: {rejection.detail}")
        self.rejection = rejection


@dataclass(frozen=True)
class Redirect:
    """One hop of a redirect chain."""

    status: int
    url: str
    location: str


@dataclass
class PageFetch:
    """What one URL gave: status, headers, final URL after redirects, and the raw (decoded-transfer) bytes."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    redirects: list[Redirect] = field(default_factory=list)
    fetcher: str = "http"
    not_modified: bool = False


@dataclass(frozen=True)
class Conditional:
    """Validators from the previous capture, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        """Return If-None-Match / If-Modified-Since headers."""
        out: dict[str, str] = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


def evidence_headers(headers: httpx.Headers | dict[str, str]) -> dict[str, str]:
    """Return the response headers kept as evidence, lower-cased."""
    lowered = {k.lower(): v for k, v in headers.items()}
    return {k: lowered[k] for k in EVIDENCE_HEADERS if k in lowered}


class HttpFetcher:
    """One shared httpx client with the fetcher's limits."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float,
        max_bytes: int,
        max_ratio: float,
        max_redirects: int,
        max_connections: int = 32,
    ) -> None:
        self.max_bytes = max_bytes
        self.max_ratio = max_ratio
        self.timeout = timeout
        self._client = httpx.AsyncClient(
            follow_redirects=True,
            max_redirects=max_redirects,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={
                "User-Agent": user_agent,
                "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8",
                "Accept-Language": "en;q=1.0, *;q=0.5",
            },
        )

    async def aclose(self) -> None:
        """Close the client's connections."""
        await self._client.aclose()

    async def fetch(
        self, url: str, conditional: Conditional | None = None, language: str = "en"
    ) -> PageFetch:
        """GET a URL; return its page or raise FetchFailed with the cause (timeout, too_large, bomb, network)."""
        headers = conditional.headers() if conditional else {}
        headers["Accept-Language"] = f"{language}, en;q=0.5" if language != "en" else "en"
        try:
            return await self._fetch(url, headers)
        except httpx.TimeoutException as exc:
            detail = f"no complete answer within {self.timeout:g}s ({type(exc).__name__})"
            raise FetchFailed(Rejection("timeout", "transient", detail)) from exc
        except httpx.TooManyRedirects as exc:
            raise FetchFailed(Rejection("redirect_loop", "needs_attention", str(exc))) from exc
        except httpx.DecodingError as exc:
            raise FetchFailed(Rejection("bad_encoding", "transient", f"undecodable body: {exc}")) from exc
        except (httpx.TransportError, httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            detail = f"{type(exc).__name__}: {exc}".strip()
            raise FetchFailed(Rejection("network_error", "transient", detail)) from exc

    async def _fetch(self, url: str, headers: dict[str, str]) -> PageFetch:
        async with self._client.stream("GET", url, headers=headers) as response:
            redirects = [
                Redirect(r.status_code, str(r.url), r.headers.get("location", "")) for r in response.history
            ]
            status = response.status_code
            content_type = response.headers.get("content-type", "")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                detail = f"Content-Length {declared} bytes is over the {self.max_bytes}-byte cap"
                raise FetchFailed(Rejection("too_large", "needs_attention", detail, status))
            chunks: list[bytes] = []
            size = 0
            encoding = response.headers.get("content-encoding", "").strip().lower()
            encoded = encoding not in ("", "identity")
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                chunks.append(chunk)
                wire = max(response.num_bytes_downloaded, 1)
                if encoded and size > _BOMB_CHECK_AFTER and size / wire > self.max_ratio:
                    detail = f"{size} bytes decoded from {wire} on the wire (ratio over {self.max_ratio:g})"
                    raise FetchFailed(Rejection("decompression_bomb", "needs_attention", detail, status))
                if size > self.max_bytes:
                    if encoded and size / wire > self.max_ratio / 4:
                        detail = f"over {self.max_bytes} bytes decoded from {wire} on the wire"
                        raise FetchFailed(Rejection("decompression_bomb", "needs_attention", detail, status))
                    detail = f"over the {self.max_bytes}-byte cap"
                    raise FetchFailed(Rejection("too_large", "needs_attention", detail, status))
            return PageFetch(
                url=url,
                final_url=str(response.url),
                status=status,
                content_type=content_type,
                body=b"".join(chunks),
                headers=evidence_headers(response.headers),
                redirects=redirects,
                not_modified=status == 304,
            )

"""Plain HTTP capture with httpx: bounded time and size, redirect chain, conditional GET, decompression-bomb guard."""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from clausewatch_fetcher.detect import Rejection
from clausewatch_shared.netguard import UnsafeURLError, check_host, check_url_shape

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


# Whole-fetch deadline, as a multiple of the per-read timeout (a redirect chain needs several reads).
_WHOLE_FETCH_FACTOR = 3
_WHAT = "document URLs"  # how the SSRF guard names the URLs it refuses


# The cookies of the fetch running in this task: what the document declares, and what the site sets on the way
# (a consent or cookie-check redirect) for the next hops of that fetch only. Each fetch starts with none.
_FETCH_COOKIES: ContextVar[dict[str, Any] | None] = ContextVar("clausewatch_fetch_cookies", default=None)


class _PerFetchCookieJar(CookieJar):
    """A cookie jar whose contents belong to the fetch running in the current task (a context variable).

    The HTTP clients are shared by every capture, and so was their jar: a cookie a site set during one capture
    (a session, a bot-manager's token, a consent) went with every later capture of that host, and one document's
    declared cookies with its neighbours'. Captures of a host were not independent, and what a capture sent
    depended on what ran before it. The jar's storage (`CookieJar._cookies`, which all its methods use) is instead
    the current fetch's own; outside a fetch it is a fresh dict each time, so nothing is kept.
    """

    @property
    def _cookies(self) -> dict[str, Any]:
        current = _FETCH_COOKIES.get()
        return current if current is not None else {}

    @_cookies.setter
    def _cookies(self, _value: dict[str, Any]) -> None:  # CookieJar.__init__ assigns an empty dict
        return


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
    # What the browser did on the page before reading it (decision 0173), kept with the evidence.
    steps: list[str] = field(default_factory=list)
    # The step that could not be done, if one could not: the page as it stood then is judged, never recorded.
    step_failure: str | None = None
    # The names of the document's declared cookies sent for it (their values stay in the catalogue).
    cookies: list[str] = field(default_factory=list)


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


class BoundedDecoder:
    """Undoes gzip/deflate content encoding without ever holding more than the cap (a 40 KB gzip can hold 40 MB).

    httpx would inflate a whole network chunk at once; zlib's `max_length` lets us stop one byte past the cap.
    """

    def __init__(self, encoding: str, max_bytes: int) -> None:
        self.encoding = encoding
        self.encoded = encoding not in ("", "identity")
        self.max_bytes = max_bytes
        self.size = 0
        self.consumed = 0  # wire bytes actually inflated so far (the rest of a chunk may be left unread)
        self._chunks: list[bytes] = []
        self._zlib: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()
        elif self.encoded:
            rejection = Rejection(
                "bad_encoding", "needs_attention", f"unsupported Content-Encoding {encoding!r}"
            )
            raise FetchFailed(rejection)

    def feed(self, data: bytes) -> None:
        """Decode a chunk from the wire, stopping just past the cap."""
        if self._zlib is None:
            self.consumed += len(data)
            self._add(data)
            return
        try:
            pending = data
            while pending and self.size <= self.max_bytes:
                out = self._zlib.decompress(pending, self.max_bytes - self.size + 1)
                self._add(out)
                self.consumed += len(pending) - len(self._zlib.unconsumed_tail)
                pending = self._zlib.unconsumed_tail
        except zlib.error as exc:
            raise FetchFailed(
                Rejection("bad_encoding", "transient", f"undecodable {self.encoding} body: {exc}")
            ) from exc

    def _add(self, out: bytes) -> None:
        self.size += len(out)
        self._chunks.append(out)

    def body(self) -> bytes:
        """Return the decoded bytes."""
        return b"".join(self._chunks)

    @property
    def ratio(self) -> float:
        """Decoded bytes per wire byte inflated so far."""
        return self.size / max(self.consumed, 1)

    def rejection(self, max_ratio: float, status: int) -> Rejection:
        """Return why decoding stopped: a decompression bomb (tiny on the wire) or simply too large."""
        wire = self.consumed
        if self.encoded and self.ratio > max_ratio:
            detail = f"over {self.size} bytes decoded from {wire} on the wire (compression ratio over {max_ratio:g})"
            return Rejection("decompression_bomb", "needs_attention", detail, status)
        return Rejection("too_large", "needs_attention", f"over the {self.max_bytes}-byte cap", status)


async def _refuse_unsafe_shape(request: httpx.Request) -> None:
    """Refuse a public-only request (the first or any redirect hop) whose URL carries credentials or no host.

    The addresses are checked where the connection is made (`_PublicOnlyNetwork`), once per connection.
    """
    check_url_shape(str(request.url), require_https=False, what=_WHAT)


class _PublicOnlyNetwork(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to addresses that passed the SSRF check, resolving each name once.

    Checking in a request hook and letting httpx connect would resolve the name twice: a DNS server answering a
    public address to the check and 127.0.0.1 to the connect (rebinding, TTL 0) would get through. Here the
    addresses checked are the addresses connected to. TLS is unaffected: httpcore takes the server name (SNI and
    certificate checks) and the Host header from the URL, not from the address the socket reaches.
    """

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's backend interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve and check `host` (UnsafeURLError if any address is not public), then connect to its addresses."""
        try:
            async with asyncio.timeout(timeout):
                addresses = await check_host(host, allow_private=False, what=_WHAT)
        except TimeoutError as exc:
            msg = f"no DNS answer for {host} within {timeout}s"
            raise httpcore.ConnectTimeout(msg) from exc
        # In the resolver's order of preference, like the HTTP client's own connect; the last failure is raised.
        for address in addresses[:-1]:
            with contextlib.suppress(httpcore.ConnectError, httpcore.ConnectTimeout):
                return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
        return await self._inner.connect_tcp(addresses[-1], port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's backend interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refuse: a public-only capture never reaches a local socket."""
        msg = "public-only captures do not use Unix sockets"
        raise UnsafeURLError(msg)

    async def sleep(self, seconds: float) -> None:
        """Sleep, for httpcore's connect retries."""
        await self._inner.sleep(seconds)


class _PublicOnlyTransport(httpx.AsyncHTTPTransport):
    """httpx's transport whose connection pool connects through `_PublicOnlyNetwork`.

    httpx does not take a network backend, so the pool is replaced; the rebinding test in
    tests/integration/fetcher/test_public_only.py fails if a new httpx stops using `_pool`.
    """

    def __init__(self, limits: httpx.Limits) -> None:
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PublicOnlyNetwork(),
        )


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
        allow_private_document_urls: bool = False,
    ) -> None:
        self.max_bytes = max_bytes
        self.allow_private = allow_private_document_urls
        self.max_ratio = max_ratio
        self.timeout = timeout
        self._limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._settings: dict[str, Any] = {
            "follow_redirects": True,
            "max_redirects": max_redirects,
            "timeout": httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            "headers": {
                "User-Agent": user_agent,
                "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8",
                "Accept-Language": "en;q=1.0, *;q=0.5",
                # Only what BoundedDecoder can inflate under a cap.
                "Accept-Encoding": "gzip, deflate",
            },
        }
        self._client = httpx.AsyncClient(limits=self._limits, **self._settings)
        self._client.cookies = _PerFetchCookieJar()  # httpx wraps a CookieJar it is given as it is
        self._public: httpx.AsyncClient | None = None  # made on the first public-only capture

    def _public_client(self) -> httpx.AsyncClient:
        """Return the client for public-only captures: every hop's URL shape checked, every connection pinned.

        It has its own connection pool, so a public-only request never reuses a connection opened unchecked for
        a catalogue document, and ignores proxy settings from the environment (a proxy would resolve the name
        itself, out of the guard's reach).
        """
        if self._public is None:
            self._public = httpx.AsyncClient(
                transport=_PublicOnlyTransport(self._limits),
                event_hooks={"request": [_refuse_unsafe_shape]},
                trust_env=False,
                **self._settings,
            )
            self._public.cookies = _PerFetchCookieJar()
        return self._public

    async def aclose(self) -> None:
        """Close the clients' connections."""
        await self._client.aclose()
        if self._public is not None:
            await self._public.aclose()

    async def fetch(
        self,
        url: str,
        conditional: Conditional | None = None,
        language: str = "en",
        *,
        public_only: bool = False,
        cookies: Mapping[str, str] | None = None,
    ) -> PageFetch:
        """GET a URL; return its page or raise FetchFailed with the cause (timeout, too_large, bomb, network).

        With `public_only`, the URL and every redirect hop must resolve to public addresses, and each connection
        goes to the addresses that were checked (cause unsafe_target otherwise). `cookies` (the document's declared
        ones) are put in the client's jar for the URL's host, so they are sent again after a redirect on that host,
        which a Cookie header would not be (httpx rebuilds it from the jar at each hop). Cookies last one fetch:
        those the site sets are sent on that fetch's later hops, never on another fetch (`_PerFetchCookieJar`).
        """
        headers = conditional.headers() if conditional else {}
        host = urlsplit(url).hostname or ""
        jar = _FETCH_COOKIES.set({})
        for name, value in (
            cookies or {}
        ).items():  # either client's jar: both store in this fetch's own dict
            self._client.cookies.set(name, value, domain=host)
        headers["Accept-Language"] = f"{language}, en;q=0.5" if language != "en" else "en"
        try:
            # httpx's timeout bounds each read, not the whole answer: a server trickling a byte a second would
            # hold the capture forever. The whole fetch, redirects included, gets a deadline of its own.
            async with asyncio.timeout(self.timeout * _WHOLE_FETCH_FACTOR):
                page = await self._fetch(url, headers, public_only)
                page.cookies = sorted(cookies or {})
                return page
        except UnsafeURLError as exc:
            raise FetchFailed(Rejection("unsafe_target", "needs_attention", str(exc))) from exc
        except (httpx.TimeoutException, TimeoutError) as exc:
            detail = f"no complete answer within {self.timeout:g}s ({type(exc).__name__})"
            raise FetchFailed(Rejection("timeout", "transient", detail)) from exc
        except httpx.TooManyRedirects as exc:
            raise FetchFailed(Rejection("redirect_loop", "needs_attention", str(exc))) from exc
        except httpx.DecodingError as exc:
            raise FetchFailed(Rejection("bad_encoding", "transient", f"undecodable body: {exc}")) from exc
        except (httpx.TransportError, httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            detail = f"{type(exc).__name__}: {exc}".strip()
            raise FetchFailed(Rejection("network_error", "transient", detail)) from exc
        finally:
            _FETCH_COOKIES.reset(jar)

    async def _fetch(self, url: str, headers: dict[str, str], public_only: bool) -> PageFetch:
        client = self._public_client() if public_only and not self.allow_private else self._client
        async with client.stream("GET", url, headers=headers) as response:
            redirects = [
                Redirect(r.status_code, str(r.url), r.headers.get("location", "")) for r in response.history
            ]
            status = response.status_code
            content_type = response.headers.get("content-type", "")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                detail = f"Content-Length {declared} bytes is over the {self.max_bytes}-byte cap"
                raise FetchFailed(Rejection("too_large", "needs_attention", detail, status))
            encoding = response.headers.get("content-encoding", "").strip().lower()
            decoder = BoundedDecoder(encoding, self.max_bytes)
            async for raw in response.aiter_raw():
                decoder.feed(raw)
                if decoder.size > self.max_bytes or (
                    decoder.encoded and decoder.size > _BOMB_CHECK_AFTER and decoder.ratio > self.max_ratio
                ):
                    raise FetchFailed(decoder.rejection(self.max_ratio, status))
            return PageFetch(
                url=url,
                final_url=str(response.url),
                status=status,
                content_type=content_type,
                body=decoder.body(),
                headers=evidence_headers(response.headers),
                redirects=redirects,
                not_modified=status == 304,
            )

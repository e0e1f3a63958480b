"""Capture one document: every URL in order, HTTP first, the browser when declared or when HTTP clearly fell short.

Returns either every part (raw bytes plus evidence) or the first rejection. A document is all or nothing: a
multi-URL document with one failing page is inaccessible, never a shorter "new version".
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass, field
from typing import Any

from clausewatch_fetcher.browser import BrowserPool
from clausewatch_fetcher.detect import Expectation, Rejection, RetryClass, judge_html, judge_text
from clausewatch_fetcher.extract import decode_html
from clausewatch_fetcher.http_fetch import Conditional, FetchFailed, HttpFetcher, PageFetch
from clausewatch_fetcher.pdftext import PdfTextError, is_pdf, pdf_to_text
from clausewatch_fetcher.politeness import HostThrottle
from clausewatch_fetcher.steps import Step, parse_steps
from clausewatch_shared.stated_dates import StatedDate, own_date

# Rejections that say the page itself was not served: reported as they are even when a step also failed on it.
_NOT_SERVED = frozenset({"http_error", "bot_wall", "login_wall"})
_TEXTUAL = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")


@dataclass(frozen=True)
class Target:
    """What to capture: the document's URLs and how to judge them (from the Document row or the catalogue)."""

    document_id: str
    platform_id: str
    urls: tuple[str, ...]
    select: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    javascript: bool | str = "auto"
    # Done in the browser before the page is read (decision 0173): a document with steps is always rendered.
    steps: tuple[Step, ...] = ()
    # Sent with every request for the document, by HTTP and in the browser (a consent or region choice).
    cookies: tuple[tuple[str, str], ...] = ()
    pdf: bool = False
    language: str = "en"
    min_chars: int = 400
    # Set on documents added through the API: every request must reach a public address, and the browser (whose
    # subresource requests we do not vet one by one) is not used.
    public_only: bool = False
    # The page has lacked sections of its own contents list for the whole confirmation window: take it as it is.
    accept_incomplete: bool = False

    @classmethod
    def from_spec(
        cls, document_id: str, platform_id: str, urls: list[str], spec: dict[str, Any], language: str
    ) -> Target:
        """Build a target from a Document row's fields."""
        return cls(
            document_id=document_id,
            platform_id=platform_id,
            urls=tuple(urls),
            select=tuple(spec.get("select") or ()),
            remove=tuple(spec.get("remove") or ()),
            javascript=spec.get("javascript", "auto"),
            steps=tuple(parse_steps(spec.get("steps"))),
            cookies=tuple((str(k), str(v)) for k, v in (spec.get("cookies") or {}).items()),
            pdf=bool(spec.get("pdf", False)),
            language=language,
            min_chars=int(spec.get("min_chars", 400)),
            public_only=bool(spec.get("public_only", False)),
        )

    @property
    def browser_only(self) -> bool:
        """Whether plain HTTP is never tried: declared so, or the page needs steps only a browser can do."""
        return self.javascript is True or bool(self.steps)

    @property
    def expectation(self) -> Expectation:
        """How a capture of this document must look."""
        return Expectation(self.select, self.remove, self.language, self.min_chars, self.accept_incomplete)


@dataclass
class Captured:
    """Every part of the document, in order."""

    parts: list[PageFetch]
    text_chars: int
    not_modified: bool = False
    # The first page's text: the document's own date is read from it, and only for captures with new bytes.
    first_text: str = ""

    @functools.cached_property
    def stated_date(self) -> StatedDate | None:
        """The date the first page states for itself ("Last updated: …"): an earlier one than the version on
        record's may be an older copy (decision 0155). A part after the first (an addendum) may state its own."""
        return own_date(self.first_text)

    @property
    def fetcher(self) -> str:
        """'pdf' if any part is a PDF, else 'browser' if any part was rendered, else 'http'."""
        kinds = {p.fetcher for p in self.parts}
        return "pdf" if "pdf" in kinds else ("browser" if "browser" in kinds else "http")


@dataclass
class Failed:
    """The document could not be captured: the first rejection, and the URL it happened on."""

    url: str
    rejection: Rejection
    tried: list[str] = field(default_factory=list)


Outcome = Captured | Failed


class Capturer:
    """Captures documents with a shared HTTP client, an optional browser pool and a per-host throttle."""

    def __init__(self, http: HttpFetcher, browser: BrowserPool | None, throttle: HostThrottle) -> None:
        self.http = http
        self.browser = browser
        self.throttle = throttle

    async def capture(self, target: Target, conditional: Conditional | None = None) -> Outcome:
        """Capture every URL of the target; stop at the first one that is not the document."""
        parts: list[PageFetch] = []
        chars = 0
        first_text = ""
        # Conditional GET only for single-page HTTP documents: a 304 then means the whole document is unchanged.
        use_conditional = conditional if len(target.urls) == 1 and not target.browser_only else None
        for index, url in enumerate(target.urls):
            result = await self._capture_url(target, url, use_conditional)
            if isinstance(result, Failed):
                return result
            page, text = result
            if page.not_modified:
                return Captured([page], 0, not_modified=True)
            parts.append(page)
            chars += len(text)
            if index == 0:
                first_text = text
        return Captured(parts, chars, first_text=first_text)

    async def _capture_url(
        self, target: Target, url: str, conditional: Conditional | None
    ) -> tuple[PageFetch, str] | Failed:
        tried: list[str] = []
        first_rejection: Rejection | None = None
        # API documents never open the browser: its subresource requests would each need the SSRF check.
        browser = None if target.public_only else self.browser
        if target.steps and browser is None:
            # Read without its steps the page may show part of the document: never record that as a version.
            detail = "the document's steps are done in the browser, and browser capture is off"
            return Failed(url, Rejection("browser_unavailable", "needs_attention", detail), tried)
        if not target.browser_only or browser is None:
            tried.append("http")
            try:
                await self.throttle.wait(url)
                page = await self.http.fetch(
                    url,
                    conditional,
                    target.language,
                    public_only=target.public_only,
                    cookies=dict(target.cookies),
                )
            except FetchFailed as failure:
                if not (failure.rejection.browser_may_help and self._browser_may_retry(target, browser)):
                    return Failed(url, failure.rejection, tried)
                first_rejection = failure.rejection
            else:
                if page.not_modified:
                    return page, ""
                judged = await self._judge(target, page)
                if not isinstance(judged, Rejection):
                    return page, judged
                if not (judged.browser_may_help and self._browser_may_retry(target, browser)):
                    return Failed(url, judged, tried)
                first_rejection = judged
        if browser is None:
            why = "browser capture is off"
            if target.public_only:
                why = "documents added through the API are not captured by the browser"
            rejection = first_rejection or Rejection(
                "browser_unavailable", "needs_attention", f"JavaScript is required but {why}"
            )
            return Failed(url, rejection, tried)
        tried.append("browser")
        try:
            await self.throttle.wait(url)
            page = await browser.fetch(
                url,
                list(target.select),
                target.language,
                steps=list(target.steps),
                cookies=dict(target.cookies),
            )
        except FetchFailed as failure:
            return Failed(url, failure.rejection, tried)
        judged = await self._judge(target, page)
        if page.step_failure is not None and not (
            isinstance(judged, Rejection) and judged.cause in _NOT_SERVED
        ):
            # The page is not laid out as its steps say: what it shows may be a part of the document only.
            return Failed(
                url, Rejection("step_failed", "needs_attention", page.step_failure, page.status), tried
            )
        if isinstance(judged, Rejection):
            return Failed(url, judged, tried)
        return page, judged

    @staticmethod
    def _browser_may_retry(target: Target, browser: BrowserPool | None) -> bool:
        return browser is not None and target.javascript in ("auto", True) and not target.pdf

    async def _judge(self, target: Target, page: PageFetch) -> str | Rejection:
        """Return the page's extracted text, or why it is not the document."""
        content_type = page.content_type.split(";")[0].strip().lower()
        if target.pdf or content_type == "application/pdf" or (page.status < 400 and is_pdf(page.body)):
            return await self._judge_pdf(target, page)
        if content_type and not content_type.startswith(_TEXTUAL):
            detail = f"unexpected content type {content_type!r}"
            return Rejection("unsupported_content", "needs_attention", detail, page.status)
        html = decode_html(page.body, page.content_type)
        text, rejection = judge_html(
            html,
            status=page.status,
            expect=target.expectation,
            requested_url=page.url,
            final_url=page.final_url,
            headers=page.headers,
        )
        return rejection or text

    async def _judge_pdf(self, target: Target, page: PageFetch) -> str | Rejection:
        if page.status >= 400:
            retry: RetryClass = "transient" if page.status >= 500 else "needs_attention"
            return Rejection("http_error", retry, f"HTTP {page.status}", page.status)
        try:
            text = await asyncio.to_thread(pdf_to_text, page.body)
        except PdfTextError as exc:
            return Rejection("bad_pdf", "needs_attention", str(exc), page.status)
        page.fetcher = "pdf"
        page.content_type = "application/pdf"
        rejection = judge_text(text, target.expectation, page.status)
        return rejection or text

"""Browser capture with Playwright and Chromium: one browser per worker, a fresh context per capture, bounded pages.

The browser is launched on first use and relaunched if it dies. Images, media and fonts are skipped (a policy's text
never needs them, and they are most of a page's weight); with `same_host_only` every request to another host is
aborted, which keeps tests and benchmarks off the internet.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import urlsplit

import structlog

from clausewatch_fetcher.detect import Rejection
from clausewatch_fetcher.http_fetch import FetchFailed, PageFetch, Redirect, evidence_headers

log = structlog.get_logger("clausewatch.fetcher.browser")

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--mute-audio",
)
# Images never carry policy text; turning them off in Blink is cheaper than intercepting each request.
NO_IMAGES_ARG = "--blink-settings=imagesEnabled=false"
_SKIPPED_TYPES = frozenset({"image", "media", "font"})
_VIEWPORT = {"width": 1024, "height": 768}


class BrowserPool:
    """A lazily launched Chromium shared by a worker's captures, at most `concurrency` pages at a time."""

    def __init__(
        self,
        *,
        executable: str | None,
        concurrency: int,
        timeout: float,
        user_agent: str,
        block_resources: bool = True,
        same_host_only: bool = False,
        settle_ms: int = 300,
        max_bytes: int = 10 * 1024 * 1024,
    ) -> None:
        self.executable = executable
        self.timeout = timeout
        self.user_agent = user_agent
        self.block_resources = block_resources
        self.same_host_only = same_host_only
        self.settle_ms = settle_ms
        self.max_bytes = max_bytes
        self._slots = asyncio.Semaphore(concurrency)
        self._launch_lock = asyncio.Lock()
        self._playwright: Any = None
        self._browser: Any = None

    async def _ensure(self) -> Any:
        async with self._launch_lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            from playwright.async_api import async_playwright  # heavy import: only when a browser is needed

            if self._playwright is None:
                self._playwright = await async_playwright().start()
            self._browser = await self._playwright.chromium.launch(
                executable_path=self.executable,
                headless=True,
                args=[*CHROMIUM_ARGS, *([NO_IMAGES_ARG] if self.block_resources else [])],
            )
            log.info("browser_launched", executable=self.executable or "playwright-bundled")
            return self._browser

    async def aclose(self) -> None:
        """Close the browser and Playwright."""
        with contextlib.suppress(Exception):
            if self._browser is not None:
                await self._browser.close()
        with contextlib.suppress(Exception):
            if self._playwright is not None:
                await self._playwright.stop()
        self._browser = self._playwright = None

    async def fetch(self, url: str, wait_for: list[str] | None = None, language: str = "en") -> PageFetch:
        """Render a URL in a fresh context and return the DOM as HTML; raise FetchFailed on timeout or error."""
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        async with self._slots:
            try:
                browser = await self._ensure()
            except PlaywrightError as exc:
                rejection = Rejection(
                    "browser_unavailable", "needs_attention", f"Chromium did not start: {exc}"
                )
                raise FetchFailed(rejection) from exc
            context = await browser.new_context(
                user_agent=self.user_agent,
                locale=language,
                java_script_enabled=True,
                service_workers="block",
                viewport=_VIEWPORT,
                extra_http_headers={"Accept-Language": language},
            )
            try:
                return await asyncio.wait_for(self._render(context, url, wait_for or []), self.timeout + 5)
            except (PlaywrightTimeout, TimeoutError) as exc:
                detail = f"the browser got no complete page within {self.timeout:g}s"
                raise FetchFailed(Rejection("timeout", "transient", detail)) from exc
            except PlaywrightError as exc:
                message = str(exc).splitlines()[0]
                raise FetchFailed(Rejection("network_error", "transient", f"browser: {message}")) from exc
            finally:
                with contextlib.suppress(Exception):
                    await context.close()

    async def _render(self, context: Any, url: str, wait_for: list[str]) -> PageFetch:
        host = urlsplit(url).hostname

        # Every routed request makes a round trip through Python, so route only when other hosts must be cut off;
        # images are already off in Blink (CHROMIUM_ARGS).
        async def route(request_route: Any) -> None:
            request = request_route.request
            if (self.block_resources and request.resource_type in _SKIPPED_TYPES) or (
                self.same_host_only and urlsplit(request.url).hostname != host
            ):
                await request_route.abort()
            else:
                await request_route.continue_()

        if self.same_host_only:
            await context.route("**/*", route)
        page = await context.new_page()
        timeout_ms = self.timeout * 1000
        response = await page.goto(url, wait_until="load", timeout=timeout_ms)
        if response is None:
            raise FetchFailed(Rejection("network_error", "transient", "the browser got no response"))
        for selector in wait_for:
            # Script-rendered content appears after load: wait (briefly) for the declared content to exist.
            with contextlib.suppress(Exception):
                await page.wait_for_selector(selector, state="attached", timeout=min(timeout_ms, 5000))
                break
        if self.settle_ms:
            await page.wait_for_timeout(self.settle_ms)
        html = await page.content()
        body = html.encode("utf-8")
        if len(body) > self.max_bytes:
            detail = f"rendered page over the {self.max_bytes}-byte cap"
            raise FetchFailed(Rejection("too_large", "needs_attention", detail, response.status))
        redirects: list[Redirect] = []
        request = response.request.redirected_from
        while request is not None:
            hop = await request.response()
            if hop is not None:
                redirects.append(Redirect(hop.status, request.url, hop.headers.get("location", "")))
            request = request.redirected_from
        redirects.reverse()
        headers = evidence_headers(await response.all_headers())
        return PageFetch(
            url=url,
            final_url=page.url,
            status=response.status,
            content_type="text/html; charset=utf-8",
            body=body,
            headers=headers,
            redirects=redirects,
            fetcher="browser",
        )

"""Browser capture with Playwright and Chromium: one browser per worker, a fresh context per capture, bounded pages.

The browser is launched on first use and relaunched if it dies. Images, media and fonts are skipped (a policy's text
never needs them, and they are most of a page's weight); with `same_host_only` every request to another host is
aborted, and with `loopback_only` Chromium resolves no host but the loopback one, which keeps tests and benchmarks
off the internet at no per-request cost. What each of these choices costs is in docs/decisions/0015.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import structlog

from clausewatch_fetcher.detect import Rejection
from clausewatch_fetcher.http_fetch import FetchFailed, PageFetch, Redirect, evidence_headers
from clausewatch_fetcher.steps import Step, StepError, run_steps

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
# Every host but the loopback one fails at DNS inside Chromium: no request is paused and sent to Playwright to
# be judged, which `same_host_only` routing must do (it cost a tenth of a capture's CPU in bench/fetch).
LOOPBACK_ONLY_ARG = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
# After DOMContentLoaded the text is parsed; `load` also waits for every script, frame and stylesheet of the page,
# third parties' included. Wait for it this long at most, then take the DOM as it is.
LOAD_GRACE_MS = 3000
# The capture's deadline grows by this much per page step, beyond the step's own wait for what it looks for.
STEP_ALLOWANCE_S = 10
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
        loopback_only: bool = False,
        make_ahead: bool = False,
        settle_ms: int = 300,
        max_bytes: int = 10 * 1024 * 1024,
        step_timeout: float = 5.0,
    ) -> None:
        self.executable = executable
        self.timeout = timeout
        self.user_agent = user_agent
        self.block_resources = block_resources
        self.same_host_only = same_host_only
        self.loopback_only = loopback_only
        self.make_ahead = make_ahead
        self.settle_ms = settle_ms
        self.max_bytes = max_bytes
        self.step_timeout = step_timeout
        self._slots = asyncio.Semaphore(concurrency)
        self._launch_lock = asyncio.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        # One page made ahead, in a context of its own, for the next capture (see _fresh_page).
        self._spare: tuple[Any, str, asyncio.Task[tuple[Any, Any]]] | None = None

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
                args=[
                    *CHROMIUM_ARGS,
                    *([NO_IMAGES_ARG] if self.block_resources else []),
                    *([LOOPBACK_ONLY_ARG] if self.loopback_only else []),
                ],
            )
            log.info("browser_launched", executable=self.executable or "playwright-bundled")
            return self._browser

    async def _new_page(self, browser: Any, language: str) -> tuple[Any, Any]:
        context = await browser.new_context(
            user_agent=self.user_agent,
            locale=language,
            java_script_enabled=True,
            service_workers="block",
            viewport=_VIEWPORT,
            extra_http_headers={"Accept-Language": language},
        )
        try:
            return context, await context.new_page()
        except BaseException:
            with contextlib.suppress(Exception):
                await context.close()
            raise

    @staticmethod
    async def _use_spare(
        spare: tuple[Any, str, asyncio.Task[tuple[Any, Any]]] | None, browser: Any, language: str
    ) -> tuple[Any, Any] | None:
        """Return the page made ahead if it is for this browser and language; close it otherwise."""
        if spare is None:
            return None
        made_for, made_language, task = spare
        try:
            context, page = await task
        except Exception:
            return None  # made for a browser that has died since: make one now
        if made_for is browser and made_language == language:
            return context, page
        with contextlib.suppress(Exception):
            await context.close()
        return None

    async def _fresh_page(self, browser: Any, language: str) -> tuple[Any, Any]:
        """Return a page in a never-used context; with `make_ahead`, start making the next capture's.

        Making a context and its page (a renderer process) is a third of a capture's time and none of it depends
        on the URL, so the next one can be made while this one renders; it is still used once, so isolation holds.
        It hides latency but costs an idle renderer, and saved no CPU under load (decision 0015): off by default.
        """
        if not self.make_ahead:
            return await self._new_page(browser, language)
        # Swapped with no await in between, so concurrent captures never drop (and leak) each other's spare.
        spare, self._spare = (
            self._spare,
            (browser, language, asyncio.create_task(self._new_page(browser, language))),
        )
        return await self._use_spare(spare, browser, language) or await self._new_page(browser, language)

    async def aclose(self) -> None:
        """Close the page made ahead, the browser and Playwright."""
        if self._spare is not None:
            self._spare[2].cancel()
            with contextlib.suppress(BaseException):
                context, _ = await self._spare[2]
                await context.close()
            self._spare = None
        with contextlib.suppress(Exception):
            if self._browser is not None:
                await self._browser.close()
        with contextlib.suppress(Exception):
            if self._playwright is not None:
                await self._playwright.stop()
        self._browser = self._playwright = None

    async def fetch(
        self,
        url: str,
        wait_for: list[str] | None = None,
        language: str = "en",
        *,
        steps: list[Step] | None = None,
        cookies: Mapping[str, str] | None = None,
    ) -> PageFetch:
        """Render a URL in a fresh context, do the document's steps, and return the DOM as HTML; raise FetchFailed
        on timeout or error. A step that could not be done is named in the page's `step_failure`: the capturer
        judges the page first, so an error page or a wall is reported as one rather than as a missing button."""
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
            context = None
            try:
                context, page = await self._fresh_page(browser, language)
                if cookies:  # the context is this capture's own: the cookies go nowhere else
                    await context.add_cookies(
                        [{"name": n, "value": v, "url": url} for n, v in cookies.items()]
                    )
                deadline = self.timeout + 5 + (self.step_timeout + STEP_ALLOWANCE_S) * len(steps or ())
                return await asyncio.wait_for(
                    self._render(context, page, url, wait_for or [], steps or [], cookies or {}), deadline
                )
            except (PlaywrightTimeout, TimeoutError) as exc:
                detail = f"the browser got no complete page within {self.timeout:g}s"
                raise FetchFailed(Rejection("timeout", "transient", detail)) from exc
            except PlaywrightError as exc:
                message = str(exc).splitlines()[0]
                raise FetchFailed(Rejection("network_error", "transient", f"browser: {message}")) from exc
            finally:
                if context is not None:
                    # Shielded: a stop cancels the capture through an anyio scope, which cancels this await too; the
                    # close then goes on by itself instead of leaving the context (its pages, their memory) open
                    # until the browser closes.
                    with contextlib.suppress(Exception):
                        await asyncio.shield(context.close())

    async def _render(
        self,
        context: Any,
        page: Any,
        url: str,
        wait_for: list[str],
        steps: list[Step],
        cookies: Mapping[str, str],
    ) -> PageFetch:
        from playwright.async_api import TimeoutError as PlaywrightTimeout

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
        timeout_ms = self.timeout * 1000
        response = await page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
        if response is None:
            raise FetchFailed(Rejection("network_error", "transient", "the browser got no response"))
        with contextlib.suppress(PlaywrightTimeout):
            await page.wait_for_load_state("load", timeout=min(timeout_ms, LOAD_GRACE_MS))
        done: list[str] = []
        failure: str | None = None
        try:
            done = await run_steps(page, steps, min(timeout_ms, self.step_timeout * 1000))
        except StepError as exc:
            failure, done = str(exc), exc.done
        if failure is None:
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
            steps=done,
            step_failure=failure,
            cookies=sorted(cookies or {}),
        )

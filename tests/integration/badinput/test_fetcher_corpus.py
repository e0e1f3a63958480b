"""Bad input corpus, fetcher side: the real capturer (httpx client, detectors, decoders) against a hostile local
server. Every broken or defensive response must end as a named failure (never a snapshot that would become a
false change), within bounded time and memory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from clausewatch_fetcher.capture import Captured, Capturer, Failed, Target
from clausewatch_fetcher.http_fetch import HttpFetcher
from clausewatch_fetcher.politeness import HostThrottle
from tests.integration.badinput.server import (
    HostileSite,
    compressed,
    endless,
    redirect,
    reply,
    slow_headers,
    trickle,
    truncated,
)

MAX_BYTES = 2_000_000
TIMEOUT = 2.0

POLICY = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Privacy Policy</title></head><body>"
    "<nav>Home | Products</nav><main><h1>Privacy Policy</h1>"
    + "".join(
        f"<p>Section {i}. We collect the information you give us when you create an account, such as your name"
        " and email address, and we use it to provide and improve the service you asked for.</p>"
        for i in range(6)
    )
    + "</main><footer>(c) Example</footer></body></html>"
).encode()

CLOUDFLARE = (
    b"<html><head><title>Just a moment...</title></head><body><div id='cf-browser-verification'>"
    b"Checking your browser before accessing the site.</div>"
    b"<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script></body></html>"
)
AKAMAI = (
    b"<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1>You don't have permission to "
    b"access this on this server.<p>Reference #18.2f1e3b17.1700000000.abc</p></body></html>"
)
RECAPTCHA = (
    b"<html><body><main><p>Please verify you are a human.</p><div class='g-recaptcha' data-sitekey='k'></div>"
    b"<script src='https://www.google.com/recaptcha/api.js'></script></main></body></html>"
)
HCAPTCHA = (
    b"<html><body><main><div class='h-captcha' data-sitekey='k'></div>"
    b"<script src='https://hcaptcha.com/1/api.js'></script></main></body></html>"
)
LOGIN = (
    b"<html><body><main><h1>Sign in to continue</h1><form><input name='email'>"
    b"<input type='password' name='password'><button>Log in</button></form></main></body></html>"
)
FRENCH = (
    "<html lang='fr'><body><main>"
    + "<p>Nous collectons les informations que vous nous donnez lorsque vous créez un compte, comme votre nom "
    "et votre adresse e-mail, et nous les utilisons pour fournir le service.</p>"
    * 6
    + "</main></body></html>"
).encode()
SPA_SHELL = (
    b"<html><body><div id='root'></div><noscript>You need to enable JavaScript to run this app.</noscript>"
    b"<script src='/static/js/main.4f3a.js'></script></body></html>"
)
SOFT_404 = b"<html><body><main><h1>Page not found</h1><p>Sorry, we could not find that page.</p></main></body></html>"

# path -> (responder, the failure cause the capturer must report)
CORPUS = {
    "/http-404": (reply(404, b"<html><body><h1>Not Found</h1></body></html>"), "http_error"),
    "/http-410": (reply(410, b"<html><body><h1>Gone</h1></body></html>"), "http_error"),
    "/http-500": (reply(500, b"<html><body>Internal Server Error</body></html>"), "http_error"),
    "/http-503": (
        reply(503, b"<html><body>Service Unavailable</body></html>", Retry_After="120"),
        "http_error",
    ),
    "/http-429": (reply(429, b"<html><body>Too Many Requests</body></html>", Retry_After="60"), "http_error"),
    "/cloudflare-403": (reply(403, CLOUDFLARE, Server="cloudflare", CF_RAY="8a1b2c3d4e5f"), "bot_wall"),
    "/cloudflare-200": (reply(200, CLOUDFLARE), "bot_wall"),
    "/akamai-403": (reply(403, AKAMAI, Server="AkamaiGHost"), "bot_wall"),
    "/recaptcha": (reply(200, RECAPTCHA), "bot_wall"),
    "/hcaptcha": (reply(200, HCAPTCHA), "bot_wall"),
    "/login-wall": (reply(200, LOGIN), "login_wall"),
    "/empty-body": (reply(200, b""), "empty"),
    "/whitespace-body": (reply(200, b"   \n\t  \n" * 100), "empty"),
    "/soft-404": (reply(200, SOFT_404), "empty"),
    "/spa-shell": (reply(200, SPA_SHELL), "empty"),
    "/binary-as-html": (reply(200, bytes(range(256)) * 64), "empty"),
    "/wrong-language": (reply(200, FRENCH), "wrong_language"),
    "/redirect-loop": (redirect("/redirect-loop"), "redirect_loop"),
    "/redirect-chain": (redirect("/redirect-chain-2"), "redirect_loop"),
    "/redirect-chain-2": (redirect("/redirect-chain"), "redirect_loop"),
    "/slow-headers": (slow_headers(TIMEOUT + 2), "timeout"),
    # Each byte comes within the read timeout, but the whole answer would take a minute.
    "/trickled-body": (trickle(60, TIMEOUT / 2), "timeout"),
    "/declared-huge": (reply(200, b"<p>x</p>" * (MAX_BYTES // 8 + 10)), "too_large"),
    "/endless-chunked": (endless(), "too_large"),
    "/gzip-bomb": (compressed(b"<p>" + b"a" * 30_000_000 + b"</p>"), "decompression_bomb"),
    "/deflate-bomb": (compressed(b" " * 30_000_000, "deflate"), "decompression_bomb"),
    "/gzip-garbage": (
        reply(200, b"\x1f\x8b\x08\x00not-really-gzip", Content_Encoding="gzip"),
        "bad_encoding",
    ),
    "/truncated-body": (truncated(100_000, POLICY[:600]), "network_error"),
    "/broken-pdf": (
        reply(200, b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "application/pdf"),
        "bad_pdf",
    ),
}


@pytest.fixture(scope="module")
def site() -> Iterator[HostileSite]:
    """The hostile site, plus two well-formed pages that must still be captured."""
    routes = {path: responder for path, (responder, _) in CORPUS.items()}
    routes["/good"] = reply(200, POLICY)
    routes["/good-latin1-mislabelled"] = reply(
        200, POLICY.replace(b"information", "informaci\u00f3n".encode("latin-1"))
    )
    routes["/good-gzip"] = compressed(POLICY)
    server = HostileSite(routes).start()
    yield server
    server.stop()


@pytest.fixture
async def capturer() -> AsyncIterator[Capturer]:
    """The fetcher's capturer with small, test-sized limits (HTTP only: the browser is tested elsewhere)."""
    http = HttpFetcher(
        user_agent="clausewatch-tests", timeout=TIMEOUT, max_bytes=MAX_BYTES, max_ratio=100.0, max_redirects=5
    )
    yield Capturer(http, None, HostThrottle(0))
    await http.aclose()


def _target(site: HostileSite, path: str) -> Target:
    return Target("bad/doc", "bad", (site.url(path),), select=("main",), javascript=False)


@pytest.mark.parametrize("path", sorted(p for p in CORPUS if p != "/redirect-chain-2"))
async def test_a_bad_response_is_a_named_failure_not_a_snapshot(
    path: str, site: HostileSite, capturer: Capturer
) -> None:
    """Each hostile response ends as a Failed outcome with the expected cause, so no snapshot (and no change) comes of it."""
    outcome = await capturer.capture(_target(site, path))
    assert isinstance(outcome, Failed), f"{path} was captured as a document: {outcome}"
    assert outcome.rejection.cause == CORPUS[path][1], outcome.rejection


@pytest.mark.parametrize("path", ["/good", "/good-latin1-mislabelled", "/good-gzip"])
async def test_a_good_page_among_bad_ones_is_still_captured(
    path: str, site: HostileSite, capturer: Capturer
) -> None:
    """Well-formed pages (also mislabelled Latin-1 and gzip) are captured with their text, so the checks are not over-eager."""
    outcome = await capturer.capture(_target(site, path))
    assert isinstance(outcome, Captured), outcome
    assert outcome.text_chars > 600

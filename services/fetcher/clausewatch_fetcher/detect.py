"""Is this capture the document? Recognise HTTP errors, bot walls, login walls, empty, foreign-language and
incomplete pages, and older copies of the document.

Each check returns a `Rejection` with a machine-readable cause and a retry class, or nothing. Signatures of bot walls
are matched only on short pages or in the title: a real privacy policy that says "we use reCAPTCHA" or "access
denied" is long, and must not be mistaken for a wall.
Pure module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal
from urllib.parse import urlsplit

from clausewatch_fetcher.contents import missing_sections
from clausewatch_fetcher.extract import extract_text, extract_texts, page_title, parse
from clausewatch_fetcher.language import language_mismatch
from clausewatch_shared.stated_dates import StatedDate

RetryClass = Literal["transient", "needs_attention"]
INCOMPLETE_PAGE = "incomplete_page"
OLDER_COPY = "older_copy"

# A wall page is short; a policy is long. Markers only count on pages with less visible text than this.
WALL_MAX_CHARS = 3000

# (vendor, lowercase markers in the HTML) for challenge and block pages of common bot-protection services.
_WALL_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cloudflare", ("cf-browser-verification", "cf_chl_", "/cdn-cgi/challenge-platform", "cf-error-details")),
    ("cloudflare", ("attention required! | cloudflare", "just a moment...", "cf-turnstile")),
    ("imperva", ("_incapsula_resource", "incapsula incident id", "request unsuccessful. incapsula")),
    ("akamai", ("you don't have permission to access", "errors.edgesuite.net")),
    ("datadome", ("captcha-delivery.com", "geo.captcha-delivery", "datadome")),
    ("perimeterx", ("px-captcha", "_pxappid", "perimeterx", "press & hold")),
    ("aws-waf", ("awswafintegration", "aws-waf-token", "awswaf")),
    ("sucuri", ("sucuri website firewall", "sucuri cloudproxy")),
    ("captcha", ("g-recaptcha", "h-captcha", "hcaptcha.com/1/api", "recaptcha/api.js", "are you a robot")),
    ("captcha", ("verify you are human", "verify you are a human", "unusual traffic from your computer")),
)
# Titles or headings that say "blocked" on their own.
_WALL_TITLES = re.compile(
    r"\b(access denied|access to this page has been denied|403 forbidden|forbidden|request blocked|"
    r"you have been blocked|attention required|just a moment|security check|are you a robot|captcha|"
    r"pardon our interruption|bot verification|one more step)\b",
    re.IGNORECASE,
)
_LOGIN_TITLES = re.compile(
    r"\b(log ?in|sign ?in|sign up|authenticate|authentication required)\b", re.IGNORECASE
)
_LOGIN_PATH = re.compile(
    r"/(login|log-in|signin|sign-in|sign_in|auth|sso|oauth|accounts/login)\b", re.IGNORECASE
)
_JS_REQUIRED = re.compile(
    r"(enable javascript|javascript is (required|disabled)|requires javascript|turn on javascript|"
    r"you need to enable javascript)",
    re.IGNORECASE,
)
_APP_ROOTS = re.compile(
    r"""<div[^>]+id=["'](root|app|__next|__nuxt|svelte)["'][^>]*>\s*</div>""", re.IGNORECASE
)


@dataclass(frozen=True)
class Rejection:
    """Why a capture is not the document, and whether trying again later (or with a browser) may help."""

    cause: str
    retry_class: RetryClass
    detail: str
    status_code: int | None = None
    browser_may_help: bool = False


@dataclass(frozen=True)
class Expectation:
    """What the declared document should look like."""

    select: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    language: str = "en"
    min_chars: int = 400
    # Set once a page has lacked sections of its own contents list for the whole confirmation window
    # (`incomplete_confirm_seconds`): it is then the document as published, and is recorded as it is.
    accept_incomplete: bool = False


def status_rejection(status: int, *, bot_wall: str | None = None) -> Rejection | None:
    """Return the rejection for an HTTP error status (None for 2xx/3xx); 5xx, 408 and 429 are transient."""
    if status < 400:
        return None
    if bot_wall:
        return Rejection("bot_wall", "transient", f"HTTP {status} with a {bot_wall} block page", status, True)
    if status in (401, 407):
        return Rejection(
            "login_wall", "needs_attention", f"HTTP {status}: the page asks for credentials", status
        )
    if status in (408, 425, 429) or status >= 500:
        return Rejection("http_error", "transient", f"HTTP {status}", status, status in (429, 503))
    # 403 without a known wall is still often a bot block: let the browser try before giving up.
    return Rejection("http_error", "needs_attention", f"HTTP {status}", status, status == 403)


def bot_wall_vendor(html: str, text_chars: int, headers: dict[str, str] | None = None) -> str | None:
    """Return the vendor of a bot wall or challenge page ('cloudflare', 'imperva', 'captcha'...), or None."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return "cloudflare"
    if "x-iinfo" in headers and text_chars < WALL_MAX_CHARS and "incapsula" in html[:20000].lower():
        return "imperva"
    if text_chars >= WALL_MAX_CHARS:
        return None
    lowered = html.lower()
    for vendor, markers in _WALL_MARKERS:
        if any(marker in lowered for marker in markers):
            return vendor
    title = page_title(html)
    if _WALL_TITLES.search(title):
        return "generic"
    return None


def login_wall(html: str, text_chars: int, requested_url: str, final_url: str) -> str | None:
    """Return why a page looks like a login wall (a redirect to a login path, or a short page with a password box)."""
    if _LOGIN_PATH.search(urlsplit(final_url).path) and not _LOGIN_PATH.search(urlsplit(requested_url).path):
        return f"redirected to a login page ({final_url})"
    if text_chars < WALL_MAX_CHARS:
        lowered = html.lower()
        if 'type="password"' in lowered or "type='password'" in lowered or "type=password" in lowered:
            return "the page is a login form"
        if _LOGIN_TITLES.search(page_title(html)) and text_chars < 800:
            return "the page is a sign-in page"
    return None


def looks_script_rendered(html: str, text_chars: int, min_chars: int) -> bool:
    """Return True if a short page looks like an app shell that a browser would fill in."""
    if text_chars >= max(min_chars, 1):
        return False
    lowered = html.lower()
    return "<script" in lowered and (
        bool(_APP_ROOTS.search(html)) or bool(_JS_REQUIRED.search(html)) or lowered.count("<script") >= 3
    )


def judge_html(
    html: str,
    *,
    status: int,
    expect: Expectation,
    requested_url: str,
    final_url: str,
    headers: dict[str, str] | None = None,
) -> tuple[str, Rejection | None]:
    """Return (extracted text, rejection or None) for an HTML page fetched with `status`.

    Walls are looked for after the `remove` selectors are applied: what the catalogue declares "not the document"
    (a cookie dialog with a captcha, a sign-up box with a password field) must not make the page a wall.
    """
    whole_page = html
    if expect.remove:
        tree = parse(html)
        for selector in expect.remove:
            for node in tree.css(selector):
                node.decompose()
        html = tree.html or ""
    if expect.select:
        full_text, whole = extract_texts(html, list(expect.select))
        all_chars = len(whole)
    else:
        full_text = extract_text(html)
        all_chars = len(full_text)
    vendor = bot_wall_vendor(html, all_chars, headers)
    rejected = status_rejection(status, bot_wall=vendor)
    if rejected:
        return full_text, rejected
    if vendor:
        return full_text, Rejection(
            "bot_wall", "transient", f"a {vendor} challenge or block page", status, True
        )
    why_login = login_wall(html, all_chars, requested_url, final_url)
    if why_login:
        return full_text, Rejection("login_wall", "needs_attention", why_login, status)
    rejected = judge_text(
        full_text, expect, status, script_shell=looks_script_rendered(html, all_chars, expect.min_chars)
    )
    if rejected is None and not expect.accept_incomplete:
        rejected = incomplete_rejection(html, whole_page, status)
    return full_text, rejected


def incomplete_rejection(html: str, whole_page: str, status: int | None = None) -> Rejection | None:
    """Return a transient rejection if the page lacks sections its own contents list links to (decision 0151).

    Transient: the page is retried on the failure schedule, with the browser where the document allows it (a page
    that loads its sections late may be whole once rendered); the handler accepts it as it is once it has been
    incomplete for the confirmation window.
    """
    missing = missing_sections(html, anchors_from=whole_page if whole_page is not html else None)
    if not missing:
        return None
    shown = "; ".join(f'"{title}"' for title in missing[:6]) + (" …" if len(missing) > 6 else "")
    detail = f"its contents link to {len(missing)} sections the page lacks: {shown}"
    return Rejection(INCOMPLETE_PAGE, "transient", detail, status, browser_may_help=True)


def older_copy_rejection(
    stated: StatedDate | None, floor: date | None, status: int | None = None
) -> Rejection | None:
    """Return a transient rejection if the page states an earlier date for itself than the version on record.

    Grammarly's policy "Effective as of October 29, 2025" was served for about half a day in January 2026 as its
    March 2025 text, word for word, then came back (the bundled history, versions 16–18); Bumble's went from "last
    updated 16th January 2023" back to "22nd December 2022" and forward again. Recorded as served, each such copy is
    two change sets of everything the newer text changed, undone and redone. The handler retries it and records it
    once it has been served for the confirmation window (a rollback the publisher meant). A month-only date ("July
    2026") is compared by month.
    """
    if stated is None or floor is None:
        return None
    older = (
        stated.value < floor
        if stated.has_day
        else (stated.value.year, stated.value.month) < (floor.year, floor.month)
    )
    if not older:
        return None
    detail = (
        f"the page states {stated.text()}, the version on record {floor:%B} {floor.day}, {floor.year}: "
        "an older copy of the document"
    )
    return Rejection(OLDER_COPY, "transient", detail, status)


def judge_text(
    text: str, expect: Expectation, status: int | None = None, *, script_shell: bool = False
) -> Rejection | None:
    """Return a rejection if the extracted text is empty, too short, or in another language than declared."""
    chars = len(text)
    if chars < expect.min_chars:
        where = f"selectors {list(expect.select)}" if expect.select else "the page"
        detail = f"{chars} characters extracted from {where} (minimum {expect.min_chars})"
        if script_shell:
            detail += "; the page looks rendered by JavaScript"
        return Rejection("empty", "needs_attention", detail, status, browser_may_help=script_shell)
    other = language_mismatch(text, expect.language)
    if other:
        return Rejection(
            "wrong_language",
            "needs_attention",
            f"the page is in '{other}', declared '{expect.language}'",
            status,
        )
    return None

"""The fetcher's acceptance matrix: real Chromium and a local HTTP server; each page gives the right fact and no other."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlmodel import select

from clausewatch_fetcher.extract import decode_html, extract_text
from clausewatch_shared.events import DocumentInaccessible, Message, SnapshotCaptured
from clausewatch_shared.models import CaptureFailure, Snapshot
from tests.integration.fetcher.pages import (
    ACCESS_DENIED_200,
    CLOUDFLARE_403,
    SIGNUP_WIDGET,
    french_html,
    policy_html,
    policy_text,
    script_rendered_html,
)
from tests.integration.fetcher.site import LocalSite, Route
from tests.support.pdf import make_pdf

pytestmark = [pytest.mark.integration, pytest.mark.browser]

DOC_ID = "acme/privacy-policy"
CP1252_TEXT = "Our “policy” — it’s café-grade. " + policy_text()


@dataclass
class Scenario:
    """A page (or pages) on the local site, how the catalogue declares it, and the one fact it must produce."""

    name: str
    setup: Callable[[LocalSite], None]
    declaration: Callable[[LocalSite], dict[str, Any]]
    expected: type[Message]
    checks: dict[str, Any] = field(default_factory=dict)


def _decl(*paths: str, **kw: Any) -> Callable[[LocalSite], dict[str, Any]]:
    def build(site: LocalSite) -> dict[str, Any]:
        return {"type": "Privacy Policy", "urls": [site.url(p) for p in paths], **kw}

    return build


def _bomb(site: LocalSite) -> None:
    body = gzip.compress(b"<html><body>" + b" " * 20_000_000 + b"</body></html>", 9)
    site.set("/bomb", Route(body=body, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}))


SCENARIOS = [
    Scenario(
        "script-rendered page",
        lambda s: s.html("/app", script_rendered_html(policy_text())),
        _decl("/app", javascript="auto"),
        SnapshotCaptured,
        {"fetcher": "browser"},
    ),
    Scenario(
        "page needing remove selectors",
        lambda s: s.html("/signup", policy_html(repeat=1, extra_body=SIGNUP_WIDGET)),
        _decl("/signup", remove=[".signup"], min_chars=300),
        SnapshotCaptured,
        {"fetcher": "http"},
    ),
    Scenario(
        "the same page without its remove selectors",
        lambda s: s.html("/signup", policy_html(repeat=1, extra_body=SIGNUP_WIDGET)),
        _decl("/signup", min_chars=300, javascript=False),
        DocumentInaccessible,
        {"cause": "login_wall"},
    ),
    Scenario(
        "multi-URL document",
        lambda s: (s.html("/p1", policy_html("Part one")), s.html("/p2", policy_html("Part two"))),
        _decl("/p1", "/p2"),
        SnapshotCaptured,
        {"parts": 2},
    ),
    Scenario(
        "PDF",
        lambda s: s.set(
            "/policy.pdf",
            Route(body=make_pdf(policy_text().split("\n")), headers={"Content-Type": "application/pdf"}),
        ),
        _decl("/policy.pdf", pdf=True),
        SnapshotCaptured,
        {"fetcher": "pdf", "content_type": "application/pdf"},
    ),
    Scenario(
        "redirect chain",
        lambda s: (
            s.redirect("/r1", "/r2", 301),
            s.redirect("/r2", "/final", 302),
            s.html("/final", policy_html()),
        ),
        _decl("/r1"),
        SnapshotCaptured,
        {"final": "/final", "redirects": 2},
    ),
    Scenario(
        "403 bot wall",
        lambda s: s.set("/wall", Route(body=CLOUDFLARE_403.encode(), status=403)),
        _decl("/wall"),
        DocumentInaccessible,
        {"cause": "bot_wall", "status_code": 403, "tried": "http+browser"},
    ),
    Scenario(
        "200 Access denied page",
        lambda s: s.html("/denied", ACCESS_DENIED_200),
        _decl("/denied"),
        DocumentInaccessible,
        {"cause": "bot_wall", "status_code": 200},
    ),
    Scenario(
        "empty page",
        lambda s: s.html("/empty", "<html><head><title>Privacy</title></head><body></body></html>"),
        _decl("/empty"),
        DocumentInaccessible,
        {"cause": "empty"},
    ),
    Scenario(
        "response over the size cap",
        lambda s: s.html("/huge", policy_html(repeat=1500)),
        _decl("/huge"),
        DocumentInaccessible,
        {"cause": "too_large"},
    ),
    Scenario("gzip bomb", _bomb, _decl("/bomb"), DocumentInaccessible, {"cause": "decompression_bomb"}),
    Scenario(
        "Windows-1252 page",
        lambda s: s.set(
            "/cp1252",
            Route(
                body=f"<html><body><main>{CP1252_TEXT}</main></body></html>".encode("cp1252"),
                headers={"Content-Type": "text/html; charset=windows-1252"},
            ),
        ),
        _decl("/cp1252"),
        SnapshotCaptured,
        {"text_contains": "it’s café-grade"},
    ),
    Scenario(
        "page slower than the timeout",
        lambda s: s.set("/slow", Route(body=policy_html().encode(), delay=4.0)),
        _decl("/slow"),
        DocumentInaccessible,
        {"cause": "timeout", "retry_class": "transient"},
    ),
    Scenario(
        "page in another language than declared",
        lambda s: s.html("/fr", french_html()),
        _decl("/fr", language="en"),
        DocumentInaccessible,
        {"cause": "wrong_language"},
    ),
    Scenario(
        "redirect to a login page",
        lambda s: (s.redirect("/private", "/login?next=/private"), s.html("/login", policy_html("Sign in"))),
        _decl("/private"),
        DocumentInaccessible,
        {"cause": "login_wall"},
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_each_page_gives_the_right_fact_and_nothing_else(
    scenario: Scenario, site: LocalSite, make_fetcher: Any
) -> None:
    """Each fixture page yields exactly one fact of the expected kind, with the expected evidence, and no dead letter."""
    scenario.setup(site)
    async with make_fetcher([scenario.declaration(site)]) as fetcher:
        events = await fetcher.capture(DOC_ID)
        assert [type(e) for e in events] == [scenario.expected], events
        event = events[0]
        checks = scenario.checks
        async with fetcher.db.session() as session:
            snapshots = (await session.exec(select(Snapshot))).all()
            failures = (await session.exec(select(CaptureFailure))).all()
        if isinstance(event, SnapshotCaptured):
            assert len(snapshots) == 1
            assert failures == []
            if "fetcher" in checks:
                assert event.fetcher == checks["fetcher"]
            if "parts" in checks:
                assert [p.url for p in event.parts] == [site.url("/p1"), site.url("/p2")]
            if "content_type" in checks:
                assert event.parts[0].content_type == checks["content_type"]
            if "final" in checks:
                assert event.parts[0].final_url == site.url(checks["final"])
                hops = snapshots[0].headers["parts"][0]["redirects"]
                assert [h["status"] for h in hops] == [301, 302]
            body = await fetcher.runtime.blobs.get(event.parts[0].sha256)
            if "text_contains" in checks:
                text = extract_text(decode_html(body, event.parts[0].content_type))
                assert checks["text_contains"] in text
            if checks.get("fetcher") == "browser":
                assert "train and improve our models" in extract_text(
                    decode_html(body, event.parts[0].content_type)
                )
        else:
            assert isinstance(event, DocumentInaccessible)
            assert snapshots == []
            assert len(failures) == 1
            assert event.cause == checks["cause"], event.detail
            for key in ("status_code", "retry_class"):
                if key in checks:
                    assert getattr(event, key) == checks[key]
            if "tried" in checks:
                assert failures[0].fetcher == checks["tried"]
        assert await fetcher.dead_letters() == []


async def test_an_unchanged_app_shell_does_not_hide_a_change_in_its_rendered_text(
    site: LocalSite, make_fetcher: Any
) -> None:
    """A script-rendered page whose shell keeps its ETag but whose loaded text changes yields a second snapshot."""
    shell = (
        "<html><head><title>Policy</title></head><body><div id='root'></div><script>"
        "fetch('/content.txt').then(r => r.text()).then(t => {const m = document.createElement('main');"
        "m.innerText = t; document.getElementById('root').appendChild(m);});</script></body></html>"
    )
    site.set("/shell", Route(body=shell.encode(), etag='"shell-v1"'))
    site.set(
        "/content.txt", Route(body=policy_text(marker="v1").encode(), headers={"Content-Type": "text/plain"})
    )
    async with make_fetcher(
        [{"type": "Privacy Policy", "urls": [site.url("/shell")], "select": ["main"]}]
    ) as fetcher:
        first = (await fetcher.capture(DOC_ID, "s1"))[0]
        assert isinstance(first, SnapshotCaptured)
        assert first.fetcher == "browser"
        site.set(
            "/content.txt",
            Route(body=policy_text(marker="v2").encode(), headers={"Content-Type": "text/plain"}),
        )
        events = await fetcher.capture(DOC_ID, "s2", count=2)
        assert [type(e) for e in events] == [SnapshotCaptured, SnapshotCaptured]
        assert events[1].sha256 != first.sha256  # type: ignore[attr-defined]

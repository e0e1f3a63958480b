"""Jinja2 for the web pages: autoescaped templates from the package, and the filters they use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from clausewatch_api.respond import with_etag
from clausewatch_shared.descriptions import severity_word
from clausewatch_shared.prose import inline_html, visible_text


def _parse(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def day(value: Any) -> str:
    """Format a date as 'Jun 2, 2026' (empty when absent)."""
    parsed = _parse(value)
    return f"{parsed:%b} {parsed.day}, {parsed.year}" if parsed else ""


def stamp(value: Any) -> str:
    """Format a time as '2026-05-20 23:09:47 UTC' (empty when absent)."""
    parsed = _parse(value)
    return f"{parsed:%Y-%m-%d %H:%M:%S} UTC" if parsed else ""


def percent(value: Any) -> str:
    """Format a 0–1 confidence as a whole percentage."""
    return f"{round(float(value) * 100)}%" if isinstance(value, int | float) else ""


def confidence_label(value: Any) -> str:
    """Say a confidence in words, as the seeds do: High (≥0.8), Medium (≥0.5) or Low."""
    if not isinstance(value, int | float):
        return ""
    return "High" if value >= 0.8 else "Medium" if value >= 0.5 else "Low"


def prose(text: Any, base: str | None = None) -> Markup:
    """Render a provision's Markdown text as readers see it: links as links, no heading marks (see shared.prose)."""
    return Markup(inline_html(str(text or ""), base=base or None))  # noqa: S704 - inline_html escapes


def plain(text: Any) -> str:
    """Return a provision's visible words (for excerpts cut to a length, where a link could be cut in half)."""
    return visible_text(str(text or ""), rows_as_text=True)


def runs(pairs: list[Any]) -> Markup:
    """Render (kind, text) diff runs as HTML, wrapping removed words in <del> and added ones in <ins>.

    Each run's complete links are rendered as links; a link the diff cut across runs has already been written as
    its words and address (`diffview.side_by_side`), so the changed part of it shows.
    """
    out = []
    line_start = True
    for kind, text in pairs:
        safe = Markup(inline_html(text, strip_headings=line_start))  # noqa: S704 - inline_html escapes
        line_start = text.endswith("\n")
        if kind == "del":
            out.append(Markup('<del class="w">{}</del>').format(safe))
        elif kind == "ins":
            out.append(Markup('<ins class="w">{}</ins>').format(safe))
        else:
            out.append(safe)
    return Markup("").join(out)


def sentence(text: Any) -> str:
    """Write a message as a sentence: its first letter upper-case (the rest untouched, unlike `capitalize`, which
    would lower "UTC" and "API"), and a full stop at the end if it has none."""
    words = str(text or "").strip()
    if not words:
        return ""
    words = words[:1].upper() + words[1:]
    return words if words.endswith((".", "!", "?")) else words + "."


def build_environment() -> Environment:
    """Return the template environment (autoescaping on for every HTML template)."""
    env = Environment(
        loader=PackageLoader("clausewatch_api", "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        day=day,
        stamp=stamp,
        percent=percent,
        confidence_label=confidence_label,
        runs=runs,
        prose=prose,
        plain=plain,
        severity_word=severity_word,
        sentence=sentence,
    )
    return env


def render(request: Request, env: Environment, name: str, status_code: int = 200, **context: Any) -> Response:
    """Render a page with an ETag (a 304 when the client has this exact page already)."""
    html = env.get_template(name).render(request_path=request.url.path, **context).encode()
    response = with_etag(request, html, "text/html; charset=utf-8", conditional=status_code == 200)
    response.status_code = response.status_code if response.status_code == 304 else status_code
    return response

"""Rendering of word diffs: plain text for terminals and e-mails, HTML (inline or side by side) for pages.

Works on the `[op, text]` segments stored in `Change.diff`, so the API can call the same logic on stored rows
(or copy these few lines) without the rest of the differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

Segment = Sequence[str]

CSS = """
.cw-diff{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:1rem auto;color:#1b1b1b}
.cw-change{border:1px solid #d0d7de;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
.cw-change.cw-cosmetic{opacity:.7}
.cw-meta{font-size:13px;color:#57606a}.cw-summary{margin:.25rem 0 .5rem}
.cw-sbs{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.cw-sbs>div{white-space:pre-wrap}
.cw-inline{white-space:pre-wrap}
del{background:#ffebe9;color:#82071e;text-decoration:line-through}ins{background:#dafbe1;color:#116329;text-decoration:none}
""".strip()


def inline_html(diff: Iterable[Segment]) -> str:
    """Return one HTML fragment with deletions in <del> and insertions in <ins>."""
    out = []
    for op, text in diff:
        if op == "-":
            out.append(f"<del>{escape(text)}</del>")
        elif op == "+":
            out.append(f"<ins>{escape(text)}</ins>")
        else:
            out.append(escape(text))
    return "".join(out)


def side_by_side_html(diff: Iterable[Segment]) -> tuple[str, str]:
    """Return (old, new) HTML fragments: the old text with deletions marked, the new one with insertions."""
    left, right = [], []
    for op, text in diff:
        if op == "-":
            left.append(f"<del>{escape(text)}</del>")
        elif op == "+":
            right.append(f"<ins>{escape(text)}</ins>")
        else:
            left.append(escape(text))
            right.append(escape(text))
    return "".join(left), "".join(right)


def inline_text(diff: Iterable[Segment]) -> str:
    """Return the diff as text with [-deleted-] and {+inserted+} markers (git's --word-diff=plain style)."""
    out = []
    for op, text in diff:
        if op == "-":
            out.append(f"[-{text}-]")
        elif op == "+":
            out.append(f"{{+{text}+}}")
        else:
            out.append(text)
    return "".join(out)


def change_text(change: Mapping[str, Any]) -> str:
    """Return one change as a few lines of text."""
    path = " > ".join(change.get("heading_path") or []) or "(top)"
    head = f"[{change['significance']}] {change['kind']} · {path}"
    hints = change.get("hints") or []
    lines = [head + (f" · {', '.join(hints)}" if hints else ""), f"  {change['summary']}"]
    body = inline_text(change.get("diff") or [])
    lines.extend("    " + line for line in body.splitlines() if line.strip())
    return "\n".join(lines)


def report_text(result: Mapping[str, Any]) -> str:
    """Return a whole comparison (the CLI's JSON object) as text."""
    verdict = "substantive" if result["substantive"] else "no substantive change"
    lines = [f"{result['old']} → {result['new']}: {verdict}", result.get("summary", ""), ""]
    for change in result["changes"]:
        lines.extend([change_text(change), ""])
    return "\n".join(lines).rstrip() + "\n"


def change_html(change: Mapping[str, Any], mode: str = "side-by-side") -> str:
    """Return one change as an HTML <section> (mode: 'side-by-side' or 'inline')."""
    diff = change.get("diff") or []
    path = " › ".join(change.get("heading_path") or [])
    hints = ", ".join(change.get("hints") or [])
    if mode == "inline":
        body = f'<div class="cw-inline">{inline_html(diff)}</div>'
    else:
        left, right = side_by_side_html(diff)
        body = f'<div class="cw-sbs"><div class="cw-old">{left}</div><div class="cw-new">{right}</div></div>'
    return (
        f'<section class="cw-change cw-{escape(change["significance"])}">'
        f'<div class="cw-meta">{escape(change["kind"])} · {escape(change["significance"])}'
        f"{' · ' + escape(path) if path else ''}{' · ' + escape(hints) if hints else ''}</div>"
        f'<p class="cw-summary">{escape(change["summary"])}</p>{body}</section>'
    )


def report_html(result: Mapping[str, Any], mode: str = "side-by-side") -> str:
    """Return a standalone HTML page for a comparison, both views' styles included."""
    title = f"{result['old']} → {result['new']}"
    sections = "\n".join(change_html(c, mode) for c in result["changes"])
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f'<body><main class="cw-diff"><h1>{escape(title)}</h1><p>{escape(result.get("summary", ""))}</p>'
        f"{sections}</main></body></html>\n"
    )

"""Atom 1.0 feeds (RFC 4287) of change sets (pure: takes dicts from `present`, returns bytes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

ATOM_NS = "http://www.w3.org/2005/Atom"


def _sub(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    node = SubElement(parent, tag, attrs)
    if text is not None:
        node.text = text
    return node


def entry_title(cs: Mapping[str, Any]) -> str:
    """Return the entry title: severity, platform, document and what changed."""
    severity = f"[{str(cs['severity']).capitalize()}] " if cs.get("severity") else ""
    where = " · ".join(str(x) for x in (cs.get("platform_name"), cs.get("document_title")) if x)
    counts = cs.get("counts") or {}
    what = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n) or "changed"
    return f"{severity}{where}: {what}"


def feed(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    alternate_url: str,
    base_url: str,
    change_sets: Sequence[Mapping[str, Any]],
    updated: datetime,
) -> bytes:
    """Return an Atom feed document whose entries are the given change sets, newest first."""
    root = Element("feed", {"xmlns": ATOM_NS})
    _sub(root, "id", feed_id)
    _sub(root, "title", title)
    _sub(root, "updated", updated.isoformat().replace("+00:00", "Z"))
    _sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(root, "link", rel="alternate", type="text/html", href=alternate_url)
    _sub(root, "generator", "clausewatch")
    author = _sub(root, "author")
    _sub(author, "name", "clausewatch")
    for cs in change_sets:
        entry = _sub(root, "entry")
        url = f"{base_url}/changes/{cs['id']}"
        _sub(entry, "id", f"urn:uuid:{cs['id']}" if len(str(cs["id"])) == 36 else url)
        _sub(entry, "title", entry_title(cs))
        _sub(entry, "updated", str(cs["created_at"]))
        _sub(entry, "published", str(cs["created_at"]))
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        lines = [_most_serious(cs.get("most_serious")), str(cs.get("summary") or "")]
        laws = cs.get("regulation_names") or cs.get("regulations")
        if laws:
            lines.append("Regulations: " + ", ".join(str(r) for r in laws))
        _sub(entry, "summary", "\n".join(line for line in lines if line))
        for clause in cs.get("clause_types") or []:
            _sub(entry, "category", term=str(clause["id"]), label=str(clause["label"]))
        if cs.get("severity"):
            _sub(entry, "category", term=f"severity:{cs['severity']}", label=f"Severity {cs['severity']}")
    body: bytes = tostring(root, encoding="utf-8")  # typeshed types tostring with a named encoding as Any
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def _most_serious(top: dict[str, Any] | None) -> str:
    """Say a change set's most serious change in one line, as the latest-changes page does."""
    if not top:
        return ""
    where = f" under “{' › '.join(top['where'])}”" if top.get("where") else ""
    excerpt = f": “{top['excerpt']}”" if top.get("excerpt") else ""
    return f"Most serious ({top['severity']}): {top['what']}{where}{excerpt}"

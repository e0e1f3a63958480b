"""Shape table rows into plain dicts for JSON and templates (pure: no I/O, no asyncio).

The analyzer's JSON columns are filled by another service and grow over time, so every reader here is defensive:
a missing or differently shaped field renders as absent, never as a server error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from clausewatch_api.comparisons import Candidate
from clausewatch_api.filters import SEVERITY_RANK, max_severity
from clausewatch_shared.descriptions import reading_rank, split_severity, without_type_list
from clausewatch_shared.models import (
    Change,
    ChangeAssessment,
    ChangeSet,
    Document,
    Platform,
    Provision,
    ProvisionAssessment,
    Snapshot,
    Version,
)
from clausewatch_shared.prose import visible_text

SEVERITY_LABELS = {"high": "High", "medium": "Medium", "low": "Low", "none": "None"}


def iso(value: datetime | None) -> str | None:
    """Return an ISO 8601 UTC string (with Z) or None."""
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def first(mapping: Mapping[str, Any] | None, *keys: str, default: Any = None) -> Any:
    """Return the first present, non-empty value among keys of mapping."""
    if not isinstance(mapping, Mapping):
        return default
    for key in keys:
        value = mapping.get(key)
        if value not in (None, "", [], {}):
            return value
    return default


def excerpt(text: str, limit: int) -> str:
    """A provision's visible words, cut at a word before `limit` characters."""
    # Cut the visible words, not the Markdown: a cut inside a link would leave "[label](https://…" on the page.
    text = visible_text(text, rows_as_text=True)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def statement(
    candidate: Candidate,
    provision: Provision,
    document: Document | None,
    platform: Platform | None,
    chars: int,
) -> dict[str, Any]:
    """One platform's statement of a clause type, as comparisons show it: who, where, how serious, an excerpt."""
    return {
        "platform_id": candidate.platform_id,
        "platform_name": platform.name if platform else candidate.platform_id,
        "document_title": document.title if document else provision.document_id,
        "provision_id": provision.id,
        "provision_key": provision.key,
        "severity": candidate.severity,
        "excerpt": excerpt(provision.text, chars),
    }


def humanise(slug: str) -> str:
    """Return a readable label for an id such as 'ai-training' ('Ai training' -> 'AI training' where known)."""
    words = slug.replace("_", "-").split("-")
    known = {"ai": "AI", "gdpr": "GDPR", "ccpa": "CCPA", "uk": "UK", "eu": "EU", "us": "US", "ftc": "FTC"}
    out = [known.get(w.lower(), w) for w in words if w]
    if out and out[0] == out[0].lower():
        out[0] = out[0].capitalize()
    return " ".join(out)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


# --- analysis fields -----------------------------------------------------------------------------------------------


def clause_types(raw: Iterable[Any]) -> list[dict[str, Any]]:
    """Normalise clause type entries (strings or dicts) into {id, label, confidence, evidence}."""
    out: list[dict[str, Any]] = []
    for item in _as_list(raw):
        if isinstance(item, str):
            out.append({"id": item, "label": humanise(item), "confidence": None, "evidence": []})
        elif isinstance(item, Mapping):
            cid = first(item, "id", "clause_type", "type", "slug", "name")
            if not isinstance(cid, str):
                continue
            confidence = first(item, "confidence", "score", "probability")
            evidence = [
                e if isinstance(e, str) else _text(first(e, "text", "quote"))
                for e in _as_list(first(item, "evidence", "quotes", "spans", "matches"))
            ]
            out.append(
                {
                    "id": cid,
                    "label": _text(first(item, "label", "title", "name")) or humanise(cid),
                    "confidence": float(confidence) if isinstance(confidence, int | float) else None,
                    "evidence": [e for e in evidence if e],
                }
            )
    return out


def regulations(ids: Iterable[Any], texts: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Return regulation entries {id, name, jurisdiction, articles, agencies} from ids and any richer records."""
    richer: dict[str, dict[str, Any]] = {}
    for item in _as_list(first(texts, "regulations", "regulation_details")):
        if isinstance(item, Mapping) and isinstance(first(item, "id", "name"), str):
            richer[str(first(item, "id", "name"))] = dict(item)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in [*_as_list(ids), *richer.values()]:
        record = dict(item) if isinstance(item, Mapping) else {"id": item} if isinstance(item, str) else None
        if record is None:
            continue
        rid = str(first(record, "id", "name"))
        if rid in seen:
            continue
        seen.add(rid)
        record = {**record, **richer.get(rid, {})}
        articles = []
        for art in _as_list(first(record, "articles", "provisions", "sections")):
            if isinstance(art, Mapping):
                title = _text(first(art, "title", "about"))
                articles.append(f"{first(art, 'id', default='')}" + (f" ({title})" if title else ""))
            elif art:
                articles.append(str(art))
        out.append(
            {
                "id": rid,
                "name": _text(first(record, "name", "short_name", "title", "label")) or humanise(rid),
                "full_name": _text(first(record, "full_name")),
                "jurisdiction": _text(first(record, "jurisdiction_name", "jurisdiction", "region")),
                "flag": _text(first(record, "flag")),
                "articles": articles,
                "agencies": agencies(first(record, "agencies", "regulators", default=[])),
                "url": _text(first(record, "url", "link")),
            }
        )
    return out


def agencies(raw: Any) -> list[dict[str, str]]:
    """Normalise agency entries into {name, jurisdiction, role, url}."""
    out: list[dict[str, str]] = []
    for item in _as_list(raw):
        if isinstance(item, str):
            out.append({"name": item, "jurisdiction": "", "role": "", "url": ""})
        elif isinstance(item, Mapping) and isinstance(first(item, "name", "id"), str):
            out.append(
                {
                    "name": str(first(item, "name", "id")),
                    "jurisdiction": _text(first(item, "jurisdiction", "region")),
                    "role": _text(first(item, "role", "description", "why")),
                    "url": _text(first(item, "url", "complaint_url", "link")),
                }
            )
    return out


def all_agencies(regs: list[dict[str, Any]], texts: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """Return the agencies named by the analysis and by each regulation, once each."""
    seen: dict[str, dict[str, str]] = {}
    for agency in [
        *agencies(first(texts, "agencies", "enforcers")),
        *(a for r in regs for a in r["agencies"]),
    ]:
        seen.setdefault(agency["name"], agency)
    return list(seen.values())


def opt_outs(raw: Iterable[Any]) -> list[dict[str, str]]:
    """Normalise opt-out routes into {kind, value, text}."""
    out: list[dict[str, str]] = []
    for item in _as_list(raw):
        if isinstance(item, str):
            out.append({"kind": "", "value": item, "text": item})
        elif isinstance(item, Mapping):
            value = _text(first(item, "value", "target", "email", "url", "setting"))
            text = _text(first(item, "context", "text", "description", "quote", "evidence"))
            if value or text:
                out.append(
                    {"kind": _text(first(item, "kind", "type", "channel")), "value": value, "text": text}
                )
    return out


def analysis_texts(texts: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the analysis texts a provision page shows, under fixed names (absent ones are empty)."""
    actions = []
    for item in _as_list(first(texts, "what_you_can_do", "what_to_do", "actions")):
        if isinstance(item, str):
            actions.append({"title": "", "text": item, "route": ""})
        elif isinstance(item, Mapping):
            actions.append(
                {
                    "title": _text(first(item, "title", "label")),
                    "text": _text(first(item, "detail", "text", "description")),
                    "route": _text(first(item, "route", "url")),
                }
            )
    flags = []
    for item in _as_list(first(texts, "jurisdiction_flags")):
        if isinstance(item, Mapping):
            flags.append(
                {
                    "name": _text(first(item, "name", "jurisdiction")),
                    "flag": _text(first(item, "flag")),
                    "regulations": [str(r) for r in _as_list(item.get("regulations"))],
                }
            )
    institutional = [
        {"title": _text(first(item, "title")), "text": _text(first(item, "text"))}
        for item in _as_list(first(texts, "institutional"))
        if isinstance(item, Mapping) and _text(first(item, "text"))
    ]
    activity = first(texts, "platform_activity")
    return {
        "what_it_is": _text(first(texts, "what_it_is", "summary", "plain_language", "description")),
        "why_it_matters": _text(first(texts, "why_it_matters", "why", "significance")),
        "impact": _text(first(texts, "consumer_impact", "impact", "what_it_means", "user_impact")),
        "what_to_do": actions,
        "carve_outs": [_text(c) for c in _as_list(first(texts, "carve_outs")) if _text(c)],
        "caveat": _text(first(texts, "caveat")),
        "disclaimer": _text(first(texts, "disclaimer")),
        "interpretive_note": _text(first(texts, "interpretive_note", "uncertainty")),
        "institutional": institutional,
        "jurisdiction_flags": flags,
        "platform_activity": _text(first(activity, "text")) if isinstance(activity, Mapping) else "",
    }


def provision_assessment(a: ProvisionAssessment | None) -> dict[str, Any] | None:
    """Return a provision's assessment as a dict with normalised analysis fields."""
    if a is None:
        return None
    regs = regulations(a.regulations, a.texts)
    return {
        "id": a.id,
        "severity": a.severity,
        "confidence": a.confidence,
        "primary_clause_type": a.primary_clause_type,
        "clause_types": clause_types(a.clause_types),
        "reasons": [r for r in a.reasons if isinstance(r, str)],
        "evidence": [e for e in a.evidence if isinstance(e, str)],
        "regulations": regs,
        "agencies": all_agencies(regs, a.texts),
        "opt_outs": opt_outs(a.opt_outs),
        "texts": analysis_texts(a.texts),
        "model_version": a.model_version,
        "created_at": iso(a.created_at),
    }


def _recorded_names(texts: Mapping[str, Any] | None, key: str) -> dict[str, str]:
    """Return id -> display name from a change assessment's texts under `key` ("clause_types" or
    "regulation_details"), where the analyzer recorded them."""
    return {
        str(entry.get("id")): str(entry.get("name"))
        for entry in _as_list(first(texts, key))
        if isinstance(entry, Mapping) and entry.get("id") and entry.get("name")
    }


def change_assessment(a: ChangeAssessment) -> dict[str, Any]:
    """Return a change's assessment as a dict (clause type names and regulation details when recorded)."""
    texts = getattr(a, "texts", None) or {}
    names = _recorded_names(texts, "clause_types")
    return {
        "id": a.id,
        "change_id": a.change_id,
        "severity": a.severity,
        "severity_before": a.severity_before,
        "severity_after": a.severity_after,
        "escalation": a.escalation,
        "confidence": a.confidence,
        "clause_types": [
            {"id": c, "label": names.get(c) or humanise(c)} for c in a.clause_types if isinstance(c, str)
        ],
        "regulations": regulations(a.regulations, texts),
        "reasons": [r for r in a.reasons if isinstance(r, str)],
        "description": a.description,
        "created_at": iso(a.created_at),
    }


# --- catalogue and versions ----------------------------------------------------------------------------------------


def platform(p: Platform) -> dict[str, Any]:
    """Return a platform as a dict."""
    return {
        "id": p.id,
        "name": p.name,
        "website": p.website,
        "jurisdictions": list(p.jurisdictions),
        "categories": list(p.categories),
    }


def document(d: Document) -> dict[str, Any]:
    """Return a document (with its capture health) as a dict."""
    return {
        "id": d.id,
        "platform_id": d.platform_id,
        "doc_type": d.doc_type,
        "title": d.title,
        "urls": list(d.urls),
        "language": d.language,
        "active": d.active,
        "last_captured_at": iso(d.last_captured_at),
        "last_sha256": d.last_sha256,
        "needs_attention": d.needs_attention,
        "attention_reason": d.attention_reason,
    }


def version(v: Version, include_text: bool = False) -> dict[str, Any]:
    """Return a version's record (its text only when asked)."""
    out: dict[str, Any] = {
        "id": v.id,
        "document_id": v.document_id,
        "snapshot_id": v.snapshot_id,
        "previous_version_id": v.previous_version_id,
        "text_sha256": v.text_sha256,
        "extractor_version": v.extractor_version,
        "provision_count": v.provision_count,
        "document_date": v.document_date,
        "created_at": iso(v.created_at),
    }
    if include_text:
        out["text"] = v.text
    return out


def provision(p: Provision, a: ProvisionAssessment | None = None) -> dict[str, Any]:
    """Return a provision with its assessment's headline fields."""
    return {
        "id": p.id,
        "key": p.key,
        "version_id": p.version_id,
        "document_id": p.document_id,
        "ordinal": p.ordinal,
        "kind": p.kind,
        "heading_path": list(p.heading_path),
        "text": p.text,
        "text_sha256": p.text_sha256,
        "severity": a.severity if a else None,
        "confidence": a.confidence if a else None,
        "primary_clause_type": a.primary_clause_type if a else None,
    }


def provision_title(p: Provision, a: ProvisionAssessment | None) -> str:
    """Return the heading a provision is shown under: its clause type, else its heading, else its first words."""
    if a is not None:
        types = clause_types(a.clause_types)
        wanted = a.primary_clause_type
        for entry in types:
            if entry["id"] == wanted:
                return str(entry["label"])
        if wanted:
            return humanise(wanted)
        if types:
            return str(types[0]["label"])
    if p.heading_path:
        return str(p.heading_path[-1])
    words = p.text.split()
    return " ".join(words[:10]) + ("…" if len(words) > 10 else "")


def snapshot(s: Snapshot) -> dict[str, Any]:
    """Return a snapshot's evidence record (with how the page was brought to show the document, when it was)."""
    return {
        "id": s.id,
        "document_id": s.document_id,
        "sha256": s.sha256,
        "parts": [dict(part) for part in s.parts],
        "fetcher": s.fetcher,
        "captured_at": iso(s.captured_at),
        "archive_url": s.archive_url,
        **capture_method(s),
    }


def capture_method(s: Snapshot) -> dict[str, list[str]]:
    """What the fetcher did beyond loading the page, from the evidence it kept: the page steps the browser did
    (decision 0173) and the names of the declared cookies sent (0175), over all parts; nothing when neither."""
    parts = [p for p in (s.headers or {}).get("parts", []) if isinstance(p, dict)]
    steps = [str(line) for p in parts for line in p.get("steps") or ()]
    cookies = sorted({str(name) for p in parts for name in p.get("cookies_sent") or ()})
    return {**({"steps": steps} if steps else {}), **({"cookies_sent": cookies} if cookies else {})}


def change(c: Change, a: ChangeAssessment | None = None) -> dict[str, Any]:
    """Return one provision-level change with its assessment."""
    return {
        "id": c.id,
        "ordinal": c.ordinal,
        "kind": c.kind,
        "significance": c.significance,
        "provision_key": c.provision_key,
        "old_provision_id": c.old_provision_id,
        "new_provision_id": c.new_provision_id,
        "heading_path": list(c.heading_path),
        "old_text": c.old_text,
        "new_text": c.new_text,
        "hints": list(c.hints),
        "summary": c.summary,
        "diff": list(c.diff),
        "assessment": change_assessment(a) if a else None,
    }


def change_set(
    cs: ChangeSet,
    doc: Document | None,
    plat: Platform | None,
    assessments: list[ChangeAssessment],
    changes: Mapping[str, Change] | None = None,
) -> dict[str, Any]:
    """Return a change set's headline: where, when, how much, how serious, which clause types and laws, and its
    most serious change (`changes` holds that change's row, by id, for its place and words)."""
    clause_ids: dict[str, str] = {}
    reg_ids: dict[str, str] = {}
    top = most_serious(assessments, changes)
    for a in assessments:
        names = _recorded_names(getattr(a, "texts", None), "clause_types")
        laws = _recorded_names(getattr(a, "texts", None), "regulation_details")
        for c in a.clause_types:
            if isinstance(c, str):
                clause_ids.setdefault(c, names.get(c) or humanise(c))
        for r in a.regulations:
            if isinstance(r, str) and not reg_ids.get(r):
                reg_ids[r] = laws.get(r, "")
    return {
        "id": cs.id,
        "document_id": cs.document_id,
        "document_title": doc.title if doc else cs.document_id,
        "platform_id": doc.platform_id if doc else None,
        "platform_name": plat.name if plat else (doc.platform_id if doc else None),
        "version_id": cs.version_id,
        "previous_version_id": cs.previous_version_id,
        "restores_version_id": cs.restores_version_id,
        "alternates": cs.alternates,
        "announces_effective_date": _iso_day(cs.announces_effective_date),
        "takes_effect_date": _iso_day(cs.takes_effect_date),
        "substantive": cs.substantive,
        "counts": dict(cs.counts),
        "summary": cs.summary,
        "created_at": iso(cs.created_at),
        "assessed": bool(assessments),
        "severity": max_severity([a.severity for a in assessments]) if assessments else None,
        "escalations": sum(1 for a in assessments if a.escalation == "escalated"),
        "clause_types": [{"id": c, "label": label} for c, label in clause_ids.items()],
        "regulations": list(reg_ids),
        "regulation_names": [name or r for r, name in reg_ids.items()],
        "most_serious": headline(top, (changes or {}).get(top.change_id)) if top is not None else None,
    }


def _iso_day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def most_serious(
    assessments: Iterable[ChangeAssessment], changes: Mapping[str, Change] | None = None
) -> ChangeAssessment | None:
    """Return the change a reader should see first in a change set, or None if none is above severity none.

    The most severe; among equals, by `reading_rank`, the order the alert's subject and list use: one that escalates
    or takes something from users (a removed promise, a lost opt-out), then an added or removed provision, then a
    rewording whose severity moved, then any other. The
    differ's summary names the first change in document order: Grok's set led with a rewritten cookie paragraph
    while its news was the removed promise not to sell personal data (demo, session 16). Among changes still equal,
    the first in the document (`changes` holds their rows, by id; `serious_candidates` says which to load):
    eharmony's three removed paragraphs on complaints were headed by the third, "If you are located elsewhere in
    Europe…", not by "Right to lodge a complaint with a supervisory authority" (session 17).
    """
    tied = serious_candidates(assessments)
    if not tied:
        return None
    rows = changes or {}
    # The change id last: the same choice on every page load when a row is missing.
    return min(
        tied, key=lambda a: (rows[a.change_id].ordinal if a.change_id in rows else _UNKNOWN, a.change_id)
    )


_UNKNOWN = 1 << 30


def serious_candidates(assessments: Iterable[ChangeAssessment]) -> list[ChangeAssessment]:
    """Return the changes of a set that rank first by `most_serious`'s rules before document order."""
    ranked = [a for a in assessments if SEVERITY_RANK.get(a.severity, 0) > SEVERITY_RANK["none"]]
    if not ranked:
        return []
    best = max(_seriousness(a) for a in ranked)
    return [a for a in ranked if _seriousness(a) == best]


def _seriousness(a: ChangeAssessment) -> tuple[int, int]:
    # Among equally severe changes, the order the e-mail and the analyzer's summary use (`reading_rank`), so the
    # page's headline is the change the alert's subject names.
    return (SEVERITY_RANK.get(a.severity, 0), -reading_rank(a.escalation, a.description))


_EXCERPT_WORDS = 16


def headline(a: ChangeAssessment, c: Change | None) -> dict[str, Any]:
    """Return the most serious change of a set as its list row shows it: severity, what happened, where, and the
    provision's first words."""
    # A description that is only a severity part, or empty (a row written by hand), still gives the link a text.
    what = split_severity(a.description)[0] or a.description or (c.kind if c is not None else "changed")
    if ";" in what:  # the types are dropped only where something else says what happened
        what = without_type_list(what)
    text = (c.new_text or c.old_text or "") if c is not None else ""
    words = visible_text(text, rows_as_text=True).split()
    excerpt = " ".join(words[:_EXCERPT_WORDS]) + ("…" if len(words) > _EXCERPT_WORDS else "")
    return {
        "change_id": a.change_id,
        "severity": a.severity,
        "what": what[:1].upper() + what[1:],
        "where": list(c.heading_path[-2:]) if c is not None else [],
        "excerpt": excerpt,
        # The change page numbers its changes in document order from 1 (change.html's anchors).
        "anchor": f"change-{c.ordinal + 1}" if c is not None else "",
    }


def severity_summary(counts: Mapping[str, int]) -> list[dict[str, Any]]:
    """Return severity counts ordered from most to least serious, with labels (zero counts kept)."""
    return [
        {"severity": s, "label": SEVERITY_LABELS[s], "count": int(counts.get(s, 0))}
        for s in sorted(SEVERITY_RANK, key=lambda s: -SEVERITY_RANK[s])
    ]

"""What an alert says: a self-contained view of one assessed change set, built from the pipeline's rows. Pure.

The view is frozen into the delivery's payload when the delivery is planned, so every retry and every replay sends
the same content even if the rows are later re-analysed, and the e-mail and the webhook say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from clausewatch_notifier.tiers import SEVERITY_RANK
from clausewatch_shared.prose import uncut_diff_links

Op = Literal["equal", "insert", "delete"]
_OPS: dict[str, Op] = {
    "equal": "equal",
    "=": "equal",
    " ": "equal",
    "0": "equal",
    "insert": "insert",
    "ins": "insert",
    "added": "insert",
    "+": "insert",
    "1": "insert",
    "delete": "delete",
    "del": "delete",
    "removed": "delete",
    "-": "delete",
    "-1": "delete",
}
_SYMBOLS: dict[Op, str] = {"equal": "=", "insert": "+", "delete": "-"}


class Segment(BaseModel):
    """A run of words in a diff: kept, inserted or deleted."""

    model_config = ConfigDict(frozen=True)

    op: Op
    text: str


class ChangeView(BaseModel):
    """One provision-level change as an alert shows it."""

    model_config = ConfigDict(frozen=True)

    change_id: str
    kind: str
    significance: str
    heading: str
    summary: str
    old_text: str | None
    new_text: str | None
    diff: list[Segment]
    severity: str
    severity_before: str | None = None
    escalation: str | None = None
    clause_types: list[str]
    regulations: list[str]
    description: str
    provision_key: str | None = (
        None  # the provision's key, stable across versions (its /provisions/{key} page)
    )


class AlertView(BaseModel):
    """One assessed change set of one document, with everything an e-mail or a webhook needs."""

    model_config = ConfigDict(frozen=True)

    change_set_id: str
    platform_id: str
    platform_name: str
    document_id: str
    document_title: str
    source_url: str | None
    summary: str
    severity: str
    clause_types: list[str]
    regulations: list[str]
    escalations: int
    detected_at: datetime
    link: str
    changes: list[ChangeView]
    # Display names of the clause type and regulation ids above, as the analyzer recorded them ("gdpr": "GDPR",
    # "ai_training_on_user_content": "AI model training on user content and prompts"). Ids stay the data; names are
    # for people. Absent in deliveries queued before the field existed.
    names: dict[str, str] = Field(default_factory=dict)
    # The page went back, word for word, to the text of an earlier version (not the one before): which, and when we
    # recorded it. Its changes undo what changed since (decision 0156).
    restores_version_id: str | None = None
    restores_recorded_at: datetime | None = None
    # The page goes back and forth: the previous version was a return to an earlier text too. Same-day tiers get it
    # in their weekly digest instead of an e-mail; webhooks still carry it (decision 0162).
    alternates: bool = False
    # The version newly announces a new one taking effect on this date: the changes apply only from then (decisions
    # 0157, 0160).
    announces_effective_date: date | None = None
    # A version the previous one announced is in force since this date: the changes are what differs from the text
    # announced (decisions 0157, 0160).
    takes_effect_date: date | None = None


def diff_segments(diff: Sequence[Any] | None) -> list[Segment]:
    """Read the differ's word diff into segments, accepting [op, text] pairs or {"op"/"tag", "text"} objects.

    Unknown shapes are skipped rather than failing the alert: the old and new texts are always shown too.
    """
    segments: list[Segment] = []
    for item in diff or ():
        op: object
        text: object
        if isinstance(item, dict):
            op = item.get("op", item.get("tag", item.get("type")))
            text = item.get("text", item.get("value", ""))
        elif isinstance(item, list | tuple) and len(item) == 2:
            op, text = item
        else:
            continue
        kind = _OPS.get(str(op).lower())
        if kind is None or not isinstance(text, str):
            continue
        if kind != "equal" and not text.strip():
            # A line break turned into a space (Tinder's DPO address, "cosmetic (merged, whitespace)") printed
            # "Officer[-⏎⏎-][+ +]MTCH" in the e-mail: a change of spacing alone reads as the one space it leaves.
            kind, text = "equal", " "
            if segments and segments[-1].op == "equal" and segments[-1].text.endswith(" "):
                continue
        if segments and segments[-1].op == kind:
            segments[-1] = Segment(op=kind, text=segments[-1].text + text)
        else:
            segments.append(Segment(op=kind, text=text))
    # Each segment is rendered alone: a link or bold run the diff cut apart is written as text here, not left as
    # Markdown ("[[-Terms Required by the -][+Apple +]App Store …](…)").
    uncut = uncut_diff_links([(_SYMBOLS[s.op], s.text) for s in segments])
    return [Segment(op=_OPS[op], text=text) for op, text in uncut]


def max_severity(values: Iterable[str]) -> str:
    """Return the highest severity among values ('none' if there are none)."""
    return max(values, key=lambda s: SEVERITY_RANK.get(s, 0), default="none")


def change_link(public_base_url: str, change_set_id: str) -> str:
    """Return the public page of a change set."""
    return f"{public_base_url.rstrip('/')}/changes/{change_set_id}"


def unsubscribe_link(public_base_url: str, token: str) -> str:
    """Return the one-click unsubscribe URL for a subscriber's token."""
    return f"{public_base_url.rstrip('/')}/unsubscribe/{token}"


def preferences_link(public_base_url: str, token: str) -> str:
    """Return the page where a subscriber changes what they follow and when their digest comes (same token)."""
    return f"{public_base_url.rstrip('/')}/preferences/{token}"


def build_change(change: Any, assessment: Any | None) -> ChangeView:
    """Combine a Change row and its ChangeAssessment row (if the analyzer wrote one) into a ChangeView."""
    heading = " › ".join(str(h) for h in (change.heading_path or []) if h)
    return ChangeView(
        change_id=change.id,
        kind=change.kind,
        significance=change.significance,
        heading=heading,
        summary=change.summary or "",
        old_text=change.old_text,
        new_text=change.new_text,
        diff=diff_segments(change.diff),
        severity=assessment.severity if assessment else "none",
        severity_before=assessment.severity_before if assessment else None,
        escalation=assessment.escalation if assessment else None,
        clause_types=list(assessment.clause_types) if assessment else [],
        regulations=list(assessment.regulations) if assessment else [],
        description=assessment.description if assessment else "",
        provision_key=getattr(change, "provision_key", None),
    )


def _names(assessments: Iterable[Any]) -> dict[str, str]:
    """Return id -> display name from the change assessments' recorded clause types and regulation details."""
    names: dict[str, str] = {}
    for assessment in assessments:
        texts = getattr(assessment, "texts", None) or {}
        for entry in [*(texts.get("clause_types") or []), *(texts.get("regulation_details") or [])]:
            if isinstance(entry, dict) and entry.get("id") and entry.get("name"):
                names.setdefault(str(entry["id"]), str(entry["name"]))
    return names


def build_alert(
    *,
    change_set: Any,
    document: Any,
    platform: Any,
    changes: Sequence[Any],
    assessments: dict[str, Any],
    public_base_url: str,
    summary: str | None = None,
    escalations: int | None = None,
) -> AlertView:
    """Build the alert for a change set from its rows; changes are ordered by ordinal, most severe first kept stable."""
    views = [build_change(c, assessments.get(c.id)) for c in sorted(changes, key=lambda c: c.ordinal)]
    clause_types = sorted({t for v in views for t in v.clause_types})
    regulations = sorted({r for v in views for r in v.regulations})
    return AlertView(
        change_set_id=change_set.id,
        platform_id=platform.id,
        platform_name=platform.name,
        document_id=document.id,
        document_title=document.title,
        source_url=(document.urls or [None])[0],
        summary=summary or change_set.summary,
        severity=max_severity(v.severity for v in views),
        clause_types=clause_types,
        regulations=regulations,
        escalations=escalations
        if escalations is not None
        else sum(1 for v in views if v.escalation == "escalated"),
        detected_at=change_set.created_at,
        link=change_link(public_base_url, change_set.id),
        changes=views,
        names=_names(assessments.values()),
        restores_version_id=getattr(change_set, "restores_version_id", None),
        restores_recorded_at=getattr(change_set, "restores_recorded_at", None),
        alternates=bool(getattr(change_set, "alternates", False)),
        announces_effective_date=getattr(change_set, "announces_effective_date", None),
        takes_effect_date=getattr(change_set, "takes_effect_date", None),
    )

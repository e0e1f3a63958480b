"""Turning assessment results into table rows and into the ChangeAssessed event (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from clausewatch_analyzer.assess import ChangeResult, ProvisionResult
from clausewatch_analyzer.severity import label_severity, max_severity
from clausewatch_analyzer.taxonomy import Taxonomy
from clausewatch_shared.clock import utcnow
from clausewatch_shared.descriptions import reading_rank, split_severity, summary_head, without_type_list
from clausewatch_shared.events import ChangeAssessed, ChangeDetected
from clausewatch_shared.ids import derived_id


class ProvisionLike(Protocol):
    """The provision columns an assessment row copies (a Provision, or repository.ProvisionRef)."""

    @property
    def id(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def version_id(self) -> str: ...
    @property
    def document_id(self) -> str: ...


class ChangeLike(Protocol):
    """The change columns a change assessment row copies (a Change, or repository.ChangeRef)."""

    @property
    def id(self) -> str: ...
    @property
    def change_set_id(self) -> str: ...
    @property
    def document_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def significance(self) -> str: ...
    @property
    def provision_key(self) -> str | None: ...


def clause_type_details(result: ProvisionResult, taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """The labels as stored: id, name, confidence, phrase, evidence, level, source and the severity each implies."""
    details = []
    for label in result.labels:
        call = label_severity(label, taxonomy)
        details.append(
            {**label.as_dict(), "name": taxonomy[label.clause_type].name, "severity": call.severity}
        )
    return details


@dataclass(frozen=True)
class _ResultColumns:
    """The columns of an assessment row that follow from the provision's result alone (not from the catalogue)."""

    clause_types: list[dict[str, Any]]
    primary_clause_type: str | None
    reasons: list[str]
    evidence: list[str]
    opt_outs: list[dict[str, Any]]
    texts: dict[str, Any]


# id(result) -> (result, taxonomy, its columns). The engine's memo hands out the same result object for a text it has
# seen, and a new version repeats almost every provision of the one before, so most rows reuse their columns; the
# objects are held with them, so an id is never reused while cached (as in memo.py).
_COLUMNS: dict[int, tuple[ProvisionResult, Taxonomy, _ResultColumns]] = {}
_COLUMNS_MAX = 20_000


def _result_columns(result: ProvisionResult, taxonomy: Taxonomy) -> _ResultColumns:
    cached = _COLUMNS.get(id(result))
    if cached is not None and cached[0] is result and cached[1] is taxonomy:
        return cached[2]
    agencies: dict[str, dict[str, Any]] = {}
    for regulation in result.regulation_details:
        for agency in regulation["agencies"]:
            agencies.setdefault(agency["name"], agency)
    columns = _ResultColumns(
        clause_types=clause_type_details(result, taxonomy),
        primary_clause_type=result.primary.clause_type if result.primary else None,
        reasons=list(result.severity.reasons),
        evidence=list(dict.fromkeys(label.evidence for label in result.labels if label.source != "implied")),
        opt_outs=[o.as_dict() for o in result.opt_outs],
        texts={
            **result.texts,
            "regulation_details": result.regulation_details,
            "jurisdiction_flags": result.jurisdiction_flags,
            "agencies": list(agencies.values()),
        },
    )
    if len(_COLUMNS) >= _COLUMNS_MAX:
        _COLUMNS.clear()
    _COLUMNS[id(result)] = (result, taxonomy, columns)
    return columns


def provision_row(
    provision: ProvisionLike,
    platform_id: str,
    result: ProvisionResult,
    model_version: str,
    taxonomy: Taxonomy,
    extra_texts: dict[str, Any],
) -> dict[str, Any]:
    """Build the ProvisionAssessment row of one provision as its insert parameters, one per column.

    The id is derived from provision and model version. A plain dict, not a model instance: the values are the
    same (a table model stores what it is given), and building an instance per row only to read its columns back
    was most of the analyzer's insert cost. The columns that follow from the result alone are built once per result
    object and shared by the rows of every version that repeats the provision (rows are only read after this: JSON
    encoded into the insert).
    """
    columns = _result_columns(result, taxonomy)
    return {
        "id": derived_id("provision-assessment", provision.id, model_version),
        "provision_id": provision.id,
        "provision_key": provision.key,
        "version_id": provision.version_id,
        "document_id": provision.document_id,
        "platform_id": platform_id,
        "clause_types": columns.clause_types,
        "primary_clause_type": columns.primary_clause_type,
        "severity": result.severity.severity,
        "confidence": result.severity.confidence,
        "reasons": columns.reasons,
        "evidence": columns.evidence,
        "regulations": result.regulations,
        "opt_outs": columns.opt_outs,
        "texts": {**columns.texts, **extra_texts},
        "model_version": model_version,
        "created_at": utcnow(),
    }


def regulation_details_of(*results: ProvisionResult | None) -> list[dict[str, Any]]:
    """The regulation details of the given provision results, each regulation once, the first result's first.

    A change touches both sides' laws (ChangeResult.regulations); its row must carry the details of all of them, or
    alerts name a removed text's law by its id ("icdpa") beside the new text's "GDPR".
    """
    merged: dict[str, dict[str, Any]] = {}
    for result in results:
        for detail in result.regulation_details if result is not None else []:
            merged.setdefault(str(detail["id"]), detail)
    return list(merged.values())


def change_row(
    change: ChangeLike,
    platform_id: str,
    result: ChangeResult,
    taxonomy: Taxonomy,
    regulation_details: list[dict[str, Any]],
) -> dict[str, Any]:
    """Build the ChangeAssessment row of one change as its insert parameters, one per column (id derived from the
    change; a plain dict, as `provision_row`)."""
    return {
        "id": derived_id("change-assessment", change.id),
        "change_id": change.id,
        "change_set_id": change.change_set_id,
        "document_id": change.document_id,
        "platform_id": platform_id,
        "clause_types": result.clause_types,
        "severity_before": result.severity_before,
        "severity_after": result.severity_after,
        "severity": result.severity,
        "confidence": result.confidence,
        "escalation": result.escalation,
        "regulations": result.regulations,
        "reasons": result.reasons,
        "description": result.description,
        "texts": {
            "kind": change.kind,
            "significance": change.significance,
            "provision_key": change.provision_key,
            "clause_types": [
                {"id": t, "name": taxonomy[t].name} for t in result.clause_types if t in taxonomy
            ],
            "regulation_details": regulation_details,
        },
        "created_at": utcnow(),
    }


# A change assessment as the event reads it: change_id, clause_types, severity, escalation, regulations and
# description (a change_row, or those columns of a stored row).
AssessedChange = Mapping[str, Any]


def summarise(rows: Sequence[AssessedChange], significance: dict[str, str], taxonomy: Taxonomy) -> str:
    """One paragraph for the event (and the alert's subject): how many changes, the most severe ones and any
    escalation. Changes described alike are said once with their number and the types they touch: eharmony's three
    removed complaint-right paragraphs read "Specific audiences (…): removed (specific audiences (…)); …" three times
    in a row."""
    if not rows:
        return "No provision-level changes to assess."
    counted = [r for r in rows if significance.get(r["change_id"]) != "cosmetic"] or list(rows)
    top = max_severity([r["severity"] for r in counted])
    head = summary_head(len(rows), top)
    # Changes alike are said once: by what happened to them, whatever their types and however each put its
    # severity (Tinder's nine removed rights and transfers read as nine sentences, "…: removed; user protection
    # removed; severity medium for the lost protection (the provision itself: low)", one after another).
    alike: dict[str, _Alike] = {}
    # At the top severity, what moved comes before what stayed (`reading_rank`, which the e-mail's list follows too):
    # Grok's 16 changes were summed up by a rewording "severity unchanged (medium)" first, and the removed "we do not
    # sell" was cut from the e-mail's subject (demo, session 15).
    for row in sorted(counted, key=lambda r: reading_rank(r["escalation"], str(r["description"]))):
        if row["severity"] == top and top != "none":
            # The names lead the sentence; the description need not repeat them ("removed (specific audiences …)"),
            # nor list every type of an added or removed provision before what it took away (Grok's subject was cut
            # at "removed (sharing with third parties, sale of per…" before "promise removed").
            gist, tail = split_severity(without_type_list(str(row["description"])))
            group = alike.setdefault(gist, _Alike())
            group.count += 1
            group.types.update(dict.fromkeys(t for t in row["clause_types"] if t in taxonomy))
            group.tails.add(tail)
    parts = [head]
    for gist, group in alike.items():
        tail = next(iter(group.tails)) if len(group.tails) == 1 else f"severity {top}"
        # What happened leads, then whose types, then the severity: the sentence opens the alert's subject, which an
        # inbox cuts at about 150 characters ("…(14 changes): International data transfers, Sharing with third
        # parties and others, 14 changes: removed; user…" said the types and lost the news).
        names = group.names(taxonomy) + (f" ({group.count} changes)" if group.count > 1 else "")
        said = f"{gist[:1].upper()}{gist[1:]} — {names}" if gist else names
        parts.append(said + (f"; {tail}." if tail else "."))
        if len(" ".join(parts)) > 1500:
            break
    return " ".join(parts)[:2000]


@dataclass
class _Alike:
    """Changes a summary says in one sentence: how many, and the types they touch, in order of appearance."""

    count: int = 0
    types: dict[str, None] = field(default_factory=dict)
    tails: set[str] = field(default_factory=set)

    def names(self, taxonomy: Taxonomy, shown: int = 2) -> str:
        # Two names and "and others": the sentence leads the alert's subject, where what happened must not be cut
        # off by a list of types (the alert's body lists them all).
        names = [taxonomy[t].name for t in self.types]
        if not names:
            return "provision"
        return ", ".join(names[:shown]) + (" and others" if len(names) > shown else "")


def change_assessed_event(
    event: ChangeDetected, rows: Sequence[AssessedChange], significance: dict[str, str], taxonomy: Taxonomy
) -> ChangeAssessed:
    """Build the ChangeAssessed event of a change set; its id is derived, so a rerun publishes a duplicate."""
    substantive_rows = [r for r in rows if significance.get(r["change_id"]) != "cosmetic"]
    return ChangeAssessed(
        event_id=derived_id("change-assessed", event.change_set_id),
        correlation_id=event.correlation_id,
        document_id=event.document_id,
        platform_id=event.platform_id,
        change_set_id=event.change_set_id,
        substantive=event.substantive,
        max_severity=max_severity([r["severity"] for r in substantive_rows]),
        clause_types=list(dict.fromkeys(t for r in rows for t in r["clause_types"])),
        regulations=list(dict.fromkeys(g for r in rows for g in r["regulations"])),
        escalations=sum(1 for r in rows if r["escalation"] == "escalated"),
        summary=summarise(rows, significance, taxonomy),
    )

"""Severity (high / medium / low, or none) with confidence and reasons, per label, per provision and per change.

For the CLAUDETTE types the corpus level decides when the model gives one (clearly unfair -> high, potentially
unfair -> medium, fair -> low); otherwise the clause type's ordered rules decide (first match wins, on the
sentence that supports the label, a table row's cells each read whole), and else its default. A provision's label
is supported by the sentence that states the most severe reading of its type (`classify.merge_labels`, decision
0164), so a provision is as severe as the worst thing it states, not as its most confident sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clausewatch_analyzer.model.privacy import PRIVACY_MODEL
from clausewatch_analyzer.taxonomy import SEVERITY_RANK, Taxonomy

# classify chooses a provision's evidence by severity (stated_call), so it imports this module: Label is a type here
if TYPE_CHECKING:
    from clausewatch_analyzer.classify import Label

LEVEL_NAMES = {1: "fair", 2: "potentially unfair", 3: "clearly unfair"}
_RULE_CERTAINTY = 0.9
_DEFAULT_CERTAINTY = 0.7
_LEVEL_CERTAINTY = 0.85


@dataclass(frozen=True)
class SeverityCall:
    """A severity, how sure we are of it, and why."""

    severity: str
    confidence: float
    reasons: tuple[str, ...]


NONE = SeverityCall("none", 1.0, ())


def label_severity(label: Label, taxonomy: Taxonomy) -> SeverityCall:
    """Return the severity one label implies, with its reason.

    A category only the privacy-category model found is never rated above its type's default: the model names
    categories, and the severity rules were written for sentences the rules had found the category in. Pinterest's
    "Data from other sources (… advertisers and other partners)", read by the model as sharing, was rated medium by
    the sharing rule for advertising partners (decision 0188).
    """
    clause_type = taxonomy[label.clause_type]
    stated = stated_call(label, taxonomy)
    if stated is not None and not (
        label.source == PRIVACY_MODEL
        and SEVERITY_RANK[stated.severity] > SEVERITY_RANK[clause_type.default_severity]
    ):
        return stated
    if label.denied:
        # "We do not use your data for targeted advertising" is a commitment, not the practice (decision 0141).
        reason = f"{clause_type.name}: the provider states it does not {clause_type.practice}"
        return SeverityCall("low", round(label.confidence * _RULE_CERTAINTY, 3), (reason,))
    reason = f"{clause_type.name}: {clause_type.default_severity} by default for this clause type"
    return SeverityCall(
        clause_type.default_severity, round(label.confidence * _DEFAULT_CERTAINTY, 3), (reason,)
    )


def stated_call(label: Label, taxonomy: Taxonomy) -> SeverityCall | None:
    """Return the severity the label's own words state (its CLAUDETTE level, else the first severity rule that
    matches), or None when only a denial or the clause type's default would decide."""
    clause_type = taxonomy[label.clause_type]
    if label.level is not None and label.level in clause_type.levels:
        severity = clause_type.levels[label.level]
        reason = f"{clause_type.name}: rated {LEVEL_NAMES.get(label.level, label.level)} (CLAUDETTE level {label.level})"
        return SeverityCall(severity, round(label.confidence * _LEVEL_CERTAINTY, 3), (reason,))
    texts = label.rule_texts
    for rule in clause_type.severity_rules:
        if any(rule.applies_to(text) for text in texts):
            reason = f"{clause_type.name}: {rule.reason}"
            return SeverityCall(rule.severity, round(label.confidence * _RULE_CERTAINTY, 3), (reason,))
    return None


def combine(calls: Sequence[SeverityCall]) -> SeverityCall:
    """Return the highest severity among calls; its confidence is the best of the calls at that level."""
    if not calls:
        return NONE
    top = max(SEVERITY_RANK[c.severity] for c in calls)
    at_top = [c for c in calls if SEVERITY_RANK[c.severity] == top]
    reasons = tuple(dict.fromkeys(r for c in at_top for r in c.reasons))
    return SeverityCall(at_top[0].severity, max(c.confidence for c in at_top), reasons)


def provision_severity(labels: Sequence[Label], taxonomy: Taxonomy) -> SeverityCall:
    """Return a provision's severity: the highest its labels imply (implied labels do not raise it)."""
    return combine([label_severity(label, taxonomy) for label in labels if label.source != "implied"])


# Between "none" (no clause type found) and "low" nothing a reader worries about moves: a date line that gains a link
# to the "previous version" is newly labelled a policy-change line, not an escalation (decision 0137).
_QUIET = frozenset({"none", "low"})


def movement(before: str | None, after: str | None) -> str | None:
    """Return 'escalated', 'de-escalated' or None when a change moves severity from `before` to `after` (a move
    between none and low is neither)."""
    if before is None or after is None or {before, after} <= _QUIET:
        return None
    if SEVERITY_RANK[after] > SEVERITY_RANK[before]:
        return "escalated"
    if SEVERITY_RANK[after] < SEVERITY_RANK[before]:
        return "de-escalated"
    return None


def max_severity(severities: Sequence[str | None]) -> str:
    """Return the highest of several severities ('none' if there are none)."""
    known = [s for s in severities if s]
    return max(known, key=lambda s: SEVERITY_RANK[s]) if known else "none"


def primary_label(labels: Sequence[Label], taxonomy: Taxonomy) -> Label | None:
    """Return the label a provision is about: the most severe own label, then the most confident."""
    own = [label for label in labels if label.source != "implied"] or list(labels)
    if not own:
        return None
    return max(own, key=lambda lab: (SEVERITY_RANK[label_severity(lab, taxonomy).severity], lab.confidence))

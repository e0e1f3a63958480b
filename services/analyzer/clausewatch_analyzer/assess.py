"""Assessing one provision, and one change between two assessed provisions: pure, no database, no broker.

The results are plain dataclasses the handlers turn into rows and the CLI prints; rarity, comparisons and history
need the catalogue, so the handlers add them from queries (see repository.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from clausewatch_analyzer.carveouts import added_carve_outs, carve_outs, quote
from clausewatch_analyzer.classify import Classifier, Label
from clausewatch_analyzer.institutional import institutional_analysis
from clausewatch_analyzer.optouts import OptOut, find_routes
from clausewatch_analyzer.polarity import limits_users
from clausewatch_analyzer.regulations import Catalogue, map_regulations
from clausewatch_analyzer.safeguards import REMOVAL_PROMISES, lost_safeguards, removed_promises, safeguards_in
from clausewatch_analyzer.severity import (
    SeverityCall,
    max_severity,
    movement,
    primary_label,
    provision_severity,
)
from clausewatch_analyzer.taxonomy import Taxonomy
from clausewatch_analyzer.texts import build_texts, filled

_GROWTH = 0.15


@dataclass(frozen=True)
class ProvisionResult:
    """Everything we say about one provision."""

    labels: list[Label]
    primary: Label | None
    severity: SeverityCall
    regulations: list[str]
    regulation_details: list[dict[str, Any]]
    jurisdiction_flags: list[dict[str, Any]]
    opt_outs: list[OptOut]
    texts: dict[str, Any]
    # What the text says a user's choice does not stop ("Even if you opt out, we will use …"; decision 0134).
    carve_outs: list[str] = field(default_factory=list)

    @property
    def clause_types(self) -> list[str]:
        """The ids of the provision's clause types."""
        return [label.clause_type for label in self.labels]


@dataclass(frozen=True)
class Context:
    """Who the provision belongs to, for texts and regulation scope."""

    platform_name: str = "The platform"
    document_title: str = "document"
    jurisdictions: Sequence[str] = field(default_factory=tuple)
    # The catalogue's document type ("Privacy Policy", "Terms of Service", …); None when unknown (the CLI). The
    # privacy-category model reads only privacy texts and texts of unknown type (decision 0188); in privacy texts the
    # clause model's terms types need a rule's agreement (0203).
    doc_type: str | None = None


def assess_provision(
    text: str, classifier: Classifier, catalogue: Catalogue, context: Context
) -> ProvisionResult:
    """Classify a provision, score its severity, map its regulations, find its opt-outs and write its texts."""
    labels = classifier.classify_provision(text, doc_type=context.doc_type)
    return result_from_labels(text, labels, classifier, catalogue, context)


def result_from_labels(
    text: str, labels: list[Label], classifier: Classifier, catalogue: Catalogue, context: Context
) -> ProvisionResult:
    """Build a provision's result from labels already computed (the CLI batches sentences through the model)."""
    taxonomy = classifier.taxonomy
    severity = provision_severity(labels, taxonomy)
    primary = primary_label(labels, taxonomy)
    # The main type's articles first: a landscape names a few articles per law, and Grok's training on public web
    # data named the GDPR's articles on collection (Art. 5, 6, 13) before its own (Art. 14, 21; session 20).
    types = [label.clause_type for label in labels]
    if primary is not None:
        types = [primary.clause_type, *(t for t in types if t != primary.clause_type)]
    mapping = map_regulations(types, taxonomy, catalogue, context.jurisdictions, text=text)
    routes = find_routes(text) if labels else []
    opt_outs = [route for route in routes if route.purpose == "control"]
    limits = carve_outs(text) if labels else []
    texts = build_texts(
        labels,
        primary,
        severity.severity,
        opt_outs,
        mapping.details,
        taxonomy,
        context.platform_name,
        context.document_title,
        [route for route in routes if route.purpose != "control"],
        limits,
    )
    if texts and primary is not None:
        # The institutional analysis (decision 0136): its sections and, when there is one, an interpretive note.
        clause_type = taxonomy[primary.clause_type]
        sections, note = institutional_analysis(
            family=clause_type.family,
            severity=severity.severity,
            reasons=severity.reasons,
            regulations=mapping.details,
            flags=mapping.flags,
            opt_outs=opt_outs,
            carve_outs=limits,
            text=text,
            vendor=filled(clause_type, "vendor", context.platform_name, context.document_title),
            compliance=filled(clause_type, "compliance", context.platform_name, context.document_title),
            denied=clause_type.practice if primary.denied else "",
        )
        texts |= {"institutional": sections, "interpretive_note": note}
    return ProvisionResult(
        labels, primary, severity, mapping.ids, mapping.details, mapping.flags, opt_outs, texts, limits
    )


@dataclass(frozen=True)
class ChangeResult:
    """What one change did: types touched, severity before and after, movement, and a one-line description."""

    clause_types: list[str]
    severity_before: str | None
    severity_after: str | None
    severity: str
    confidence: float
    escalation: str | None
    regulations: list[str]
    reasons: list[str]
    description: str


def _names(type_ids: Sequence[str], classifier: Classifier) -> str:
    return ", ".join(classifier.taxonomy[t].in_prose for t in type_ids)


@dataclass(frozen=True)
class AddedBack:
    """What the provisions added in one change set give users: their protecting clause types (`protects_users`) and
    the safeguards they promise (`safeguards_in`; a removal is checked against those of REMOVAL_PROMISES).

    A removed protection or promise that comes back in an added provision of the same set was most likely rewritten
    (the differ could not pair two texts that far apart), so assess_change does not call it lost.
    """

    types: frozenset[str] = frozenset()
    promises: frozenset[str] = frozenset()


def gives_back(kind: str, hints: Sequence[str]) -> bool:
    """Whether a change of a set can give back what a removal in the same set took (see added_protections): an
    added provision can; an added section title cannot, a new "Your Rights" heading grants no right (0152)."""
    return kind == "added" and "heading" not in hints


def added_protections(added: Iterable[tuple[ProvisionResult, str]], taxonomy: Taxonomy) -> AddedBack:
    """What the added provisions of one change set, each with its text, give users (see AddedBack)."""
    pairs = list(added)
    return AddedBack(
        types=frozenset(t for result, _ in pairs for t in result.clause_types if taxonomy[t].protects_users),
        promises=frozenset(p for _, text in pairs for p in safeguards_in(text)),
    )


def _protections_lost(
    kind: str,
    old: ProvisionResult | None,
    old_text: str | None,
    routes_removed: bool,
    safeguards: Sequence[str],
    limits_added: Sequence[str],
    replaced: AddedBack,
    classifier: Classifier,
) -> list[tuple[str, str]]:
    """(description part, reason) for each way the change takes a user protection away.

    Each a fact of the texts rather than a classifier's guess about a rewording: a removed provision of a
    `protects_users` type not added back elsewhere in the set (unless its text only limits users, 0129), or one that
    made a promise ("we do not sell your data") no added provision of the set makes again (0137); a modified
    provision whose opt-out routes are all gone (`routes_removed`, already described as such); a modified provision
    that no longer makes a promise it made (`safeguards`: "end-to-end", "never sell", 0131); a modified provision
    that now says what a user's choice does not stop (`limits_added`: "Even if you opt out, we will …", 0134). A
    modified provision merely losing a label is left out: rewording moves labels too often for that to count.
    """
    lost: list[tuple[str, str]] = []
    # A removed provision that only limits users ("we may reject requests…") takes nothing from them (0129).
    if kind == "removed" and old is not None and not limits_users(old_text or ""):
        types = [
            t for t in old.clause_types if classifier.taxonomy[t].protects_users and t not in replaced.types
        ]
        if types:
            lost.append(
                (
                    "user protection removed",
                    f"A provision users could rely on was removed: {_names(types, classifier)}",
                )
            )
    if kind == "removed" and (promises := removed_promises(old_text or "", replaced.promises)):
        named = ", ".join(promises)
        lost.append(
            (
                f"promise removed ({named})",
                f"The removed provision promised {named}, and no provision added with it promises that again",
            )
        )
    if routes_removed and old is not None:
        routes = ", ".join(o.value for o in old.opt_outs)
        lost.append(("", f"The opt-out route was removed ({routes})"))
    if safeguards:
        named = ", ".join(safeguards)
        lost.append((f"safeguard dropped ({named})", f"The provision no longer promises {named}"))
    if limits_added:
        lost.append(
            (
                "exception to users' choices added",
                f"The provision now says what a user's choice does not stop: \u201c{quote(limits_added[0])}\u201d",
            )
        )
    return lost


def _no_severity(
    touched: list[str], before: str | None, after: str | None, regulations: list[str], description: str
) -> ChangeResult:
    """A change that alters nothing a reader relies on: severity none, the provision's own severities kept."""
    return ChangeResult(
        clause_types=touched,
        severity_before=before,
        severity_after=after,
        severity="none",
        confidence=1.0,
        escalation=None,
        regulations=regulations,
        reasons=[],
        description=description,
    )


def _denies(text: str | None) -> bool:
    """Whether a text makes one of the promises whose removal takes something from users (no sale, no sharing …)."""
    return any(name in REMOVAL_PROMISES for name in safeguards_in(text or ""))


def assess_change(
    kind: str,
    old: ProvisionResult | None,
    new: ProvisionResult | None,
    old_text: str | None,
    new_text: str | None,
    classifier: Classifier,
    replaced: AddedBack = AddedBack(),
    *,
    significance: str = "substantive",
    hints: Sequence[str] = (),
) -> ChangeResult:
    """Compare the provision before and after a change and describe it in one line.

    `replaced`: what the provisions added elsewhere in the same change set give back (added_protections). A change
    that takes a protection away is at least medium, whatever the provision's own severity (docs/decisions/0121).

    `significance` and `hints` are the differ's: a cosmetic modification, or one that only renumbered the provision
    ("5." → "5. (e)") or changed a date in it, changes nothing a reader relies on, so the change itself is severity
    none whatever the provision's (decisions 0140, 0142); severity_before and severity_after still give the
    provision's.
    """
    before = old.severity.severity if old else None
    after = new.severity.severity if new else None
    old_types = old.clause_types if old else []
    new_types = new.clause_types if new else []
    touched = list(dict.fromkeys([*new_types, *old_types]))
    regulations = list(dict.fromkeys([*(new.regulations if new else []), *(old.regulations if old else [])]))
    # "heading" says where the change is, not what it is: a date heading's new date is still "date changed".
    what_hints = [h for h in hints if h != "heading"]
    formal = bool(what_hints) and set(what_hints) <= _FORMAL_HINTS.keys()
    if kind == "modified" and (significance == "cosmetic" or formal):
        if formal:
            what = " and ".join(_FORMAL_HINTS[h] for h in _FORMAL_HINTS if h in hints)
        else:
            what = "cosmetic change" + (f" ({', '.join(what_hints)})" if what_hints else "")
        return _no_severity(
            touched, before, after, regulations, f"{what}; nothing of substance changed" + _stays(after)
        )
    if "heading" in hints and not _denies(old_text) and not _denies(new_text):
        # A section's title changed: the provisions under it say what changed for users, and are assessed on
        # their own (decision 0152). A title that denies a practice ("We never sell your data") is read as the
        # promise it is; the other safeguards' words in a title ("… with Your Consent") name its subject.
        verb = _HEADING_VERBS.get(kind, "changed")
        return _no_severity(
            touched,
            before,
            after,
            regulations,
            f"heading {verb}; the provisions under it are assessed on their own",
        )
    escalation = movement(before, after) if kind not in {"added", "removed"} else None
    current = new if new is not None else old
    severity = (after if new else before) or "none"
    parts: list[str] = []
    routes_removed = False
    safeguards: list[str] = []
    limits_added: list[str] = []
    if kind == "added":
        parts.append("added" + (f" ({_names(new_types, classifier)})" if new_types else ""))
    elif kind == "removed":
        parts.append("removed" + (f" ({_names(old_types, classifier)})" if old_types else ""))
    elif kind == "moved":
        parts.append("moved to another place in the document")
    else:
        parts.append(_shape(old_text or "", new_text or "", hints))
        gained = [t for t in new_types if t not in old_types]
        lost = [t for t in old_types if t not in new_types]
        old_routes = {o.value.lower() for o in (old.opt_outs if old else [])}
        new_routes = [o for o in (new.opt_outs if new else []) if o.value.lower() not in old_routes]
        kept_routes = {o.value.lower() for o in (new.opt_outs if new else [])}
        gone_routes = [o for o in (old.opt_outs if old else []) if o.value.lower() not in kept_routes]
        if new_routes and gone_routes:
            # One address replaced by another (a new privacy portal): the route moved, it did not appear.
            parts[-1] += (
                f" with its route changed ({', '.join(o.value for o in gone_routes)}"
                f" → {', '.join(o.value for o in new_routes)})"
            )
        elif new_routes:
            parts[-1] += " with explicit opt-out mechanism (" + ", ".join(o.value for o in new_routes) + ")"
        elif old_routes and new is not None and not new.opt_outs:
            routes_removed = True
            parts.append("opt-out mechanism removed")
        if postal := next((_POSTAL[h] for h in hints if h in _POSTAL), None):
            # Where users send requests and complaints by post moved (eharmony's controller: "BM Box 5904, London
            # WC1N 3XX" → "3rd Floor, 1 Ashley Road, … WA14 2DT"), appeared or went; the differ names the parts.
            parts[0] += (" and" if " with " in parts[0] else " with") + f" its postal address {postal}"
        safeguards = lost_safeguards(old_text or "", new_text or "")
        limits_added = added_carve_outs(old_text or "", new_text or "")
        if gained:
            parts.append("now covers " + _names(gained, classifier))
        if lost:
            parts.append("no longer covers " + _names(lost, classifier))
    own = severity  # the provision's: after for an added or changed one, before for a removed one
    losses = _protections_lost(
        kind, old, old_text, routes_removed, safeguards, limits_added, replaced, classifier
    )
    parts += [part for part, _ in losses if part]
    # What the change takes from users is its own reason and comes first; the provision's reasons follow.
    reasons = [reason for _, reason in losses] + (list(current.severity.reasons) if current else [])
    if losses:
        severity = max_severity([severity, "medium"])
    if escalation:
        parts.append(f"severity {escalation} from {before} to {after}")
    elif kind not in {"added", "removed"} and after:
        parts.append(
            f"severity unchanged ({after})" if after == before else f"severity {after} (was {before})"
        )
    elif severity != own:
        parts.append(f"severity {severity} for the lost protection (the provision itself: {own})")
    else:
        parts.append(f"severity {severity}")
    if severity != own and kind != "removed":
        parts.append(f"change rated {severity} for the lost protection")
    description = "; ".join(parts)
    return ChangeResult(
        clause_types=touched,
        severity_before=before,
        severity_after=after,
        severity=severity,
        confidence=current.severity.confidence if current else 1.0,
        escalation=escalation,
        regulations=regulations,
        reasons=reasons,
        description=description[:4000],
    )


_POSTAL = {
    "postal_address_changed": "changed",
    "postal_address_added": "added",
    "postal_address_removed": "removed",
}


def _stays(after: str | None) -> str:
    """ " (the provision stays high)" beside a change that changed nothing; nothing to add for a provision without
    severity ("the provision stays none" read as a fault in the demo's e-mails)."""
    return f" (the provision stays {after})" if after and after != "none" else ""


# Differ hints that, alone, change nothing a reader relies on: a new number in front of the provision ("5." →
# "5. (e)"), a new date in it ("Version: November 27th 2025" → "May 12th 2026") or the "; and" that moves to the
# next item when a list grows ("…any other person; and" → "…;"), as they read in a description.
_HEADING_VERBS = {"added": "added", "removed": "removed", "moved": "moved", "modified": "reworded"}
_FORMAL_HINTS = {
    "renumbered": "renumbered",
    "date_changed": "date changed",
    "list_joint_changed": "list conjunction changed",
}


def _shape(old_text: str, new_text: str, hints: Sequence[str] = ()) -> str:
    # The differ's word of it when it gave one, so the change page's hints and this description agree (eharmony's
    # moved address was "reworded" there and "expanded" here); word counts of the texts otherwise.
    for shape in ("expanded", "narrowed", "reworded"):
        if shape in hints:
            return shape
    old_len, new_len = len(old_text.split()), len(new_text.split())
    if new_len > old_len * (1 + _GROWTH):
        return "expanded"
    if new_len < old_len * (1 - _GROWTH):
        return "narrowed"
    return "reworded"

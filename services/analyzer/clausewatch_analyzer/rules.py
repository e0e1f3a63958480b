"""Rule-based tagging: every clause type's patterns matched against one sentence, with the phrase that matched.

Rules explain themselves (the matched phrase is the evidence) and work without any trained model. They are the
floor the classifier never goes below, and the only tagger for clause types the model was not trained on.
"""

from __future__ import annotations

from dataclasses import dataclass

from clausewatch_analyzer.prefilter import fold, required_literals
from clausewatch_analyzer.taxonomy import ClauseType, Pattern, Taxonomy

_PHRASE_MAX = 200
_PLANS_MAX = 16


@dataclass(frozen=True)
class RuleHit:
    """A clause type's pattern matched a sentence; `phrase` is the matched text, `weight` its pattern's strength."""

    clause_type: str
    weight: float
    phrase: str
    strong: bool


@dataclass(frozen=True)
class _Gated:
    """A clause type with each pattern's required literals (prefilter.py); `literals` None means always run."""

    clause_type: ClauseType
    patterns: tuple[tuple[Pattern, frozenset[str] | None], ...]
    always: bool  # some pattern has no gate: the type is never ruled out as a whole
    literals: frozenset[str]  # every pattern's literals: none present rules the whole type out


@dataclass(frozen=True)
class _Plan:
    types: list[_Gated]
    literals: tuple[str, ...]  # every literal of every pattern, each tested once per sentence


# Gates per taxonomy, computed once; the taxonomy is kept in the value so its id cannot be reused while cached.
_plans: dict[int, tuple[Taxonomy, _Plan]] = {}


def _gated(clause_type: ClauseType) -> _Gated:
    patterns = tuple((p, required_literals(p.regex)) for p in clause_type.patterns)
    always = any(literals is None for _, literals in patterns)
    literals = frozenset().union(*(lit for _, lit in patterns if lit is not None))
    return _Gated(clause_type, patterns, always, literals)


def _plan(taxonomy: Taxonomy) -> _Plan:
    entry = _plans.get(id(taxonomy))
    if entry is not None and entry[0] is taxonomy:
        return entry[1]
    types = [_gated(t) for t in taxonomy.types.values()]
    plan = _Plan(types, tuple(sorted(frozenset().union(*(t.literals for t in types)))))
    if len(_plans) >= _PLANS_MAX:
        _plans.clear()
    _plans[id(taxonomy)] = (taxonomy, plan)
    return plan


def match_rules(sentence: str, taxonomy: Taxonomy) -> list[RuleHit]:
    """Return the strongest hit per clause type whose patterns match the sentence (file order).

    A type's `exclude` patterns veto it for the sentence: they name contexts where its words mean something else
    (a rights statement mentions "how we process" without being about collection).
    """
    plan = _plan(taxonomy)
    folded = fold(sentence)
    present = {literal for literal in plan.literals if literal in folded}
    hits: list[RuleHit] = []
    for gated in plan.types:
        # Patterns whose required literals are absent cannot match: skipping them changes no hit (prefilter.py).
        if not gated.always and gated.literals.isdisjoint(present):
            continue
        patterns = [
            p for p, literals in gated.patterns if literals is None or not literals.isdisjoint(present)
        ]
        if not patterns:
            continue
        clause_type = gated.clause_type
        if any(ex.search(sentence) for ex in clause_type.excludes):
            continue
        best: RuleHit | None = None
        for pattern in patterns:
            found = pattern.regex.search(sentence)
            if found is None:
                continue
            if best is None or pattern.weight > best.weight:
                phrase = found.group(0).strip()[:_PHRASE_MAX]
                best = RuleHit(clause_type.id, pattern.weight, phrase, pattern.strong)
            if best.strong:
                break
        if best is not None:
            hits.append(best)
    return hits

"""Rule-based tagging: every clause type's patterns matched against one sentence, with the phrase that matched.

Rules explain themselves (the matched phrase is the evidence) and work without any trained model. They are the
floor the classifier never goes below, and the only tagger for clause types the model was not trained on.
"""

from __future__ import annotations

from dataclasses import dataclass

from clausewatch_analyzer.taxonomy import Taxonomy

_PHRASE_MAX = 200


@dataclass(frozen=True)
class RuleHit:
    """A clause type's pattern matched a sentence; `phrase` is the matched text, `weight` its pattern's strength."""

    clause_type: str
    weight: float
    phrase: str
    strong: bool


def match_rules(sentence: str, taxonomy: Taxonomy) -> list[RuleHit]:
    """Return the strongest hit per clause type whose patterns match the sentence (file order).

    A type's `exclude` patterns veto it for the sentence: they name contexts where its words mean something else
    (a rights statement mentions "how we process" without being about collection).
    """
    hits: list[RuleHit] = []
    for clause_type in taxonomy.types.values():
        if any(ex.search(sentence) for ex in clause_type.excludes):
            continue
        best: RuleHit | None = None
        for pattern in clause_type.patterns:
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

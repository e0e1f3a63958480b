"""Which provisions a provision page puts beside its own: the other platforms' examples and the policy's other risks.

Both lists are read by people deciding what matters, so each entry must be worth reading:
- "How other platforms handle this" shows, per platform, the provision that best represents the clause type there:
  the most serious, then a statement over a heading or a one-line list item ("VIII. How Do We Process Children's
  Personal Data", "- Number of children" were the demo's picks when the first by position was shown), then the most
  confident, then the first in the document.
- "Other risks in this policy" names each other clause type once, by its most serious provision, with how many
  provisions carry it (the demo listed "AI model training on user content" seven times in a row).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2, "none": 3}
# Shorter than this (about ten words) and the provision is a label or a fragment rather than a statement.
STATEMENT_CHARS = 60


@dataclass(frozen=True)
class Candidate:
    """What choosing needs to know about one assessed provision (its text is loaded only once it is chosen)."""

    platform_id: str
    provision_id: str
    clause_type: str | None
    severity: str
    confidence: float
    kind: str
    chars: int
    ordinal: int

    def rank(self) -> tuple[int, int, float, int]:
        """Smaller is better: severity, then statement over label, then confidence, then position."""
        label = self.kind == "heading" or self.chars < STATEMENT_CHARS
        return (_SEVERITY_RANK.get(self.severity, 4), int(label), -self.confidence, self.ordinal)


def best_per_platform(candidates: Iterable[Candidate], limit: int) -> list[Candidate]:
    """Return each platform's best candidate, platforms with a more serious example first, at most `limit`."""
    best: dict[str, Candidate] = {}
    for candidate in candidates:
        held = best.get(candidate.platform_id)
        if held is None or candidate.rank() < held.rank():
            best[candidate.platform_id] = candidate
    return sorted(best.values(), key=lambda c: (c.rank()[:3], c.platform_id))[:limit]


@dataclass(frozen=True)
class Risk:
    """One clause type of the policy, shown by its most serious provision."""

    lead: Candidate
    provisions: int


def risks_by_type(candidates: Iterable[Candidate], own_type: str | None, limit: int) -> list[Risk]:
    """Return the policy's other clause types, each once (its best provision and how many it has), most serious
    first; the page's own type is left out, as the page is about it."""
    grouped: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        if candidate.clause_type and candidate.clause_type != own_type:
            grouped.setdefault(candidate.clause_type, []).append(candidate)
    # A provision assessed by two model versions is one provision.
    risks = [
        Risk(min(group, key=Candidate.rank), len({c.provision_id for c in group}))
        for group in grouped.values()
    ]
    risks.sort(key=lambda r: (r.lead.rank()[:1], -r.provisions, r.lead.ordinal))
    return risks[:limit]

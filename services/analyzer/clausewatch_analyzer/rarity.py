"""Rarity across the catalogue ("Rare · 1 of 343 platforms") and the pick of other platforms' provisions to show.

The rule itself (unique / rare / common out of M) lives in `clausewatch_shared.rarity`, shared with the api.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clausewatch_shared.rarity import rarity_label, rarity_total


@dataclass(frozen=True)
class Rarity:
    """How many other platforms have a clause type, out of how many, and the label that follows."""

    clause_type: str
    others: int
    platforms: int
    other_provisions: int
    label: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, with the sentence a page shows."""
        return {
            "clause_type": self.clause_type,
            "other_platforms": self.others,
            "total_platforms": self.platforms,
            "other_provisions": self.other_provisions,
            "level": self.label,
            "label": self.label.capitalize(),
            "text": f"{self.label.capitalize()} · {self.others} of {self.platforms} platforms",
        }


def rarity(clause_type: str, platform_id: str, holders: Mapping[str, int], platforms: int) -> Rarity:
    """Return the rarity of a clause type for one platform; `holders` maps platform id -> provisions with the type."""
    others = {p: n for p, n in holders.items() if p != platform_id and n > 0}
    total = rarity_total(len(others), platforms)
    return Rarity(clause_type, len(others), total, sum(others.values()), rarity_label(len(others), total))


def pick_comparisons(
    candidates: Sequence[dict[str, Any]], platform_id: str, limit: int = 3, excerpt_chars: int = 300
) -> list[dict[str, Any]]:
    """Choose up to `limit` provisions of other platforms (one per platform, most confident first) with excerpts."""
    chosen: list[dict[str, Any]] = []
    seen: set[str] = {platform_id}
    for candidate in sorted(
        candidates, key=lambda c: (-float(c.get("confidence", 0)), str(c.get("platform_id")))
    ):
        if candidate["platform_id"] in seen:
            continue
        seen.add(candidate["platform_id"])
        text = " ".join(str(candidate.get("text", "")).split())
        excerpt = text if len(text) <= excerpt_chars else text[: excerpt_chars - 3].rsplit(" ", 1)[0] + "..."
        chosen.append({**{k: v for k, v in candidate.items() if k != "text"}, "excerpt": excerpt})
        if len(chosen) >= limit:
            break
    return chosen


__all__ = ["Rarity", "pick_comparisons", "rarity", "rarity_label"]

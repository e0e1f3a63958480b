"""The rarity rule, one copy for the analyzer (which stores it with each assessment) and the api (which recomputes
it live on provision pages), so both say the same thing about the same counts.

N counts the OTHER platforms with a clause type; M is every platform in the catalogue (at least N + 1: the
platform itself). Unique: no other platform has it. Rare: at most max(1, 10% of M) others. Common: more than that.
"""

from __future__ import annotations

from typing import Literal

RARE_SHARE = 0.10

RarityLevel = Literal["unique", "rare", "common"]


def rarity_total(others: int, platforms: int) -> int:
    """Return M: the catalogue's platform count, never fewer than the holders found plus the platform itself."""
    return max(platforms, others + 1)


def rarity_label(others: int, platforms: int) -> RarityLevel:
    """Return unique, rare or common for `others` other platforms out of `platforms`."""
    if others <= 0:
        return "unique"
    if others <= max(1, round(RARE_SHARE * platforms)):
        return "rare"
    return "common"

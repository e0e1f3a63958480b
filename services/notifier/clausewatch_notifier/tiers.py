"""Subscription tiers as data, and the rules they impose: how many platforms, how soon, which filters and channels.

Pure: no I/O. Management functions call these checks before writing; the planner calls `matches` per change set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

SEVERITY_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3}
Timing = Literal["same_day", "weekly_digest"]


class TierError(ValueError):
    """A request the subscriber's tier does not allow; the message says what the tier allows and how to upgrade."""


@dataclass(frozen=True)
class Tier:
    """What one tier allows."""

    name: str
    max_platforms: int | None  # None: every platform
    timing: Timing
    filters: bool  # clause type, severity and regulation filters
    webhooks: bool
    chat: bool  # Apprise chat channels

    @property
    def same_day(self) -> bool:
        """Whether this tier hears about a change the day it is assessed."""
        return self.timing == "same_day"


TIERS: dict[str, Tier] = {
    "free": Tier("free", 1, "weekly_digest", filters=False, webhooks=False, chat=False),
    "watcher": Tier("watcher", 10, "same_day", filters=False, webhooks=False, chat=True),
    "monitor": Tier("monitor", 25, "same_day", filters=False, webhooks=False, chat=True),
    "compliance": Tier("compliance", None, "same_day", filters=True, webhooks=True, chat=True),
}
FILTER_KEYS = frozenset({"clause_types", "min_severity", "provisions", "regulations"})


def get_tier(name: str) -> Tier:
    """Return the tier called `name`, or raise TierError listing the tiers there are."""
    try:
        return TIERS[name]
    except KeyError:
        msg = f"unknown tier {name!r}: choose one of {', '.join(TIERS)}"
        raise TierError(msg) from None


def _upgrade_hint(tier: Tier) -> str:
    names = list(TIERS)
    later = names[names.index(tier.name) + 1 :]
    return f" (upgrade to {' or '.join(later)})" if later else ""


def check_follow(tier: Tier, following: int) -> None:
    """Refuse one more follow if the subscriber already follows as many platforms as the tier allows."""
    if tier.max_platforms is not None and following >= tier.max_platforms:
        plural = "platform" if tier.max_platforms == 1 else "platforms"
        msg = (
            f"the {tier.name} tier follows at most {tier.max_platforms} {plural} and {following} are followed"
            f"{_upgrade_hint(tier)}"
        )
        raise TierError(msg)


def check_tier_change(tier: Tier, following: int) -> None:
    """Refuse a move to a tier whose platform limit is below what the subscriber already follows."""
    if tier.max_platforms is not None and following > tier.max_platforms:
        msg = f"the {tier.name} tier follows at most {tier.max_platforms}; unfollow {following - tier.max_platforms} first"
        raise TierError(msg)


def check_channel(tier: Tier, kind: str) -> None:
    """Refuse a webhook or chat endpoint on a tier that does not include it."""
    allowed = {"webhook": tier.webhooks, "apprise": tier.chat}.get(kind)
    if allowed is None:
        msg = f"unknown endpoint kind {kind!r}: use webhook or apprise"
        raise TierError(msg)
    if not allowed:
        msg = f"the {tier.name} tier has no {kind} endpoints{_upgrade_hint(tier)}"
        raise TierError(msg)


def check_filters(tier: Tier) -> None:
    """Refuse provision-level filters (clause types, severity, regulations, watched provisions) below the tiers that
    have them."""
    if not tier.filters:
        msg = f"the {tier.name} tier has no provision-level filters{_upgrade_hint(tier)}"
        raise TierError(msg)


def normalise_filters(tier: Tier, filters: dict[str, Any]) -> dict[str, Any]:
    """Validate provision-level filters for the tier and return them in canonical form (sorted, lower case)."""
    cleaned = {k: v for k, v in filters.items() if v not in (None, [], "")}
    if not cleaned:
        return {}
    check_filters(tier)
    unknown = set(cleaned) - FILTER_KEYS
    if unknown:
        msg = f"unknown filter(s) {', '.join(sorted(unknown))}: use {', '.join(sorted(FILTER_KEYS))}"
        raise TierError(msg)
    out: dict[str, Any] = {}
    for key in ("clause_types", "regulations", "provisions"):
        if key in cleaned:
            values = cleaned[key]
            if isinstance(values, str) or not isinstance(values, Iterable):
                msg = f"{key} must be a list of ids"
                raise TierError(msg)
            out[key] = sorted({str(v).strip() for v in values if str(v).strip()})
    if "min_severity" in cleaned:
        severity = str(cleaned["min_severity"]).lower()
        if severity not in SEVERITY_RANK:
            msg = f"min_severity must be one of {', '.join(SEVERITY_RANK)}"
            raise TierError(msg)
        out["min_severity"] = severity
    return out


def matches(
    filters: dict[str, Any],
    *,
    severity: str,
    clause_types: Iterable[str],
    regulations: Iterable[str],
    provisions: Iterable[str] = (),
) -> bool:
    """Return True if a change set passes every filter (each filter on a list needs one id in common).

    `provisions` are the stable keys of the provisions the change set touches: a subscriber watching provisions
    (decision 0172) hears only of change sets touching one of them.
    """
    minimum = filters.get("min_severity")
    if minimum and SEVERITY_RANK.get(severity, 0) < SEVERITY_RANK[minimum]:
        return False
    for key, touched in (
        ("clause_types", clause_types),
        ("regulations", regulations),
        ("provisions", provisions),
    ):
        wanted = set(filters.get(key) or ())
        if wanted and not wanted & set(touched):
            return False
    return True

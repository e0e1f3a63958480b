"""Tiers as data: platform limits, channels and provision-level filters."""

from __future__ import annotations

import pytest

from clausewatch_notifier.tiers import (
    TIERS,
    TierError,
    check_channel,
    check_follow,
    check_tier_change,
    get_tier,
    matches,
    normalise_filters,
)


def test_tiers_match_the_offer() -> None:
    """Free follows 1 platform weekly, watcher 10 and monitor 25 same-day, compliance all with filters and webhooks."""
    assert (TIERS["free"].max_platforms, TIERS["free"].timing) == (1, "weekly_digest")
    assert (TIERS["watcher"].max_platforms, TIERS["watcher"].same_day) == (10, True)
    assert (TIERS["monitor"].max_platforms, TIERS["monitor"].same_day) == (25, True)
    compliance = TIERS["compliance"]
    assert compliance.max_platforms is None
    assert compliance.filters
    assert compliance.webhooks


@pytest.mark.parametrize(("tier", "limit"), [("free", 1), ("watcher", 10), ("monitor", 25)])
def test_follow_limit_is_refused_with_a_clear_message(tier: str, limit: int) -> None:
    """Following one platform more than the tier allows raises TierError naming the limit and an upgrade."""
    check_follow(get_tier(tier), limit - 1)
    with pytest.raises(TierError, match=rf"the {tier} tier follows at most {limit}.*upgrade to"):
        check_follow(get_tier(tier), limit)


def test_compliance_has_no_platform_limit() -> None:
    """The compliance tier accepts any number of follows."""
    check_follow(get_tier("compliance"), 10_000)


def test_unknown_tier_lists_the_tiers() -> None:
    """An unknown tier name is refused with the list of tiers."""
    with pytest.raises(TierError, match="free, watcher, monitor, compliance"):
        get_tier("gold")


def test_downgrade_below_current_follows_is_refused() -> None:
    """Moving to a tier with a smaller limit than the follows held is refused."""
    with pytest.raises(TierError, match="unfollow 2 first"):
        check_tier_change(get_tier("free"), 3)


def test_webhooks_are_for_compliance_only() -> None:
    """Only the compliance tier registers webhooks; paid tiers get chat channels; free gets neither."""
    check_channel(get_tier("compliance"), "webhook")
    check_channel(get_tier("watcher"), "apprise")
    with pytest.raises(TierError, match="no webhook endpoints"):
        check_channel(get_tier("monitor"), "webhook")
    with pytest.raises(TierError, match="no apprise endpoints"):
        check_channel(get_tier("free"), "apprise")


def test_filters_are_normalised_and_refused_below_compliance() -> None:
    """Filters are cleaned and sorted for compliance, and refused for other tiers."""
    got = normalise_filters(
        get_tier("compliance"), {"clause_types": ["b", "a", "a"], "min_severity": "HIGH", "regulations": []}
    )
    assert got == {"clause_types": ["a", "b"], "min_severity": "high"}
    with pytest.raises(TierError, match="no provision-level filters"):
        normalise_filters(get_tier("monitor"), {"min_severity": "high"})
    with pytest.raises(TierError, match="unknown filter"):
        normalise_filters(get_tier("compliance"), {"colour": "red"})
    with pytest.raises(TierError, match="min_severity"):
        normalise_filters(get_tier("compliance"), {"min_severity": "urgent"})


def test_matches_applies_every_filter() -> None:
    """A change set passes when severity is high enough and it shares a clause type and a regulation."""
    filters = {"min_severity": "medium", "clause_types": ["ai_training"], "regulations": ["gdpr-art-6"]}
    assert matches(filters, severity="high", clause_types=["ai_training", "x"], regulations=["gdpr-art-6"])
    assert not matches(filters, severity="low", clause_types=["ai_training"], regulations=["gdpr-art-6"])
    assert not matches(filters, severity="high", clause_types=["arbitration"], regulations=["gdpr-art-6"])
    assert not matches(filters, severity="high", clause_types=["ai_training"], regulations=["ccpa"])
    assert matches({}, severity="none", clause_types=[], regulations=[])


def test_a_watched_provision_passes_only_change_sets_touching_it() -> None:
    """With provisions watched (decision 0172), a change set passes only if it touches one of their keys, and still
    only if the other filters pass too; watched keys are kept sorted and unique."""
    filters = normalise_filters(get_tier("compliance"), {"provisions": ["k-train", "k-arb", "k-train"]})
    assert filters == {"provisions": ["k-arb", "k-train"]}
    assert matches(filters, severity="low", clause_types=[], regulations=[], provisions=["k-x", "k-train"])
    assert not matches(
        filters, severity="high", clause_types=["ai_training"], regulations=[], provisions=["k-x"]
    )
    assert not matches(filters, severity="high", clause_types=[], regulations=[])  # touches no provision key
    both = {**filters, "min_severity": "high"}
    assert not matches(both, severity="medium", clause_types=[], regulations=[], provisions=["k-train"])


def test_errors_map_to_http_statuses() -> None:
    """Each management error has its HTTP status, specific kinds before the generic invalid-argument 422."""
    from clausewatch_notifier.errors import ConflictError, NotFoundError, http_status

    assert http_status(TierError("x")) == 403
    assert http_status(NotFoundError("x")) == 404
    assert http_status(ConflictError("x")) == 409
    assert http_status(ValueError("x")) == 422
    assert http_status(RuntimeError("x")) == 500

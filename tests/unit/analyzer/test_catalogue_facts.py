"""Rarity across the catalogue, comparisons with other platforms, provision history and platform activity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clausewatch_analyzer.history import months_between, platform_activity, provision_history
from clausewatch_analyzer.rarity import pick_comparisons, rarity, rarity_label

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def test_rarity_labels_follow_other_platforms_out_of_the_catalogue() -> None:
    """No other platform is unique, up to 10% (at least one) rare, more common."""
    assert rarity_label(0, 343) == "unique"
    assert rarity_label(1, 343) == "rare"
    assert rarity_label(34, 343) == "rare"
    assert rarity_label(35, 343) == "common"
    assert rarity_label(1, 5) == "rare"
    assert rarity_label(2, 5) == "common"


def test_rarity_counts_only_other_platforms() -> None:
    """The platform's own provisions do not count; the text reads like the seed page."""
    result = rarity("ai_training_on_user_content", "leonardo-ai", {"leonardo-ai": 2, "anthropic": 1}, 343)
    record = result.as_dict()
    assert (record["other_platforms"], record["total_platforms"], record["other_provisions"]) == (1, 343, 1)
    assert record["text"] == "Rare · 1 of 343 platforms"


def test_comparisons_pick_one_provision_per_other_platform_with_an_excerpt() -> None:
    """Other platforms only, one each, most confident first, excerpts cut at a word."""
    candidates = [
        {"platform_id": "a", "confidence": 0.6, "text": "short"},
        {"platform_id": "b", "confidence": 0.9, "text": "word " * 100},
        {"platform_id": "a", "confidence": 0.95, "text": "best of a"},
        {"platform_id": "self", "confidence": 0.99, "text": "mine"},
    ]
    chosen = pick_comparisons(candidates, "self", limit=3, excerpt_chars=40)
    assert [c["platform_id"] for c in chosen] == ["a", "b"]
    assert chosen[0]["excerpt"] == "best of a"
    assert chosen[1]["excerpt"].endswith("...")
    assert len(chosen[1]["excerpt"]) <= 40


def test_provision_history_counts_changes_and_months() -> None:
    """Changes, months monitored, first and last seen come from the version and change dates."""
    seen = [NOW - timedelta(days=90), NOW - timedelta(days=10)]
    history = provision_history(seen, [NOW - timedelta(days=10)], NOW - timedelta(days=95), NOW)
    assert history["changes"] == 1
    assert history["months_monitored"] == 4
    assert history["first_seen"] == seen[0].isoformat()
    assert history["last_seen"] == seen[1].isoformat()
    assert history["stability"] == "changing"
    assert provision_history([], [], None, NOW)["stability"] == "stable"


def test_months_between_counts_started_months() -> None:
    """Monitoring for under a month counts as one."""
    assert months_between(NOW - timedelta(days=3), NOW) == 1
    assert months_between(datetime(2026, 4, 3, tzinfo=UTC), datetime(2026, 7, 4, tzinfo=UTC)) == 4


def test_platform_activity_counts_the_last_30_days() -> None:
    """Changes older than 30 days are not counted; the sentence reads like the seed page."""
    dates = [NOW - timedelta(days=d) for d in (1, 5, 29, 31, 200)]
    activity = platform_activity(dates, NOW, "Leonardo AI")
    assert activity["changes_last_30_days"] == 3
    assert activity["text"] == "Leonardo AI recorded 3 documented changes in the last 30 days."

"""Retry timing and the verdict after each try."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from clausewatch_notifier.backoff import next_attempt
from clausewatch_notifier.outcomes import judge

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
SCHEDULE = (30.0, 120.0, 600.0)


def test_delays_follow_the_schedule_within_jitter() -> None:
    """Try n waits schedule[n-1] ± jitter, and the last delay repeats until the tries run out."""
    rand = random.Random(7)
    for attempts, base in [(1, 30.0), (2, 120.0), (3, 600.0), (4, 600.0)]:
        when = next_attempt(NOW, attempts, SCHEDULE, max_attempts=5, jitter=0.2, rand=rand)
        assert when is not None
        assert timedelta(seconds=base * 0.8) <= when - NOW <= timedelta(seconds=base * 1.2)
    assert next_attempt(NOW, 5, SCHEDULE, max_attempts=5, jitter=0.2) is None


def test_jitter_spreads_retries() -> None:
    """Many deliveries failing together do not all retry at the same instant."""
    times = {next_attempt(NOW, 1, SCHEDULE, 5, jitter=0.2) for _ in range(50)}
    assert len(times) > 10


def test_verdicts() -> None:
    """Success delivers; a retryable failure waits; the last try, a 410 or a disabled endpoint fails now."""
    common = {"now": NOW, "schedule": SCHEDULE, "max_attempts": 3, "jitter": 0.0}
    assert judge(ok=True, retryable=True, attempts_made=1, **common).status == "delivered"
    waiting = judge(ok=False, retryable=True, attempts_made=1, **common)
    assert (waiting.status, waiting.next_attempt_at) == ("pending", NOW + timedelta(seconds=30))
    assert judge(ok=False, retryable=True, attempts_made=3, **common).status == "failed"
    assert judge(ok=False, retryable=False, attempts_made=1, **common).status == "failed"
    disabled = judge(
        ok=False, retryable=True, attempts_made=1, endpoint_failures=5, disable_after=5, **common
    )
    assert disabled.status == "failed"
    assert disabled.disable_endpoint

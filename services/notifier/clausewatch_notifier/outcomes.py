"""What to do with a delivery after one try: the next status, when to retry, whether the endpoint must go. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from clausewatch_notifier.backoff import next_attempt


@dataclass(frozen=True)
class Verdict:
    """The delivery's state after a try."""

    status: str  # delivered | pending | failed
    next_attempt_at: datetime | None
    disable_endpoint: bool = False


def judge(
    *,
    ok: bool,
    retryable: bool,
    attempts_made: int,
    now: datetime,
    schedule: tuple[float, ...],
    max_attempts: int,
    jitter: float,
    endpoint_failures: int | None = None,
    disable_after: int | None = None,
) -> Verdict:
    """Decide a delivery's next state from one try's result.

    `endpoint_failures` is the endpoint's run of failed tries including this one: when it reaches `disable_after`
    the endpoint is disabled and this delivery fails now rather than retrying into a wall.
    """
    if ok:
        return Verdict("delivered", None)
    disable = (
        endpoint_failures is not None and disable_after is not None and endpoint_failures >= disable_after
    )
    if disable or not retryable:
        return Verdict("failed", None, disable_endpoint=disable)
    when = next_attempt(now, attempts_made, schedule, max_attempts, jitter)
    if when is None:
        return Verdict("failed", None)
    return Verdict("pending", when)

"""JetStream calls made while a cluster elects its leader are retried for a bounded time, then the error surfaces."""

from __future__ import annotations

import pytest
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import BadRequestError, NoStreamResponseError, ServiceUnavailableError

from clausewatch_shared.streams import until_leader


async def test_a_call_that_times_out_while_no_leader_is_elected_is_made_again() -> None:
    """API timeouts, 503s and a publish nobody answers (a stream electing its leader) are all waited out."""
    failures = [NatsTimeoutError(), ServiceUnavailableError(), NoStreamResponseError()]
    calls = 0

    async def call() -> str:
        nonlocal calls
        calls += 1
        if failures:
            raise failures.pop(0)
        return "created"

    assert await until_leader(call, wait_s=5) == "created"
    assert calls == 4


async def test_no_leader_after_the_wait_raises_the_last_error() -> None:
    calls = 0

    async def call() -> None:
        nonlocal calls
        calls += 1
        raise ServiceUnavailableError()

    with pytest.raises(ServiceUnavailableError):
        await until_leader(call, wait_s=0.5)
    assert 2 <= calls <= 4


async def test_other_errors_are_not_retried() -> None:
    calls = 0

    async def call() -> None:
        nonlocal calls
        calls += 1
        raise BadRequestError()

    with pytest.raises(BadRequestError):
        await until_leader(call, wait_s=5)
    assert calls == 1

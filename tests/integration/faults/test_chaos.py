"""Many document changes while services and the nats-server are SIGKILLed at random points: nothing lost, nothing
alerted twice.

Short form (CI): 3 documents × 4 versions. Long form: `CLAUSEWATCH_FAULT_LONG=1` or `-m slow`, sized by
CLAUSEWATCH_FAULT_DOCS / CLAUSEWATCH_FAULT_ROUNDS; seed CLAUSEWATCH_FAULT_SEED. Each run prints a `FAULT-TALLY` line.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
from pathlib import Path

import pytest

from tests.integration.faults.rig import SERVICES, Rig
from tests.support.nats import NatsServer


async def _monkey(rig: Rig, rng: random.Random, kills: list[str], period: tuple[float, float]) -> None:
    """SIGKILL a random service every few seconds and start it again after a random pause."""
    while True:
        await asyncio.sleep(rng.uniform(*period))
        victim = rng.choice(SERVICES)
        rig.services[victim].sigkill()
        kills.append(victim)
        await asyncio.sleep(rng.uniform(0.0, 1.0))
        rig.services[victim].start()


async def _strike(rig: Rig, rng: random.Random, kills: list[str], victim: str) -> None:
    """SIGKILL one service while the round just published is in flight, and start it again after a random pause.

    The pipeline handles a short round in about a second, faster than the background monkey's period, so every
    round also gets a kill of its own at a random point inside that window: the run always breaks something.
    """
    await asyncio.sleep(rng.uniform(0.0, 0.8))
    rig.services[victim].sigkill()
    kills.append(victim)
    await asyncio.sleep(rng.uniform(0.0, 1.0))
    rig.services[victim].start()


async def _run(
    tmp_path: Path, nats_server: NatsServer, postgres_url: str, docs: int, rounds: int, seed: int
) -> None:
    rng = random.Random(seed)
    rig = Rig(tmp_path, nats_server, postgres_url, documents=docs)
    kills: list[str] = []
    nats_restarts = 0
    try:
        await rig.start()
        # Version 1 of every page first: the baseline each later change is measured against.
        from tests.integration.faults.rig import publish_captures

        await publish_captures(nats_server.url, rig.document_ids, "round-1")
        await rig.wait_captured(timeout=300)
        monkey = asyncio.create_task(_monkey(rig, rng, kills, (2.0, 6.0)))
        try:
            victims = [SERVICES[i % len(SERVICES)] for i in range(rounds)]
            rng.shuffle(victims)
            for round_no in range(2, rounds + 1):
                await rig.capture_round()
                await _strike(rig, rng, kills, victims[round_no - 2])
                if round_no == max(2, rounds // 2 + 1):
                    # The broker dies too: SIGKILL it mid-round, then start it on the same port and store.
                    await asyncio.sleep(rng.uniform(0.0, 1.5))
                    assert nats_server.process is not None
                    nats_server.process.kill()
                    nats_server.process.wait()
                    await asyncio.sleep(rng.uniform(0.5, 2.0))
                    nats_server.start()
                    nats_restarts += 1
                await rig.wait_captured(timeout=300)
        finally:
            monkey.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await monkey
        for service in rig.services.values():
            if not service.alive():
                service.start()
        await rig.wait_delivered(timeout=300)
        # Anything still pending would show up as a duplicate now: give redeliveries a few ack_waits to land.
        await asyncio.sleep(15)
        tally = await rig.tally()
        print(
            f"FAULT-TALLY seed={seed} docs={docs} rounds={rounds} kills={len(kills)} "
            f"nats_restarts={nats_restarts} {tally.line()}"
        )
        assert tally.lost_changes == 0, rig.logs()
        assert tally.duplicate_webhook_alerts == 0, tally.line()
        assert tally.duplicate_mails == 0, tally.line()
        assert tally.change_sets == tally.expected_changes, tally.line()
        assert tally.unverified == 0
        assert kills, "the monkey killed nothing: the run proved nothing"
        assert rig.leaked_secrets() == [], "a secret reached a log line"
    except AssertionError:
        print(rig.logs())
        raise
    finally:
        await rig.close()


@pytest.mark.timeout(900)
async def test_short_fault_run_loses_no_change_and_alerts_none_twice(
    tmp_path: Path, nats_server: NatsServer, postgres_url: str
) -> None:
    """Three documents changing three times while random services and the nats-server are SIGKILLed reach the subscriber exactly once each by webhook and by mail."""
    seed = int(os.environ.get("CLAUSEWATCH_FAULT_SEED", "20261122"))
    await _run(tmp_path, nats_server, postgres_url, docs=3, rounds=4, seed=seed)


@pytest.mark.slow
@pytest.mark.timeout(3600)
async def test_long_fault_run_loses_no_change_and_alerts_none_twice(
    tmp_path: Path, nats_server: NatsServer, postgres_url: str
) -> None:
    """The long form: more documents and versions under the same random SIGKILLs, still exactly once per change."""
    docs = int(os.environ.get("CLAUSEWATCH_FAULT_DOCS", "12"))
    rounds = int(os.environ.get("CLAUSEWATCH_FAULT_ROUNDS", "8"))
    seed = int(os.environ.get("CLAUSEWATCH_FAULT_SEED", "7"))
    await _run(tmp_path, nats_server, postgres_url, docs=docs, rounds=rounds, seed=seed)

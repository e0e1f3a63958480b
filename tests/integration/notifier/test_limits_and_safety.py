"""Tier limits and webhook safety against a real database, HTTP receiver and delivery loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from clausewatch_notifier import management
from clausewatch_notifier.delivery import DeliveryWorker
from clausewatch_notifier.errors import ConflictError, NotFoundError, http_status
from clausewatch_notifier.handlers import AssessmentHandler
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_notifier.ssrf import UnsafeTargetError
from clausewatch_notifier.tiers import TierError
from clausewatch_shared.db import Database
from tests.integration.notifier.conftest import make_settings
from tests.integration.notifier.seed import add_change_set, add_platform
from tests.integration.notifier.servers import Inbox, webhook_receiver


async def test_tier_limits_are_enforced_with_clear_errors(
    notifier_settings: NotifierSettings, db: Database
) -> None:
    """A free subscriber cannot follow a second platform, add a webhook or set filters; compliance can do all three."""
    for pid in ("acme", "zeta"):
        await add_platform(db, pid, pid.title())
    free = (await management.create_subscriber(db, "free@example.org")).subscriber
    await management.follow(db, free.id, "acme")
    await management.follow(db, free.id, "acme")  # following again is a no-op, not a second follow
    with pytest.raises(TierError, match="the free tier follows at most 1 platform and 1 are followed") as exc:
        await management.follow(db, free.id, "zeta")
    assert http_status(exc.value) == 403
    with pytest.raises(TierError, match="no webhook endpoints"):
        await management.register_endpoint(db, notifier_settings, free.id, "http://127.0.0.1:9/hook")
    with pytest.raises(TierError, match="no provision-level filters"):
        await management.set_filters(db, free.id, {"min_severity": "high"})
    assert (await management.get_subscriber(db, free.id)).platforms == ["acme"]

    comp = (await management.create_subscriber(db, "c@example.org", tier="compliance")).subscriber
    for pid in ("acme", "zeta"):
        await management.follow(db, comp.id, pid)
    filtered = await management.set_filters(
        db, comp.id, {"min_severity": "medium", "regulations": ["gdpr-art-6"]}
    )
    assert filtered.filters == {"min_severity": "medium", "regulations": ["gdpr-art-6"]}
    with pytest.raises(TierError, match="unfollow 1 first"):
        await management.change_tier(db, comp.id, "free")
    with pytest.raises(NotFoundError):
        await management.follow(db, comp.id, "no-such-platform")
    with pytest.raises(ConflictError):
        await management.create_subscriber(db, "FREE@example.org")


UNSAFE_URLS = (
    "http://127.0.0.1:8222/varz",
    "http://localhost/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/hook",
    "http://192.168.1.1/hook",
    "http://[::1]/hook",
    "http://0x7f000001/hook",
)


async def test_ssrf_targets_are_refused_at_registration(
    tmp_path: Path, sqlite_url: str, smtp: tuple[Inbox, int]
) -> None:
    """Webhook URLs reaching loopback, link-local or private addresses are refused unless the operator allows them."""
    settings = make_settings(
        tmp_path, "nats://127.0.0.1:1", sqlite_url, smtp[1], allow_private_webhook_targets=False
    )
    db = Database(sqlite_url)
    comp = (await management.create_subscriber(db, "c@example.org", tier="compliance")).subscriber
    for url in UNSAFE_URLS:
        with pytest.raises(UnsafeTargetError) as exc:
            await management.register_endpoint(db, settings, comp.id, url)
        assert http_status(exc.value) == 422
    assert await management.list_endpoints(db, comp.id) == []
    allowed = settings.model_copy(update={"allow_private_webhook_targets": True})
    await management.register_endpoint(db, allowed, comp.id, UNSAFE_URLS[0])
    assert len(await management.list_endpoints(db, comp.id)) == 1
    await db.dispose()


async def test_https_is_required_outside_development(
    tmp_path: Path, sqlite_url: str, smtp: tuple[Inbox, int]
) -> None:
    """In production a plain-http webhook URL is refused even for a public host."""
    settings = make_settings(
        tmp_path,
        "nats://127.0.0.1:1",
        sqlite_url,
        smtp[1],
        environment="production",
        require_https=None,
        allow_private_webhook_targets=False,
    )
    db = Database(sqlite_url)
    comp = (await management.create_subscriber(db, "c@example.org", tier="compliance")).subscriber
    with pytest.raises(UnsafeTargetError, match="must use https"):
        await management.register_endpoint(db, settings, comp.id, "http://93.184.216.34/hook")
    await db.dispose()


async def test_ssrf_is_checked_again_at_send_time(
    tmp_path: Path, sqlite_url: str, smtp: tuple[Inbox, int]
) -> None:
    """An endpoint that became unsafe (rules tightened, DNS changed) is not called: the delivery fails without a retry."""
    lax = make_settings(tmp_path, "nats://127.0.0.1:1", sqlite_url, smtp[1])
    strict = make_settings(
        tmp_path, "nats://127.0.0.1:1", sqlite_url, smtp[1], allow_private_webhook_targets=False
    )
    db = Database(sqlite_url)
    await add_platform(db)
    event = await add_change_set(db)
    comp = (await management.create_subscriber(db, "c@example.org", tier="compliance")).subscriber
    with webhook_receiver() as receiver:
        await management.register_endpoint(db, lax, comp.id, receiver.url())
        await AssessmentHandler(db, strict)(event)
        worker = DeliveryWorker(db, strict)
        await worker.run_once()
        await worker.webhooks.aclose()
    assert receiver.requests == []
    log = await management.list_deliveries(db, subscriber_id=comp.id, channel="webhook", with_history=True)
    assert log[0].status == "failed"
    assert log[0].attempts == 1
    assert "loopback" in (log[0].last_error or "")
    await db.dispose()


async def test_send_connects_to_the_checked_address_under_the_original_name(
    tmp_path: Path, sqlite_url: str, smtp: tuple[Inbox, int]
) -> None:
    """A webhook to http://localhost:PORT is sent to the address that was checked, with Host still naming localhost."""
    settings = make_settings(tmp_path, "nats://127.0.0.1:1", sqlite_url, smtp[1])
    db = Database(sqlite_url)
    await add_platform(db)
    event = await add_change_set(db)
    comp = (await management.create_subscriber(db, "c@example.org", tier="compliance")).subscriber
    with webhook_receiver() as receiver:
        await management.register_endpoint(
            db, settings, comp.id, f"http://localhost:{receiver.port}/hook?k=v"
        )
        await AssessmentHandler(db, settings)(event)
        worker = DeliveryWorker(db, settings)
        await worker.run_once()
        await worker.webhooks.aclose()
    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["host"] == f"localhost:{receiver.port}"
    assert receiver.requests[0].path == "/hook?k=v"
    await db.dispose()

"""Subscriber isolation, key authentication and SSRF refusal at the management layer the API's routes call, on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from clausewatch_notifier import management
from clausewatch_notifier.errors import NotFoundError
from clausewatch_notifier.settings import NotifierSettings
from clausewatch_shared.db import Database

SETTINGS = NotifierSettings(environment="production", allow_private_webhook_targets=False)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated database of each kind."""
    database = Database(database_url)
    yield database
    await database.dispose()


async def test_one_subscriber_cannot_touch_another_s_endpoint(db: Database) -> None:
    """Subscriber A can neither rotate nor disable nor list subscriber B's webhook endpoint."""
    a = await management.create_subscriber(db, "a@example.org", tier="compliance")
    b = await management.create_subscriber(db, "b@example.org", tier="compliance")
    registered = await management.register_endpoint(
        db, SETTINGS, b.subscriber.id, "https://93.184.215.14/hooks/b"
    )
    endpoint_id = registered.endpoint.id
    with pytest.raises(NotFoundError):
        await management.rotate_secret(db, SETTINGS, endpoint_id, subscriber_id=a.subscriber.id)
    with pytest.raises(NotFoundError):
        await management.set_endpoint_enabled(db, endpoint_id, False, subscriber_id=a.subscriber.id)
    assert await management.list_endpoints(db, a.subscriber.id) == []
    assert [e.id for e in await management.list_endpoints(db, b.subscriber.id)] == [endpoint_id]


async def test_an_api_key_authenticates_only_its_owner(db: Database) -> None:
    """Each subscriber's key finds that subscriber only; a wrong, truncated or other-prefixed key finds nobody."""
    a = await management.create_subscriber(db, "a@example.org", tier="compliance")
    b = await management.create_subscriber(db, "b@example.org", tier="compliance")
    assert (await management.authenticate(db, a.api_key)).id == a.subscriber.id  # type: ignore[union-attr]
    assert (await management.authenticate(db, b.api_key)).id == b.subscriber.id  # type: ignore[union-attr]
    for wrong in (a.api_key[:-1], a.api_key + "x", a.api_key.upper(), "", "cwk_"):
        assert await management.authenticate(db, wrong) is None


SSRF_URLS = [
    "https://127.0.0.1/hook",
    "https://localhost/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.5/hook",
    "https://192.168.1.1/hook",
    "https://172.16.0.1/hook",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://0.0.0.0/hook",
    "https://2130706433/hook",
    "https://0x7f000001/hook",
    "https://127.1/hook",
    "https://[fd00::1]/hook",
    "https://100.64.0.1/hook",
    "http://93.184.215.14/plain-http",
    "file:///etc/passwd",
    "gopher://127.0.0.1:25/",
]


@pytest.mark.parametrize("url", SSRF_URLS)
async def test_a_webhook_into_the_private_network_is_refused(sqlite_url: str, url: str) -> None:
    """A webhook at a loopback, link-local, private, CGNAT, encoded-IP, plain-HTTP or non-HTTP address is refused and not stored."""
    db = Database(sqlite_url)
    try:
        a = await management.create_subscriber(db, "ssrf@example.org", tier="compliance")
        with pytest.raises(Exception) as caught:  # noqa: PT011 - the notifier's own error type varies by rule
            await management.register_endpoint(db, SETTINGS, a.subscriber.id, url)
        assert not isinstance(caught.value, AssertionError)
        assert await management.list_endpoints(db, a.subscriber.id) == []
    finally:
        await db.dispose()

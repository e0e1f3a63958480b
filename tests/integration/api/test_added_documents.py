"""Documents added through the API: authentication, the SSRF guard on their URLs, and what the row becomes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import select

from clausewatch_api.settings import ApiSettings
from clausewatch_api.web import create_api
from clausewatch_fetcher.catalogue import load_catalogue
from clausewatch_fetcher.sync import sync_catalogue
from clausewatch_shared.blobstore import FilesystemBlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.models import Document, Platform

pytestmark = pytest.mark.integration

KEY = "test-admin-key-0123456789"
AUTH = {"X-API-Key": KEY}
Served = tuple[httpx.AsyncClient, Database]


def _body(*urls: str, **extra: object) -> dict[str, object]:
    return {
        "platform_id": "newco",
        "platform_name": "NewCo",
        "doc_type": "privacy notice",
        "urls": list(urls),
        **extra,
    }


@asynccontextmanager
async def _serving(database_url: str, tmp_path: Path, *, allow_private: bool) -> AsyncIterator[Served]:
    db = Database(database_url)
    settings = ApiSettings(
        database_url=database_url,
        blob_dir=tmp_path / "blobs",
        api_admin_key=SecretStr(KEY),
        allow_private_document_urls=allow_private,
    )
    app = create_api(settings, db, FilesystemBlobStore(tmp_path / "blobs"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cw.test") as client:
        yield client, db
    await db.dispose()


@pytest.fixture
async def guarded(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Served]:
    """The api with the default policy: document URLs must resolve to public addresses."""
    async with _serving(sqlite_url, tmp_path, allow_private=False) as served:
        yield served


@pytest.fixture
async def lenient(database_url: str, tmp_path: Path) -> AsyncIterator[Served]:
    """The api with private document URLs allowed (how a LAN demo would run it), on both databases."""
    async with _serving(database_url, tmp_path, allow_private=True) as served:
        yield served


async def _documents(db: Database) -> list[Document]:
    async with db.session() as session:
        return list((await session.exec(select(Document))).all())


async def test_adding_a_document_needs_an_api_key(guarded: Served) -> None:
    """Without a key, or with a wrong one, the api answers 401 and writes nothing."""
    client, db = guarded
    assert (await client.post("/api/v1/documents", json=_body("https://93.184.216.34/p"))).status_code == 401
    wrong = {"X-API-Key": "nope"}
    assert (
        await client.post("/api/v1/documents", json=_body("https://93.184.216.34/p"), headers=wrong)
    ).status_code == 401
    assert await _documents(db) == []


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:4222/", "loopback"),
        ("http://localhost:8222/varz", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.0.0.5/intranet", "private"),
        ("http://[::1]:5432/", "loopback"),
        ("http://[::ffff:192.168.1.1]/", "private"),
        ("http://0.0.0.0:8080/", "private"),
        ("file:///etc/passwd", "string_pattern_mismatch"),
        ("gopher://93.184.216.34/", "string_pattern_mismatch"),
        ("https://" + "a" * 70 + ".example/", "does not resolve"),
        ("https://user:pw@93.184.216.34/", "credentials"),
        ("https://nowhere.invalid/privacy", "does not resolve"),
    ],
)
async def test_internal_and_malformed_urls_are_refused(guarded: Served, url: str, why: str) -> None:
    """A URL aimed at our own network (or not http at all) is refused with the reason; nothing is written."""
    client, db = guarded
    answer = await client.post("/api/v1/documents", json=_body("https://93.184.216.34/ok", url), headers=AUTH)
    assert answer.status_code == 422, answer.text
    assert why in answer.text
    assert await _documents(db) == []


async def test_an_allowed_document_is_stored_due_now_and_marked_public_only(
    lenient: Served,
) -> None:
    """With private URLs allowed, the document and its new platform are stored, due at once, origin api."""
    client, db = lenient
    answer = await client.post("/api/v1/documents", json=_body("http://127.0.0.1:9/privacy"), headers=AUTH)
    assert answer.status_code == 201, answer.text
    assert answer.json()["id"] == "newco/privacy-policy"
    assert answer.json()["doc_type"] == "Privacy Policy"
    (doc,) = await _documents(db)
    assert doc.spec["origin"] == "api"
    assert doc.spec["public_only"] is True
    assert doc.next_due_at is not None
    async with db.session() as session:
        assert (await session.get(Platform, "newco")) is not None
    again = await client.post("/api/v1/documents", json=_body("http://127.0.0.1:9/privacy"), headers=AUTH)
    assert again.status_code == 409


async def test_bad_declarations_are_refused_with_their_field(
    lenient: Served,
) -> None:
    """An unknown type, or a new platform without a name, is a 422 naming the problem."""
    client, db = lenient
    unknown = await client.post(
        "/api/v1/documents", json=_body("http://127.0.0.1:9/p", doc_type="secret plans"), headers=AUTH
    )
    assert unknown.status_code == 422
    assert "unknown document type" in unknown.text
    nameless = {"platform_id": "ghost", "doc_type": "Terms of Service", "urls": ["http://127.0.0.1:9/t"]}
    answer = await client.post("/api/v1/documents", json=nameless, headers=AUTH)
    assert answer.status_code == 422
    assert "platform_name" in answer.text
    assert await _documents(db) == []


async def test_the_catalogue_sync_leaves_api_documents_active(
    lenient: Served,
) -> None:
    """A fetcher starting up syncs the catalogue files; a document added through the API stays active."""
    client, db = lenient
    assert (
        await client.post("/api/v1/documents", json=_body("http://127.0.0.1:9/p"), headers=AUTH)
    ).status_code == 201
    await sync_catalogue(db, load_catalogue())
    async with db.session() as session:
        doc = await session.get(Document, "newco/privacy-policy")
        assert doc is not None
        assert doc.active

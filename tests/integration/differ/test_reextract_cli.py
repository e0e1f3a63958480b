"""`clausewatch reextract` from the command line, against a migrated database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from clausewatch_differ.cli import app
from tests.integration.differ.conftest import add_catalogue, capture


def test_reextract_of_an_unknown_document_is_a_clear_error(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown document id exits with status 2 and names the document."""
    monkeypatch.setenv("CLAUSEWATCH_DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(app, ["reextract", "nope/terms"])
    assert result.exit_code == 2
    assert "nope/terms" in result.output


async def test_reextract_reports_what_it_rebuilt(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reextract on a document with snapshots but no versions yet records them and says how many."""
    await add_catalogue(sqlite_url)
    await capture(sqlite_url, tmp_path / "blobs", 1, b"<html><body><h1>T</h1><p>One.</p></body></html>")
    await capture(sqlite_url, tmp_path / "blobs", 2, b"<html><body><h1>T</h1><p>Two.</p></body></html>")
    monkeypatch.setenv("CLAUSEWATCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CLAUSEWATCH_BLOB_DIR", str(tmp_path / "blobs"))
    import asyncio

    result = await asyncio.to_thread(CliRunner().invoke, app, ["reextract", "acme/privacy-policy"])
    assert result.exit_code == 0, result.output
    assert "2 snapshots, 2 versions rebuilt" in result.output

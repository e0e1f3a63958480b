"""Reassessing stored versions after an upgrade changes the rules (decision 0163), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from clausewatch_analyzer import service
from clausewatch_analyzer.cli import app
from clausewatch_analyzer.engine import build_engine
from clausewatch_analyzer.reassess import reassess
from clausewatch_analyzer.taxonomy import TAXONOMY_PATH
from clausewatch_shared.db import Database
from clausewatch_shared.models import Document, ProvisionAssessment
from tests.integration.analyzer.seeding import RETENTION, seed


def _taxonomy_copy(tmp_path: Path, *, retention_default: str = "low") -> Path:
    """The shipped taxonomy, copied; with `retention_default` the data retention type's default severity changed."""
    lines = TAXONOMY_PATH.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "- id: data_retention")
    at = next(i for i in range(start, len(lines)) if lines[i].strip() == "default: low")
    lines[at] = lines[at].replace("default: low", f"default: {retention_default}")
    path = tmp_path / "taxonomy.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


async def _newest(db: Database, text: str) -> ProvisionAssessment:
    async with db.session() as session:
        rows = (
            await session.exec(
                select(ProvisionAssessment)
                .where(ProvisionAssessment.provision_id == "v2-p2")
                .order_by(col(ProvisionAssessment.created_at), col(ProvisionAssessment.id))
            )
        ).all()
    assert rows, text
    return rows[-1]


async def test_an_upgrade_that_changes_a_rule_reassesses_the_latest_versions_once(
    database_url: str, tmp_path: Path
) -> None:
    """Assessed under rules that rate data retention high, then reassessed with the installed ones: every provision
    of the latest version gets a row under the new classifier version, which reads low and replaces the earlier one
    (one reading per provision), and a second run assesses nothing."""
    db = Database(database_url)
    await seed(db)
    before = build_engine(use_model=False, taxonomy_path=_taxonomy_copy(tmp_path, retention_default="high"))
    await service.assess_version(db, before, "v2")
    assert (await _newest(db, RETENTION)).severity == "high"

    installed = build_engine(use_model=False)
    assert installed.classifier.version != before.classifier.version
    report = await reassess(db, installed)
    assert (report.documents, report.provisions, report.assessed) == (1, 3, 3)
    newest = await _newest(db, RETENTION)
    assert newest.severity == "low"
    assert newest.model_version == installed.classifier.version
    async with db.session() as session:
        versions = (await session.exec(select(ProvisionAssessment.model_version))).all()
    assert versions == [installed.classifier.version] * 3  # the earlier readings are gone

    again = await reassess(db, installed, ["leonardo-ai/privacy-policy"])
    assert (again.documents, again.assessed) == (1, 0)
    assert "0 of 3 provisions" in again.describe()
    await db.dispose()


async def test_the_same_rules_from_another_file_are_the_same_classifier_version(tmp_path: Path) -> None:
    """The version names the rules' content and the code, not where the taxonomy was read from: a copy of the shipped
    file reads as the installed rules; one changed value does not."""
    same = build_engine(use_model=False, taxonomy_path=_taxonomy_copy(tmp_path))
    assert same.classifier.version == build_engine(use_model=False).classifier.version
    (tmp_path / "changed").mkdir()
    changed = build_engine(
        use_model=False, taxonomy_path=_taxonomy_copy(tmp_path / "changed", retention_default="medium")
    )
    assert changed.classifier.version != same.classifier.version


async def test_a_document_without_a_version_or_unknown_is_named(database_url: str) -> None:
    """Asking for documents that cannot be reassessed says which and why, and assesses nothing."""
    db = Database(database_url)
    await seed(db)
    async with db.session() as session:
        session.add(Document(id="other/terms", platform_id="other", doc_type="terms", title="Terms", urls=[]))
    with pytest.raises(
        LookupError, match=r"other/terms \(no version yet\), nope/privacy \(not in the catalogue\)"
    ):
        await reassess(db, build_engine(use_model=False), ["other/terms", "nope/privacy"])
    async with db.session() as session:
        assert (await session.exec(select(ProvisionAssessment))).all() == []
    await db.dispose()


async def test_reassess_from_the_command_line(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`clausewatch reassess` prints what it assessed, and exits 2 naming a document it cannot reassess."""
    db = Database(sqlite_url)
    await seed(db)
    await db.dispose()
    monkeypatch.setenv("CLAUSEWATCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CLAUSEWATCH_ANALYZER_USE_MODEL", "false")
    result = await asyncio.to_thread(CliRunner().invoke, app, ["reassess"])
    assert result.exit_code == 0, result.output
    assert "1 document: 3 of 3 provisions of their latest versions assessed anew" in result.output
    assert "(no alerts sent)" in result.output
    result = await asyncio.to_thread(CliRunner().invoke, app, ["reassess", "nope/privacy"])
    assert result.exit_code == 2
    assert "nope/privacy (not in the catalogue)" in result.output

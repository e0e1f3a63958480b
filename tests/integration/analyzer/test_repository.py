"""The analyzer's catalogue queries on a real database: comparison candidates and what is left to assess."""

from __future__ import annotations

from datetime import timedelta

from clausewatch_analyzer import repository
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database
from clausewatch_shared.models import ProvisionAssessment
from tests.integration.analyzer.seeding import seed

# (provision, platform, primary type, model version): five assessments, one minute apart in this order.
ROWS = [
    ("v1-p0", "other", "arbitration", "m1"),
    ("v1-p1", "other", "arbitration", "m1"),
    ("v2-p0", "leonardo-ai", "arbitration", "m1"),
    ("v2-p1", "other", "arbitration", "m2"),
    ("v2-p2", "other", "data_retention", "m1"),
]


def _assessment(
    i: int, provision: str, platform: str, clause_type: str, model_version: str
) -> ProvisionAssessment:
    return ProvisionAssessment(
        id=f"pa-{i}",
        provision_id=provision,
        provision_key=provision,
        version_id=provision.split("-")[0],
        document_id="leonardo-ai/privacy-policy",
        platform_id=platform,
        clause_types=[],
        primary_clause_type=clause_type,
        severity="medium",
        confidence=0.5 + i / 100,
        reasons=[],
        evidence=[],
        regulations=[],
        opt_outs=[],
        model_version=model_version,
        created_at=utcnow() - timedelta(minutes=10 - i),
    )


async def test_comparison_candidates_are_the_latest_of_other_platforms_per_type(database_url: str) -> None:
    """Per type, other platforms' provisions newest first, at most `limit` of them, with text and platform name."""
    db = Database(database_url)
    await seed(db)
    async with db.session() as s:
        s.add_all([_assessment(i, *row) for i, row in enumerate(ROWS)])
    async with db.session() as s:
        found = await repository.comparison_candidates(
            s, ["arbitration", "data_retention", "arbitration", "unused"], "leonardo-ai", limit=2
        )
    assert list(found) == ["arbitration", "data_retention", "unused"]
    assert [c["provision_id"] for c in found["arbitration"]] == ["v2-p1", "v1-p1"]
    assert [c["provision_id"] for c in found["data_retention"]] == ["v2-p2"]
    assert found["unused"] == []
    first = found["arbitration"][0]
    assert first["platform_name"] == "Other Co"
    assert first["provision_key"] == "arbitration"
    assert first["text"].startswith("All disputes")
    assert (first["severity"], first["confidence"], first["document_id"]) == (
        "medium",
        0.53,
        "leonardo-ai/privacy-policy",
    )
    await db.dispose()


async def test_version_scope_is_the_document_and_platform_of_a_version(database_url: str) -> None:
    """A version's scope is its document and its platform, read in one query."""
    db = Database(database_url)
    await seed(db)
    async with db.session() as s:
        scope = await repository.version_scope(s, "v2")
        assert scope is not None
        document, platform = scope
        assert (document.id, platform.name if platform else None) == (
            "leonardo-ai/privacy-policy",
            "Leonardo AI",
        )
    await db.dispose()


async def test_unassessed_count_counts_provisions_without_this_model_versions_assessment(
    database_url: str,
) -> None:
    """A version's provisions lacking an assessment by the given model version are counted; no version has no scope."""
    db = Database(database_url)
    await seed(db)
    async with db.session() as s:
        assert await repository.unassessed_count(s, "v2", "m1") == 3
        s.add_all([_assessment(i, *row) for i, row in enumerate(ROWS)])
    async with db.session() as s:
        assert await repository.unassessed_count(s, "v2", "m1") == 1  # v2-p1 has only an m2 assessment
        assert await repository.unassessed_count(s, "v1", "m1") == 0
        assert await repository.unassessed_count(s, "v9", "m1") == 0
        assert await repository.version_scope(s, "v9") is None
        assert await repository.assessed_provisions(s, "v2", "m1") == {"v2-p0", "v2-p2"}
    await db.dispose()


async def test_scopes_and_unassessed_counts_of_several_versions_come_in_one_query_each(
    database_url: str,
) -> None:
    """Several versions' scopes and unassessed counts are read at once; a missing version is absent from both."""
    db = Database(database_url)
    await seed(db)
    async with db.session() as s:
        s.add_all([_assessment(i, *row) for i, row in enumerate(ROWS)])
    async with db.session() as s:
        scopes = await repository.version_scopes(s, ["v2", "v1", "v9", "v2"])
        assert sorted(scopes) == ["v1", "v2"]
        assert scopes["v1"][0].id == "leonardo-ai/privacy-policy"
        assert await repository.unassessed_counts(s, ["v1", "v2", "v9"], "m1") == {"v2": 1}
    await db.dispose()

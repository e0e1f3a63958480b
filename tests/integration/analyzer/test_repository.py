"""The analyzer's queries on a real database: comparison candidates, catalogue counts, history, what is left to assess."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Text, cast, select

from clausewatch_analyzer import repository
from clausewatch_analyzer.rarity import pick_comparisons
from clausewatch_shared.clock import utcnow
from clausewatch_shared.db import Database, insert_json_rows, insert_values
from clausewatch_shared.models import ChangeAssessment, Platform, ProvisionAssessment
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


async def test_comparison_candidates_are_each_other_platforms_best_of_the_latest_per_type(
    database_url: str,
) -> None:
    """Per type, of the `limit` latest other platforms' provisions, each platform's most confident, with text."""
    db = Database(database_url)
    await seed(db)
    async with db.session() as s:
        s.add_all([_assessment(i, *row) for i, row in enumerate(ROWS)])
    async with db.connection() as conn:
        found = await repository.comparison_candidates(
            conn, ["arbitration", "data_retention", "arbitration", "unused"], "leonardo-ai", pick=3, limit=2
        )
        assert await repository.comparison_candidates(conn, [], "leonardo-ai", pick=3) == {}
    assert list(found) == ["arbitration", "data_retention", "unused"]
    # The two latest arbitration rows are both Other Co's: its more confident one (v2-p1, 0.53) stands for it.
    assert [c["provision_id"] for c in found["arbitration"]] == ["v2-p1"]
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


async def test_comparison_candidates_give_the_same_pick_as_all_the_latest(database_url: str) -> None:
    """pick_comparisons chooses the same from the candidates as from every one of the latest rows, ties included."""
    db = Database(database_url)
    await seed(db)
    # (provision, platform, confidence, minutes ago): b and c tie with a's best; d is below the third.
    rows = [
        ("v1-p0", "a", 0.7, 9),
        ("v1-p1", "a", 0.9, 8),
        ("v2-p0", "c", 0.9, 7),
        ("v2-p1", "b", 0.9, 6),
        ("v2-p2", "d", 0.5, 5),
    ]
    async with db.session() as s:
        for platform in ("a", "b", "c", "d"):
            s.add(Platform(id=platform, name=platform.upper()))
        for n, (provision, platform, confidence, ago) in enumerate(rows):
            row = _assessment(n, provision, platform, "arbitration", "m1")
            row.confidence = confidence
            row.created_at = utcnow() - timedelta(minutes=ago)
            s.add(row)
    everything = [
        {"platform_id": platform, "confidence": confidence, "provision_id": provision}
        for provision, platform, confidence, _ in sorted(rows, key=lambda r: r[3])
    ]
    async with db.connection() as conn:
        for pick in (1, 2, 3, 4):
            found = await repository.comparison_candidates(conn, ["arbitration"], "leonardo-ai", pick=pick)
            chosen = pick_comparisons(found["arbitration"], "leonardo-ai", pick)
            expected = pick_comparisons(everything, "leonardo-ai", pick)
            assert [(c["platform_id"], c["provision_id"]) for c in chosen] == [
                (c["platform_id"], c["provision_id"]) for c in expected
            ]
            assert len(found["arbitration"]) == (3 if pick <= 3 else 4)
    await db.dispose()


async def test_catalogue_counts_give_holders_per_type_and_the_platform_count(database_url: str) -> None:
    """Distinct provision keys per type and platform (every model version), and how many platforms there are."""
    db = Database(database_url)
    await seed(db)
    async with db.session() as s:
        s.add_all([_assessment(i, *row) for i, row in enumerate(ROWS)])
        s.add(Platform(id="third", name="Third"))
    async with db.connection() as conn:
        holders, platforms = await repository.catalogue_counts(conn, ["arbitration", "unused", "arbitration"])
    assert holders == {"arbitration": {"other": 3, "leonardo-ai": 1}, "unused": {}}
    assert platforms == 3
    await db.dispose()


async def test_version_work_is_the_scope_and_the_provisions_left_to_assess(database_url: str) -> None:
    """A version's scope and, in order, its provisions this model version has not assessed; None for no version."""
    db = Database(database_url)
    await seed(db, platform_jurisdictions=["EU"])
    async with db.connection() as conn:
        work = await repository.version_work(conn, "v2", "m1")
        assert work is not None
        assert work.scope == repository.Scope(
            "leonardo-ai/privacy-policy",
            "Leonardo AI Privacy Policy",
            "privacy-policy",
            "leonardo-ai",
            "Leonardo AI",
            ("EU",),
        )
        assert (work.provisions, [p.id for p in work.todo]) == (3, ["v2-p0", "v2-p1", "v2-p2"])
        assert work.todo[2].key == "retention"
        assert work.todo[2].text.startswith("We retain")
    async with db.session() as s:
        s.add_all([_assessment(i, *row) for i, row in enumerate(ROWS)])
    async with db.connection() as conn:
        work = await repository.version_work(conn, "v2", "m1")
        assert work is not None
        assert (work.provisions, [p.id for p in work.todo]) == (
            3,
            ["v2-p1"],
        )  # v2-p1 has only an m2 assessment
        assert await repository.version_work(conn, "v9", "m1") is None
    await db.dispose()


async def test_scopes_and_unassessed_counts_of_several_versions_come_in_one_query(database_url: str) -> None:
    """Several versions' scopes and unassessed counts are read at once; a missing version is absent."""
    db = Database(database_url)
    await seed(db)
    async with db.session() as s:
        s.add_all([_assessment(i, *row) for i, row in enumerate(ROWS)])
    async with db.connection() as conn:
        scopes = await repository.version_scopes(conn, ["v2", "v1", "v9", "v2"], "m1")
    assert sorted(scopes) == ["v1", "v2"]
    assert scopes["v1"][0].document_id == "leonardo-ai/privacy-policy"
    assert scopes["v1"][0].jurisdictions == ()
    assert (scopes["v1"][1], scopes["v2"][1]) == (0, 1)
    await db.dispose()


async def test_document_history_gives_times_per_key_first_version_and_recent_platform_changes(
    database_url: str,
) -> None:
    """Seen in both versions, changed in the change set; monitored since v1; the change set is recent, or not."""
    db = Database(database_url)
    await seed(db)
    async with db.connection() as conn:
        history = await repository.document_history(
            conn, "leonardo-ai/privacy-policy", "leonardo-ai", utcnow() - timedelta(days=30)
        )
        later = await repository.document_history(conn, "leonardo-ai/privacy-policy", "leonardo-ai", utcnow())
    assert sorted(history.seen) == ["arbitration", "retention", "training"]
    assert len(history.seen["arbitration"]) == 2
    assert len(history.seen["retention"]) == 1
    assert sorted(history.changed) == ["retention", "training"]
    assert history.monitored_since == min(history.seen["arbitration"])
    assert history.monitored_since is not None
    assert history.monitored_since.tzinfo is not None
    assert history.platform_changes == history.changed["training"]
    assert later.platform_changes == []
    await db.dispose()


@pytest.mark.parametrize("named", [True, False])
async def test_changes_come_in_order_with_their_existing_assessment(database_url: str, named: bool) -> None:
    """A change set's changes (those named, or all) in order; an assessed one carries its event fields."""
    db = Database(database_url)
    await seed(db)
    async with db.session() as s:
        s.add(
            ChangeAssessment(
                id="ca-1",
                change_id="ch-2",
                change_set_id="cs-1",
                document_id="leonardo-ai/privacy-policy",
                platform_id="leonardo-ai",
                clause_types=["data_retention"],
                severity="low",
                regulations=["gdpr"],
                description="added",
            )
        )
    async with db.connection() as conn:
        changes = await repository.changes_of(conn, "cs-1", ["ch-2", "ch-1"] if named else [])
    assert [c.id for c in changes] == ["ch-1", "ch-2"]
    assert changes[0].assessed is None
    assert changes[0].old_text is not None
    assert changes[1].assessed == {
        "change_id": "ch-2",
        "clause_types": ["data_retention"],
        "severity": "low",
        "escalation": None,
        "regulations": ["gdpr"],
        "description": "added",
    }
    await db.dispose()


async def _stored_text(db: Database, ids: list[str]) -> list[dict[str, object]]:
    """Every column of the rows (but the id) as the database's own text of it: JSON columns byte for byte."""
    table = ProvisionAssessment.__table__  # type: ignore[attr-defined]
    columns = [cast(c, Text).label(c.name) for c in table.columns if c.name != "id"]
    async with db.connection() as conn:
        found = await conn.execute(select(*columns).where(table.c.id.in_(ids)).order_by(table.c.id))
        return [dict(row) for row in found.mappings()]


async def test_rows_inserted_as_one_json_parameter_are_stored_as_with_one_parameter_per_column(
    database_url: str,
) -> None:
    """insert_json_rows stores exactly what insert_values stores (text of every column), and skips existing rows."""
    db = Database(database_url)
    await seed(db)
    AT = datetime(2026, 12, 2, 7, 0, 0, 123456, tzinfo=UTC)  # noqa: N806
    texts = {"what_it_is": 'Données « personnelles » 😀 \\ " \n', "nested": {"a": [1, 2.5, None, True]}}

    def row(prefix: str, n: int) -> dict[str, object]:
        provision = f"v2-p{n}" if n < 3 else "v1-p1"
        model = _assessment(n, provision, "leonardo-ai", "arbitration", "m1")
        values = {c.name: getattr(model, c.name) for c in ProvisionAssessment.__table__.columns}  # type: ignore[attr-defined]
        return {
            **values,
            "id": f"{prefix}-{n}",
            "model_version": prefix,
            "primary_clause_type": None if n == 1 else "arbitration",
            "confidence": 0.1 + 0.2,
            "clause_types": [{"id": "arbitration", "confidence": 0.85, "level": None}],
            "texts": texts,
            "created_at": AT + timedelta(microseconds=n),
        }

    async with db.connection() as conn:
        assert await insert_values(conn, ProvisionAssessment, [row("one", n) for n in range(3)]) == 3
        assert await insert_json_rows(conn, ProvisionAssessment, [row("json", n) for n in range(3)]) == 3
        again = [row("json", n) for n in range(4)]  # three stored already (by id and by unique key), one new
        assert await insert_json_rows(conn, ProvisionAssessment, again) == 1
        assert await insert_json_rows(conn, ProvisionAssessment, []) == 0
    one = await _stored_text(db, [f"one-{n}" for n in range(3)])
    json_rows = await _stored_text(db, [f"json-{n}" for n in range(3)])
    assert [{**r, "model_version": "x"} for r in one] == [{**r, "model_version": "x"} for r in json_rows]
    async with db.connection() as conn:
        stored = await conn.execute(
            select(ProvisionAssessment.__table__.c.created_at).where(
                ProvisionAssessment.__table__.c.id == "json-2"
            )
        )  # type: ignore[attr-defined]
        assert stored.scalar_one() == AT + timedelta(microseconds=2)
    await db.dispose()

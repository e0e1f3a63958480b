"""Planned rows as column dicts (decision 0090): every column of their table once, equal to the model built from them,
and the differ's kept latest versions stay within their bound."""

from __future__ import annotations

from clausewatch_differ.plan import Previous, plan_version
from clausewatch_differ.recent import RecentVersions
from clausewatch_shared.models import Change, Provision

V1 = "# Terms\n\n## Fees\n\nYou pay 10 euros.\n\n## Law\n\nIrish law applies.\n"
V2 = "# Terms\n\n## Fees\n\nYou pay 12 euros.\n\n## Law\n\nIrish law applies.\n\n## Data\n\nWe keep logs.\n"


def test_planned_provisions_and_changes_name_every_column_and_equal_their_models() -> None:
    """Each dict has exactly its table's columns, and the table model built from it holds the same values."""
    first = plan_version(document_id="acme/terms", snapshot_id="s1", text=V1, previous=None)
    assert first is not None
    second = plan_version(
        document_id="acme/terms", snapshot_id="s2", text=V2, previous=Previous(first.version, first.keys())
    )
    assert second is not None
    assert second.changes
    for model, rows in ((Provision, second.provisions), (Change, second.changes)):
        columns = [c.name for c in model.__table__.columns]  # type: ignore[attr-defined]
        for row in rows:
            assert sorted(row) == sorted(columns)
            built = model(**row)
            assert {c: getattr(built, c) for c in columns} == row


def test_recent_versions_keep_the_latest_per_document_within_their_bound() -> None:
    """A document's entry is replaced by its newer version; the least recently used go when texts exceed the bound."""
    plans = {
        doc: plan_version(document_id=doc[0], snapshot_id=doc, text=text, previous=None)
        for doc, text in (("a1", V1), ("b1", V1), ("c1", V1), ("a2", V2))
    }
    kept = {doc: Previous(p.version, p.keys()) for doc, p in plans.items() if p is not None}
    recent = RecentVersions(max_chars=2 * len(V1))
    recent.put(kept["a1"], {})
    recent.put(kept["b1"], {"select": ["main"]})
    assert recent.get("a", kept["a1"].version.id) is not None  # a is now the most recently used
    assert recent.get("a", "another version") is None
    recent.put(kept["c1"], {})  # over the bound: b, the least recently used, goes
    assert recent.get("b") is None
    assert len(recent) == 2
    recent.put(kept["a2"], {})  # replaces a's entry, and its longer text pushes c out
    entry = recent.get("a")
    assert entry is not None
    assert entry.previous.version.id == kept["a2"].version.id
    assert len(recent) == 1
    recent.forget("a")
    assert len(recent) == 0

"""Alembic migrations build the schema the table models describe, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

import clausewatch_shared.models  # noqa: F401  (registers the tables)


def _sync_url(url: str) -> str:
    return url.replace("sqlite+aiosqlite", "sqlite").replace("postgresql+psycopg", "postgresql+psycopg")


def _schema(url: str) -> tuple[dict[str, Any], list[Any]]:
    engine = create_engine(_sync_url(url))
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            tables = {
                name: {
                    "columns": sorted(c["name"] for c in inspector.get_columns(name)),
                    "nullable": sorted(c["name"] for c in inspector.get_columns(name) if c["nullable"]),
                    "pk": sorted(inspector.get_pk_constraint(name)["constrained_columns"]),
                    "unique": sorted(
                        tuple(sorted(u["column_names"])) for u in inspector.get_unique_constraints(name)
                    )
                    + sorted(
                        tuple(sorted(i["column_names"])) for i in inspector.get_indexes(name) if i["unique"]
                    ),
                    "fks": sorted(
                        (tuple(fk["constrained_columns"]), fk["referred_table"])
                        for fk in inspector.get_foreign_keys(name)
                    ),
                }
                for name in inspector.get_table_names()
                if name != "alembic_version"
            }
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    finally:
        engine.dispose()
    return tables, diff


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    """After `upgrade head`, autogenerate finds no difference between the database and the table models."""
    _, diff = _schema(database_url)
    assert diff == []


def test_sqlite_and_postgres_get_the_same_schema(sqlite_url: str, postgres_url: str) -> None:
    """Both backends end with the same tables, columns, keys, unique constraints and foreign keys."""
    sqlite_tables, _ = _schema(sqlite_url)
    postgres_tables, _ = _schema(postgres_url)
    assert sorted(sqlite_tables) == sorted(SQLModel.metadata.tables)
    for name in sqlite_tables:
        for aspect in ("columns", "nullable", "pk", "fks"):
            assert sqlite_tables[name][aspect] == postgres_tables[name][aspect], (name, aspect)
        assert set(sqlite_tables[name]["unique"]) == set(postgres_tables[name]["unique"]), name

"""Alembic migrations, run programmatically (`clausewatch migrate`) on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).parent


def alembic_config(database_url: str) -> Config:
    """Return an Alembic config pointing at these migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database's schema up to `revision` (blocking; call from a thread inside an event loop)."""
    command.upgrade(alembic_config(database_url), revision)


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    """Run `upgrade` in a worker thread, since Alembic's async env runs its own event loop."""
    await asyncio.to_thread(upgrade, database_url, revision)


def make_revision(database_url: str, message: str) -> None:
    """Autogenerate a new revision from the table models against an up-to-date database (for developers)."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)

"""document.last_stated_date and snapshot.stated_date: the dates captures state for themselves (decision 0155)

Revision ID: 0002_stated_dates
Revises: 0001_baseline
Create Date: 2026-12-06 09:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_stated_dates"
down_revision: str | None = "0001_baseline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable and unset on existing rows: a document's first new capture after the upgrade records its date, and
    # only captures after that one are compared with it.
    op.add_column("document", sa.Column("last_stated_date", sa.Date(), nullable=True))
    op.add_column("snapshot", sa.Column("stated_date", sa.Date(), nullable=True))


def downgrade() -> None:
    # SQLite drops a column through a table copy.
    with op.batch_alter_table("snapshot") as batch:
        batch.drop_column("stated_date")
    with op.batch_alter_table("document") as batch:
        batch.drop_column("last_stated_date")

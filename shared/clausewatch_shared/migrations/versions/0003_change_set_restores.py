"""changeset.restores_version_id: the earlier version whose text a change set's new version restores (decision 0156)

Revision ID: 0003_change_set_restores
Revises: 0002_stated_dates
Create Date: 2026-12-06 09:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003_change_set_restores"
down_revision: str | None = "0002_stated_dates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable and unset on existing rows: only change sets recorded after the upgrade are checked.
    op.add_column(
        "changeset",
        sa.Column("restores_version_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("changeset") as batch:  # SQLite drops a column through a table copy
        batch.drop_column("restores_version_id")

"""changeset.announces_effective_date: the date a newly announced version takes effect (decision 0157)

Revision ID: 0004_change_set_announces
Revises: 0003_change_set_restores
Create Date: 2026-12-06 10:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_change_set_announces"
down_revision: str | None = "0003_change_set_restores"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable and unset on existing rows: only change sets recorded after the upgrade are read for announcements.
    op.add_column("changeset", sa.Column("announces_effective_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("changeset") as batch:  # SQLite drops a column through a table copy
        batch.drop_column("announces_effective_date")

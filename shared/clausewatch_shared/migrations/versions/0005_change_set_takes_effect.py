"""changeset.takes_effect_date: the date an announced version took effect (decision 0157)

Revision ID: 0005_change_set_takes_effect
Revises: 0004_change_set_announces
Create Date: 2026-12-06 11:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_change_set_takes_effect"
down_revision: str | None = "0004_change_set_announces"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("changeset", sa.Column("takes_effect_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("changeset") as batch:  # SQLite drops a column through a table copy
        batch.drop_column("takes_effect_date")

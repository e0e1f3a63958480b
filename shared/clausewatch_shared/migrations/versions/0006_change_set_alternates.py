"""changeset.alternates: the page goes back and forth between texts (decision 0162)

Revision ID: 0006_change_set_alternates
Revises: 0005_change_set_takes_effect
Create Date: 2026-12-06 14:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_change_set_alternates"
down_revision: str | None = "0005_change_set_takes_effect"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing change sets were recorded before the differ looked: none of them is marked.
    op.add_column("changeset", sa.Column("alternates", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("changeset") as batch:  # SQLite drops a column through a table copy
        batch.drop_column("alternates")

"""subscriber.confirmed_at, trials, and signupconfirmation: self-service sign-up confirmed by e-mail (0169, 0171)

Revision ID: 0007_self_service_signup
Revises: 0006_change_set_alternates
Create Date: 2026-12-06 19:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import clausewatch_shared.models._types

revision: str = "0007_self_service_signup"
down_revision: str | None = "0006_change_set_alternates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = clausewatch_shared.models._types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("subscriber", sa.Column("confirmed_at", UTC_DATETIME, nullable=True))
    op.add_column("subscriber", sa.Column("trial_started_at", UTC_DATETIME, nullable=True))
    op.add_column("subscriber", sa.Column("trial_ends_at", UTC_DATETIME, nullable=True))
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscriber_trial_ends_at"), ["trial_ends_at"], unique=False)
    # Every subscriber so far was made by an operator, who vouched for the address when creating it.
    op.execute("UPDATE subscriber SET confirmed_at = created_at")
    op.create_table(
        "signupconfirmation",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("subscriber_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("platform_id", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("trial", sa.Boolean(), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("confirmed_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["subscriber_id"], ["subscriber.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("signupconfirmation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signupconfirmation_client"), ["client"], unique=False)
        batch_op.create_index(batch_op.f("ix_signupconfirmation_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_signupconfirmation_subscriber_id"), ["subscriber_id"], unique=False)


def downgrade() -> None:
    op.drop_table("signupconfirmation")
    with op.batch_alter_table("subscriber") as batch:  # SQLite drops a column through a table copy
        batch.drop_index("ix_subscriber_trial_ends_at")
        batch.drop_column("trial_ends_at")
        batch.drop_column("trial_started_at")
        batch.drop_column("confirmed_at")

"""the outbox: one row per delivery

Revision ID: 0002_outbox
Revises: 0001_articles
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_outbox"
down_revision = "0001_articles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("idempotency_key", sa.String(512), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(2048), nullable=False),
        sa.Column("day", sa.Date),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("hold_reason", sa.String(16)),
        sa.Column("needs_approval", sa.Integer, nullable=False),
        sa.Column("approved_hash", sa.String(64)),
        sa.Column("approved_by", sa.String(256)),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("parent_key", sa.String(512)),
        sa.Column("provider_id", sa.String(512)),
        sa.Column("detail", sa.Text),
        sa.Column("last_error", sa.Text),
        sa.Column("claimed_by", sa.String(256)),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_deliveries_idempotency_key"),
    )
    op.create_index("ix_deliveries_state_due_at", "deliveries", ["state", "due_at"])
    op.create_index("ix_deliveries_day", "deliveries", ["day"])
    op.create_index("ix_deliveries_parent_key", "deliveries", ["parent_key"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_parent_key", "deliveries")
    op.drop_index("ix_deliveries_day", "deliveries")
    op.drop_index("ix_deliveries_state_due_at", "deliveries")
    op.drop_table("deliveries")

"""subscribers and suppression sync state

Revision ID: 0003_subscribers
Revises: 0001_articles
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_subscribers"
down_revision = "0001_articles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscribers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("topics", sa.String(1024), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True)),
        sa.Column("status_reason", sa.Text),
        sa.UniqueConstraint("email", name="uq_subscribers_email"),
        sa.UniqueConstraint("token", name="uq_subscribers_token"),
    )
    op.create_index("ix_subscribers_audience", "subscribers", ["status", "topics", "id"])
    op.create_table(
        "suppression_sync",
        sa.Column("list", sa.String(64), primary_key=True),
        sa.Column("synced_until", sa.Integer, nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("suppression_sync")
    op.drop_index("ix_subscribers_audience", "subscribers")
    op.drop_table("subscribers")

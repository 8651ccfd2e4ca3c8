"""sign-up consents (and the subscribers' pending status, which needs no column)

Revision ID: 0007_consents
Revises: 0006_provider_events
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_consents"
down_revision = "0006_provider_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subscriber_id", sa.Integer, nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("wording", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("topics", sa.String(1024), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_ip", sa.String(64)),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("confirmed_ip", sa.String(64)),
        sa.UniqueConstraint("reference", name="uq_consents_reference"),
    )
    op.create_index("ix_consents_subscriber_id", "consents", ["subscriber_id"])


def downgrade() -> None:
    op.drop_index("ix_consents_subscriber_id", "consents")
    op.drop_table("consents")

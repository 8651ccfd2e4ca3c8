"""provider webhook batches and events

Revision ID: 0006_provider_events
Revises: 0003_subscribers
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_provider_events"
down_revision = "0003_subscribers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_batches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("signed_at", sa.BigInteger, nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("body", sa.LargeBinary),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True)),
        sa.Column("events", sa.Integer),
        sa.Column("problems", sa.Integer),
        sa.UniqueConstraint(
            "provider", "signed_at", "signature", name="uq_webhook_batches_signature"
        ),
    )
    op.create_index("ix_webhook_batches_processed_at", "webhook_batches", ["processed_at"])
    op.create_table(
        "provider_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("batch_id", sa.Integer, nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("effect", sa.String(16), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.String(255)),
        sa.Column("delivery_key", sa.String(512)),
        sa.Column("day", sa.Date),
        sa.Column("variant", sa.String(1024)),
        sa.Column("link", sa.Text),
        sa.Column("article_id", sa.Integer),
        sa.Column("detail", sa.Text),
        sa.UniqueConstraint("provider", "event_id", name="uq_provider_events_event_id"),
    )
    op.create_index(
        "ix_provider_events_email", "provider_events", ["email", "effect", "occurred_at"]
    )
    op.create_index(
        "ix_provider_events_message_id", "provider_events", ["message_id", "effect", "provider"]
    )


def downgrade() -> None:
    op.drop_index("ix_provider_events_message_id", "provider_events")
    op.drop_index("ix_provider_events_email", "provider_events")
    op.drop_table("provider_events")
    op.drop_index("ix_webhook_batches_processed_at", "webhook_batches")
    op.drop_table("webhook_batches")

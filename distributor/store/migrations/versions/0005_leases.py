"""leases: who may plan now, until when, and when planning last finished

Revision ID: 0005_leases
Revises: 0002_outbox
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_leases"
down_revision = "0002_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(255)),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("last_done", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("leases")

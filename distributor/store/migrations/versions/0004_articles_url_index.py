"""index articles.url, which every ingest looks up

Revision ID: 0004_articles_url_index
Revises: 0001_articles
"""

from __future__ import annotations

from alembic import op

revision = "0004_articles_url_index"
down_revision = "0001_articles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Each sighting is matched by identity, guid or URL; without this index the URL test
    # read the whole table once per item (a 50,000-item feed took minutes).
    op.create_index("ix_articles_url", "articles", ["url"])


def downgrade() -> None:
    op.drop_index("ix_articles_url", table_name="articles")

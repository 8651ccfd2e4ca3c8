"""Table definitions (SQLAlchemy Core). Migrations in ``migrations/versions`` match them."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # The canonical URL, else the feed guid: what makes two sightings one article.
    Column("identity", String(2048), nullable=False, unique=True),
    Column("guid", String(2048), nullable=False, index=True),
    Column("url", String(2048)),
    Column("source_id", String(2048), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("html", Text),
    Column("image_url", String(2048)),
    Column("image_alt", Text),
    Column("tags", Text, nullable=False, default="[]"),
    Column("byline", Text),
    Column("published_at", DateTime(timezone=True)),
    Column("first_seen_at", DateTime(timezone=True), nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("version", Integer, nullable=False, default=1),
)

feed_state = Table(
    "feed_state",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("checked_at", DateTime(timezone=True), nullable=False),
)

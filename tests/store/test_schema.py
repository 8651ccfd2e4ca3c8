"""The migrations build exactly the tables the code declares, on SQLite and PostgreSQL:
a database brought up to date by any release is the one the store's queries expect."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from distributor.store.tables import metadata


def test_the_migrated_schema_is_the_declared_one(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []

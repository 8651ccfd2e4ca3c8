"""Alembic environment: uses the engine handed over by distributor.store.db.migrate."""

from __future__ import annotations

from alembic import context

from distributor.store.tables import metadata

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()

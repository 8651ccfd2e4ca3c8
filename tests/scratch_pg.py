"""A throwaway database on the PostgreSQL server the tests use ($DISTRIBUTOR_TEST_PG):
made empty, handed over as a URL, dropped afterwards. The test fixtures and the
benchmarks make theirs here, one way."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

ADMIN_URL = os.environ.get(
    "DISTRIBUTOR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def reachable() -> bool:
    """Is the server listening (a second's try)?"""
    from sqlalchemy.engine import make_url

    parsed = make_url(ADMIN_URL)
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 5432), 1):
            return True
    except OSError:
        return False


@contextmanager
def throwaway(prefix: str = "distributor_test") -> Iterator[str]:
    """An empty database's URL; dropped on exit, its sessions ended first."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

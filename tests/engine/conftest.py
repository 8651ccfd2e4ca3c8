"""The queue each engine test runs on: SqliteHuey beside SQLite, Redis beside PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

REDIS_DB = 11


def _redis_url() -> str:
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    finally:
        client.close()
    return f"redis://127.0.0.1:6379/{REDIS_DB}"


@pytest.fixture
def queue_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    if db_url.startswith("postgresql"):
        url = _redis_url()
        yield url
        _redis_url()  # leave the test database empty
    else:
        yield f"sqlite:///{tmp_path / 'queue.db'}"

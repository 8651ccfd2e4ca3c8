"""Database connection and migrations: SQLite by default, PostgreSQL by URL.

The same SQLAlchemy Core code runs on both. Migrations are Alembic scripts shipped
inside the package and run programmatically, so there is no alembic.ini to find.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from distributor.errors import ConfigError

MIGRATIONS = Path(__file__).parent / "migrations"


def connect(url: str, *, base_dir: Path | None = None, echo: bool = False) -> Engine:
    """An engine for ``url``; a relative SQLite path is taken from ``base_dir``."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"not a database URL: {url!r} ({exc})", key="database.url") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            path = Path(db)
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
            path.parent.mkdir(parents=True, exist_ok=True)
            parsed = parsed.set(database=str(path))
        engine = create_engine(parsed, echo=echo, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    raise ConfigError(
        f"unsupported database {backend!r}; use sqlite:///path or postgresql://...",
        key="database.url",
    )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets the worker write while the CLI reads; busy_timeout makes a locked
    # database a wait rather than an error.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema up to ``revision``; safe to run on every start."""
    command.upgrade(alembic_config(engine), revision)


def open_database(url: str, *, base_dir: Path | None = None) -> Engine:
    """Connect and bring the schema up to date: what every command does first."""
    engine = connect(url, base_dir=base_dir)
    migrate(engine)
    return engine

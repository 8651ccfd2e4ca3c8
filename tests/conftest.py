"""Shared fixtures. Provider servers and databases are real; see tests/servers/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests import scratch_pg

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "articles"


def _find_specs() -> Path | None:
    for candidate in (
        os.environ.get("DISTRIBUTOR_SPECS"),
        ROOT.parent / "shared" / "specs",
        "/work/shared/specs",
    ):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


SPECS = _find_specs()


@pytest.fixture
def specs_dir() -> Path:
    if SPECS is None:
        pytest.skip("the provider specs (../shared/specs) are not present beside the repository")
    return SPECS


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: SQLite in tmp_path, or a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'distributor.db'}"
        return
    if not scratch_pg.reachable():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    with scratch_pg.throwaway() as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on each real database."""
    from distributor.store import db

    eng = db.connect(db_url)
    db.migrate(eng)
    yield eng
    eng.dispose()

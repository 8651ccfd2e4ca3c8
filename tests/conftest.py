"""Shared fixtures. Provider servers and databases are real; see tests/servers/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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

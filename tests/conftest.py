"""Shared fixtures. Provider servers and databases are real; see tests/servers/."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT.parent / "shared" / "specs"
EXAMPLES = ROOT / "examples" / "articles"


@pytest.fixture
def specs_dir() -> Path:
    if not SPECS.is_dir():
        pytest.skip("../shared/specs is not present beside the repository")
    return SPECS

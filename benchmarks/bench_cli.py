"""Start-up of the command line: `distributor --help` and `distributor check-config`
against a bare interpreter, best of seven runs each (target: --help within 0.2 s)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RUNS = 7


def _best(args: list[str], cwd: Path) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(args, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return min(times)


def run() -> list[dict[str, Any]]:
    cli = [sys.executable, "-m", "distributor"]
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / "c.toml").write_text(f'[database]\nurl = "sqlite:///{cwd}/d.db"\n')
        bare = _best([sys.executable, "-c", "pass"], cwd)
        help_ = _best([*cli, "--help"], cwd)
        check = _best([*cli, "--config", "c.toml", "check-config"], cwd)
    return [
        {"name": "bare_interpreter", "value": round(bare, 3), "unit": "s"},
        {"name": "cli_help", "value": round(help_, 3), "unit": "s", "target": "<= 0.2"},
        {"name": "cli_check_config", "value": round(check, 3), "unit": "s"},
    ]

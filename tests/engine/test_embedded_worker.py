"""`distributor worker` as shipped: the huey engine on SQLite, nothing else to start."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from distributor.models import DeliveryState
from distributor.store import db
from distributor.store.outbox import Outbox
from tests.waiting import wait_for

pytestmark = pytest.mark.slow


def test_the_default_worker_plans_and_delivers_then_stops_on_sigterm(tmp_path: Path) -> None:
    from tests.conftest import EXAMPLES

    # No [queue] and no [database]: the embedded defaults, var/queue.db and var/distributor.db.
    (tmp_path / "distributor.toml").write_text(
        f'[ingest]\nsources = ["{EXAMPLES}"]\n[delivery]\nchannels = ["files"]\n',
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "distributor", "--config", "distributor.toml", "worker", "--json"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: list((tmp_path / "out").rglob("*.txt")), 120, "the day's files")
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-2000:]
    report = json.loads(out)
    assert report["engine"] == "huey" and report["plannings"] == 1
    assert len(report["sent"]) == 1
    assert (tmp_path / "var" / "queue.db").exists()
    engine = db.open_database(f"sqlite:///{tmp_path / 'var' / 'distributor.db'}")
    rows = Outbox(engine).records()
    assert [r.delivery.state for r in rows] == [DeliveryState.SENT]
    engine.dispose()

"""The huey engine on the embedded queue (SqliteHuey + the SQLite outbox), in process.

``drain``: the time from a planned outbox of ``ROWS`` due rows to all of them sent by
``run_consumer`` with 1 and 4 consumer threads, on a no-op channel (so the figure
is the queue's and the ledger's cost, not a provider's). ``round``: the queue's own
cost of one delivery round that finds nothing (enqueue, dequeue, run, schedule the
next slot).
"""

from __future__ import annotations

import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.bench_outbox import SETTINGS, T0, NullChannel, _rows
from distributor.channels.base import NoOptions
from distributor.pipeline.dispatch import StopFlag, dispatch_due
from distributor.schedule.engine import install, make_huey, run_consumer
from distributor.store import db
from distributor.store.outbox import Outbox

ROWS = 1000
ROUNDS = 200


def _drain(workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.open_database(f"sqlite:///{Path(tmp) / 'd.db'}")
        box = Outbox(engine, SETTINGS.schedule)
        box.plan(_rows(ROWS), now=T0)
        channels = {"null": NullChannel(SETTINGS, NoOptions())}
        stop = StopFlag()

        def deliver(_now: datetime) -> int:
            report = dispatch_due(engine, SETTINGS, channels, stop=stop, outbox=box)
            return report.handled

        def watch() -> None:
            while box.counts().get("null", {}).get("sent", 0) < ROWS:
                time.sleep(0.02)
            stop.set()

        tasks = install(make_huey(f"sqlite:///{Path(tmp) / 'q.db'}"), deliver=deliver)
        watcher = threading.Thread(target=watch, daemon=True)
        start = time.perf_counter()
        watcher.start()
        run_consumer(tasks, stop=stop, workers=workers)
        elapsed = time.perf_counter() - start
        engine.dispose()
        return elapsed


def _round_ms() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        tasks = install(make_huey(f"sqlite:///{Path(tmp) / 'q.db'}"), deliver=lambda _now: 0)
        huey = tasks.huey
        start = time.perf_counter()
        for _ in range(ROUNDS):
            tasks.deliver(None)
            task = huey.dequeue()
            huey.execute(task)
        return (time.perf_counter() - start) / ROUNDS * 1000


def run() -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for workers in (1, 4):
        seconds = _drain(workers)
        results.append(
            {
                "name": f"engine drain {ROWS} rows, sqlite, {workers} thread(s)",
                "value": round(ROWS / seconds, 1),
                "unit": "deliveries/s",
            }
        )
    results.append(
        {
            "name": "engine empty delivery round, SqliteHuey",
            "value": round(_round_ms(), 2),
            "unit": "ms",
        }
    )
    return results

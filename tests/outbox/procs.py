"""Worker processes for the concurrency and crash tests (started with multiprocessing)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from distributor.pipeline.dispatch import StopFlag, dispatch_due
from distributor.schedule.worker import run_worker
from distributor.settings import ScheduleSettings, Settings
from distributor.store import db
from distributor.store.outbox import Outbox
from tests.outbox.helpers import RecordingChannel


def worker_settings(**schedule: object) -> Settings:
    values: dict[str, object] = {"stale_after_minutes": 0, "batch_size": 5, "poll_seconds": 0.05}
    values.update(schedule)
    return replace(Settings(), schedule=ScheduleSettings(**values))  # type: ignore[arg-type]


def worker_main(
    db_url: str,
    log: str,
    worker_id: str,
    *,
    hang: str = "",
    marker: str = "",
    delay: float = 0.0,
    rounds: int = 40,
) -> None:
    """One worker: poll and deliver through a recording channel for ``rounds`` rounds."""
    settings = worker_settings()
    engine = db.connect(db_url)
    channel = RecordingChannel(
        settings,
        Path(log),
        hang=hang,
        hang_marker=Path(marker) if marker else None,
        delay=delay,
    )
    outbox = Outbox(engine, settings.schedule)
    stop = StopFlag()
    stop.install()

    def tick(_now: object) -> int:
        report = dispatch_due(
            engine, settings, {"recorder": channel}, worker_id=worker_id, stop=stop, outbox=outbox
        )
        return report.handled

    run_worker(outbox, tick=tick, stop=stop, max_rounds=rounds)
    engine.dispose()

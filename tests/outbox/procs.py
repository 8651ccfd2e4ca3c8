"""Worker processes for the concurrency and crash tests (started with multiprocessing)."""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial
from pathlib import Path

from distributor.models import Delivery, DeliveryState
from distributor.pipeline.dispatch import StopFlag, dispatch_due
from distributor.schedule.worker import run_worker
from distributor.settings import ScheduleSettings, Settings
from distributor.store import db
from distributor.store.outbox import Outbox
from tests.outbox.helpers import RecordingChannel


def worker_settings(**schedule: object) -> Settings:
    values: dict[str, object] = {"stale_after_minutes": 0, "claim_batch": 5, "poll_seconds": 0.05}
    values.update(schedule)
    return replace(Settings(), schedule=ScheduleSettings(**values))  # type: ignore[arg-type]


BATCHES = 5


def fan_out(row: Delivery, *, hang_marker: Path | None = None) -> list[Delivery]:
    """A stand-in for the email fan-out: one digest row becomes ``BATCHES`` batch rows."""
    if hang_marker is not None:
        hang_marker.write_text("expanding")
        while True:
            time.sleep(1)
    return [
        replace(
            row,
            idempotency_key=f"{row.idempotency_key}/batch-{i}",
            subject_id=f"{row.subject_id}/batch-{i}",
            payload={**row.payload, "text": f"batch {i}"},
            id=None,
            state=DeliveryState.PLANNED,
            attempts=0,
        )
        for i in range(BATCHES)
    ]


def worker_main(
    db_url: str,
    log: str,
    worker_id: str,
    *,
    hang: str = "",
    marker: str = "",
    delay: float = 0.0,
    rounds: int = 40,
    expand: bool = False,
    ready: str = "",
) -> None:
    """One worker: poll and deliver through a recording channel for ``rounds`` rounds."""
    settings = worker_settings()
    engine = db.connect(db_url)
    channel = RecordingChannel(
        settings,
        Path(log),
        hang="" if hang == "expand" else hang,
        hang_marker=Path(marker) if marker else None,
        delay=delay,
    )
    outbox = Outbox(engine, settings.schedule)
    stop = StopFlag()
    stop.install()

    hang_in_expander = Path(marker) if hang == "expand" else None
    expanders = {("recorder", "digest"): partial(fan_out, hang_marker=hang_in_expander)}

    def tick(_now: object) -> int:
        report = dispatch_due(
            engine,
            settings,
            {"recorder": channel},
            worker_id=worker_id,
            stop=stop,
            outbox=outbox,
            expanders=expanders if expand else None,
        )
        return report.handled

    if ready:
        Path(ready).write_text(worker_id)
    run_worker(outbox, tick=tick, stop=stop, max_rounds=rounds)
    engine.dispose()

"""Outbox throughput: planning, and claiming + recording deliveries, on SQLite and PostgreSQL.

A no-op channel isolates the ledger's own cost: each delivery is one claim (in
batches of ``[schedule] claim_batch``), one "started" mark and one "sent" record.
The multi-worker figure runs four processes against one PostgreSQL database
(skipped when none is listening on 127.0.0.1:5432).
"""

from __future__ import annotations

import multiprocessing
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Engine

from distributor.channels.base import Channel, DeliveryContext, NoOptions
from distributor.models import Delivery, DeliveryKind, SendResult
from distributor.pipeline.dispatch import dispatch_due
from distributor.settings import ScheduleSettings, Settings
from distributor.store import db
from distributor.store.outbox import Outbox
from tests import scratch_pg

ROWS = 2000
WORKERS = 4
T0 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
SETTINGS = replace(Settings(), schedule=ScheduleSettings(stale_after_minutes=0, claim_batch=20))


class NullChannel(Channel):
    name: ClassVar[str] = "null"
    kinds: ClassVar[frozenset[DeliveryKind]] = frozenset(DeliveryKind)

    def build_payload(self, delivery: Delivery, context: DeliveryContext) -> dict[str, Any]:
        return {"key": delivery.idempotency_key}

    def post(self, payload: dict[str, Any]) -> Any:
        return payload["key"]

    def parse_response(self, response: Any, delivery: Delivery) -> SendResult:
        return SendResult(provider_id=str(response))


def _rows(n: int, tag: str = "") -> list[Delivery]:
    return [
        Delivery(
            channel="null",
            kind=DeliveryKind.THREAD_POST,
            idempotency_key=f"null:thread_post:{tag}story-{i}#0:2026-11-27",
            due_at=T0 + timedelta(seconds=i % 60),
            payload={"text": f"post {i}", "day": "2026-11-27"},
            subject_id=f"story-{i}",
        )
        for i in range(n)
    ]


@contextmanager
def _sqlite() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{Path(tmp) / 'bench.db'}"


@contextmanager
def _postgres() -> Iterator[str | None]:
    """A throwaway PostgreSQL database, or None when the server is not there."""
    if not scratch_pg.reachable():
        yield None
        return
    with scratch_pg.throwaway("distributor_bench") as url:
        yield url


def _engine(url: str) -> Engine:
    engine = db.connect(url)
    db.migrate(engine)
    return engine


def _worker(url: str, name: str) -> None:
    engine = db.connect(url)
    channel = NullChannel(SETTINGS, NoOptions())
    dispatch_due(engine, SETTINGS, {"null": channel}, now=T0 + timedelta(hours=1), worker_id=name)
    engine.dispose()


def _measure(backend: str, url: str) -> list[dict[str, Any]]:
    engine = _engine(url)
    box = Outbox(engine, SETTINGS.schedule)
    rows = _rows(ROWS)
    start = time.perf_counter()
    box.plan(rows, now=T0)
    plan_s = time.perf_counter() - start
    start = time.perf_counter()
    box.plan(rows, now=T0)
    replan_s = time.perf_counter() - start
    channel = NullChannel(SETTINGS, NoOptions())
    start = time.perf_counter()
    report = dispatch_due(
        engine, SETTINGS, {"null": channel}, now=T0 + timedelta(hours=1), worker_id="bench"
    )
    send_s = time.perf_counter() - start
    assert len(report.sent) == ROWS
    engine.dispose()
    return [
        {"name": f"plan_{backend}", "value": round(ROWS / plan_s), "unit": "rows/s"},
        {"name": f"replan_noop_{backend}", "value": round(ROWS / replan_s), "unit": "rows/s"},
        {
            "name": f"dispatch_1_worker_{backend}",
            "value": round(ROWS / send_s),
            "unit": "deliveries/s",
        },
    ]


def _measure_parallel(url: str) -> list[dict[str, Any]]:
    engine = _engine(url)
    box = Outbox(engine, SETTINGS.schedule)
    box.plan(_rows(ROWS, "par-"), now=T0)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(url, f"w{i}")) for i in range(WORKERS)]
    start = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - start
    counts = box.counts()
    engine.dispose()
    assert counts == {"null": {"sent": ROWS}}, counts
    return [
        {
            "name": f"dispatch_{WORKERS}_workers_postgresql",
            "value": round(ROWS / elapsed),
            "unit": "deliveries/s",
            "note": "includes process start-up",
        }
    ]


def run() -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []
    with _sqlite() as url:
        figures += _measure("sqlite", url)
    with _postgres() as pg:
        if pg is not None:
            figures += _measure("postgresql", pg)
    with _postgres() as pg:
        if pg is not None:
            figures += _measure_parallel(pg)
    return figures

"""The database locked by someone else while the worker runs: the worker waits, goes on,
and the digest still reaches everyone once through the real SendGrid client."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from distributor import settings as config
from distributor.models import DeliveryState
from distributor.pipeline.dispatch import StopFlag
from distributor.pipeline.run import channels_for, deliver_due, plan
from distributor.schedule.clock import FakeClock
from distributor.schedule.worker import run_worker
from distributor.store import db
from distributor.store.outbox import Outbox
from tests.email_delivery.sendgrid_server import SendGridServer
from tests.faults.test_kill_digest import AT_SEVEN, BEFORE, EVERYONE, received, site, subscribe

pytestmark = pytest.mark.slow
LOCKED_ROUNDS = 3


def _impatient(url: str) -> Engine:
    """The worker's engine, giving up on a lock after 0.2 s instead of 30 s, so that a
    lock held for a moment shows up as the error a long one would give."""
    engine = db.connect(url)

    @event.listens_for(engine, "connect")
    def _short_wait(dbapi_connection: Any, _record: Any) -> None:
        cur = dbapi_connection.cursor()
        if engine.dialect.name == "sqlite":
            cur.execute("PRAGMA busy_timeout=200")
        else:
            cur.execute("SET lock_timeout = '200ms'")
            dbapi_connection.commit()
        cur.close()

    return engine


def _lock(engine: Engine) -> Callable[[], None]:
    """Take the outbox's write lock from another connection; returns the release."""
    raw = engine.raw_connection()
    if engine.dialect.name == "sqlite":
        raw.driver_connection.isolation_level = None  # type: ignore[union-attr]
        raw.cursor().execute("BEGIN EXCLUSIVE")
    else:
        raw.cursor().execute("LOCK TABLE deliveries IN ACCESS EXCLUSIVE MODE")

    def release() -> None:
        if engine.dialect.name == "sqlite":
            raw.cursor().execute("ROLLBACK")
        else:
            raw.rollback()
        raw.close()

    return release


def test_the_worker_waits_out_a_locked_database_and_then_delivers_once(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
) -> None:
    cfg = config.from_mapping(site(tmp_path, sendgrid_server, db_url), base_dir=tmp_path)
    subscribe(engine)
    plan(cfg, engine, now=BEFORE)
    worker_engine = _impatient(db_url)
    box = Outbox(worker_engine, cfg.schedule)
    channels = {"sendgrid": channels_for(cfg)["sendgrid"]}
    release = _lock(engine)
    rounds: list[datetime] = []

    def unlock_later(now: datetime) -> None:
        rounds.append(now)
        if len(rounds) == LOCKED_ROUNDS + 1:
            release()  # the other writer finishes

    def tick(now: datetime) -> int:
        return deliver_due(cfg, worker_engine, channels, now=now).handled

    try:
        stats = run_worker(
            box,
            tick=tick,
            stop=StopFlag(),
            clock=FakeClock(AT_SEVEN),
            poll_seconds=60,
            plan=unlock_later,
            max_rounds=LOCKED_ROUNDS + 3,
        )
    finally:
        if len(rounds) <= LOCKED_ROUNDS:
            release()
        worker_engine.dispose()
    assert stats.database_errors == LOCKED_ROUNDS  # each locked round waited, none gave up
    assert sendgrid_server.sends and stats.handled > 0
    got = received(sendgrid_server)
    assert set(got) == EVERYONE and max(got.values()) == 1
    rows = [r for r in Outbox(engine).records() if r.delivery.channel == "sendgrid"]
    assert {r.delivery.state for r in rows} == {DeliveryState.SENT}

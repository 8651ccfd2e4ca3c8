"""The database locked by someone else, or unreachable, while the worker runs: the
worker waits, goes on, and the digest still reaches everyone once through the real
SendGrid client."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, make_url

from distributor import settings as config
from distributor.models import DeliveryState
from distributor.pipeline.dispatch import StopFlag
from distributor.pipeline.run import channels_for, deliver_due, plan
from distributor.schedule.clock import FakeClock
from distributor.schedule.worker import WorkerStats, run_worker
from distributor.store import db
from distributor.store.outbox import Outbox
from tests.email_delivery.day import AT_SEVEN, BEFORE, EVERYONE, received, site, subscribe
from tests.email_delivery.sendgrid_server import SendGridServer

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


def _work_through_outage(
    cfg: config.Settings, worker_engine: Engine, rounds: int, end_outage: Callable[[], None]
) -> WorkerStats:
    """Run the worker on a moved clock; the outage ends as round ``rounds + 1`` starts."""
    box = Outbox(worker_engine, cfg.schedule)
    channels = {"sendgrid": channels_for(cfg)["sendgrid"]}
    seen: list[datetime] = []

    def on_round(now: datetime) -> None:
        seen.append(now)
        if len(seen) == rounds + 1:
            end_outage()

    def tick(now: datetime) -> int:
        return deliver_due(cfg, worker_engine, channels, now=now).handled

    return run_worker(
        box,
        tick=tick,
        stop=StopFlag(),
        clock=FakeClock(AT_SEVEN),
        poll_seconds=60,
        plan=on_round,
        max_rounds=rounds + 3,
    )


def _everyone_got_it_once(engine: Engine, server: SendGridServer) -> None:
    got = received(server)
    assert set(got) == EVERYONE and max(got.values()) == 1
    rows = [r for r in Outbox(engine).records() if r.delivery.channel == "sendgrid"]
    assert {r.delivery.state for r in rows} == {DeliveryState.SENT}


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
    release = _lock(engine)
    released: list[bool] = []

    def unlock() -> None:  # the other writer finishes
        if not released:
            released.append(True)
            release()

    try:
        stats = _work_through_outage(cfg, worker_engine, LOCKED_ROUNDS, unlock)
    finally:
        unlock()
        worker_engine.dispose()
    assert stats.database_errors == LOCKED_ROUNDS  # each locked round waited, none gave up
    assert sendgrid_server.sends and stats.handled > 0
    _everyone_got_it_once(engine, sendgrid_server)


class _Proxy:
    """A TCP relay in front of PostgreSQL that can be pulled out and put back, so the
    worker sees the database vanish (connections cut, new ones refused) and return."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._server: socket.socket | None = None
        self._open: list[socket.socket] = []

    def up(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen()
        self.port = server.getsockname()[1]
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            # shutdown first: on Linux a bare close leaves a thread's accept() listening.
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
            self._server = None
        for s in self._open:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self._open.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := a.recv(65536):
                b.sendall(data)
        for s in (a, b):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


DOWN_ROUNDS = 3


def test_the_worker_waits_out_an_unreachable_database_and_then_delivers_once(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("a network database is what can become unreachable")
    cfg = config.from_mapping(site(tmp_path, sendgrid_server, db_url), base_dir=tmp_path)
    subscribe(engine)
    plan(cfg, engine, now=BEFORE)
    url = make_url(db_url)
    proxy = _Proxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.up()
    worker_engine = db.connect(url.set(port=proxy.port).render_as_string(hide_password=False))
    Outbox(worker_engine).counts()  # the worker has been talking to the database...
    proxy.down()  # ...when it goes away, open connections and all
    try:
        stats = _work_through_outage(cfg, worker_engine, DOWN_ROUNDS, proxy.up)
    finally:
        proxy.down()
        worker_engine.dispose()
    assert stats.database_errors == DOWN_ROUNDS  # each round without a database waited
    _everyone_got_it_once(engine, sendgrid_server)

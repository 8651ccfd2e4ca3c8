"""Several `distributor worker --engine huey` processes on one outbox and one queue:
PostgreSQL + Redis (the several-machines mode) and SQLite + SqliteHuey."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from distributor.store import db
from distributor.store.outbox import Outbox
from tests.outbox.helpers import T0, chain, delivery, sent_lines
from tests.outbox.procs import worker_settings
from tests.waiting import wait_for

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, db_url: str, queue_url: str) -> Path:
    config = tmp_path / "distributor.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n'
        f'[queue]\nurl = "{queue_url}"\n'
        '[delivery]\nchannels = ["recorder"]\n'
        "[schedule]\nstale_after_minutes = 0\npoll_seconds = 0.5\nclaim_batch = 5\n",
        encoding="utf-8",
    )
    return config


def _workers(
    config: Path, log: Path, count: int, delay: float = 0.01
) -> list[subprocess.Popen[str]]:
    """``count`` worker processes, started together, each a huey consumer of 2 threads."""
    env = {
        **os.environ,
        "DISTRIBUTOR_TEST_RECORD": str(log),
        "DISTRIBUTOR_TEST_DELAY": str(delay),
    }
    command = [sys.executable, "-m", "tests.engine.launch", "--config", str(config)]
    args = ["worker", "--engine", "huey", "--workers", "2", "--no-plan", "--json"]
    return [
        subprocess.Popen(
            [*command, *args, "--worker-id", f"w{i}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(count)
    ]


def test_several_worker_processes_send_every_delivery_exactly_once(
    db_url: str, queue_url: str, tmp_path: Path
) -> None:
    config = _config(tmp_path, db_url, queue_url)
    engine = db.open_database(db_url)
    box = Outbox(engine, worker_settings().schedule)
    rows = [delivery(i) for i in range(150)]
    for t in range(4):
        rows += chain(f"thread{t}", 5)
    box.plan(rows, now=T0)

    log = tmp_path / "sent.jsonl"
    procs = _workers(config, log, 3)
    try:
        wait_for(lambda: len(sent_lines(log)) >= len(rows), seconds=180)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        outputs = [p.communicate(timeout=60) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err[-2000:]

    lines = sent_lines(log)
    counts = Counter(line["key"] for line in lines)
    assert sorted(counts) == sorted(r.idempotency_key for r in rows)
    assert set(counts.values()) == {1}, [k for k, n in counts.items() if n > 1]
    states = Counter(str(r.delivery.state) for r in box.records(limit=10_000))
    assert states == {"sent": len(rows)}  # nothing left 'sending', nothing in doubt
    reports = [json.loads(out) for out, _ in outputs]
    assert all(r["engine"] == "huey" for r in reports)
    assert sum(len(r["sent"]) for r in reports) == len(rows)
    # A thread's posts still reply to each other, whichever process sent them.
    for t in range(4):
        posted = [line for line in lines if line["subject"].startswith(f"story-thread{t}#")]
        assert [line["reply_to"] for line in posted] == [
            None,
            *[f"id-story-thread{t}#{i}" for i in range(4)],
        ]
    assert len({line["pid"] for line in lines}) > 1  # the work really was shared
    engine.dispose()


def test_sigterm_finishes_the_sends_in_hand_and_gives_the_rest_back(
    db_url: str, queue_url: str, tmp_path: Path
) -> None:
    config = _config(tmp_path, db_url, queue_url)
    engine = db.open_database(db_url)
    box = Outbox(engine, worker_settings().schedule)
    rows = [delivery(i) for i in range(200)]
    box.plan(rows, now=T0)
    log = tmp_path / "sent.jsonl"
    procs = _workers(config, log, 2, delay=0.2)
    try:
        wait_for(lambda: len(sent_lines(log)) >= 4, seconds=120)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        outputs = [p.communicate(timeout=60) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err[-2000:]
    states = Counter(str(r.delivery.state) for r in box.records(limit=10_000))
    sent = len(sent_lines(log))
    assert states["sending"] == 0 and states["uncertain"] == 0  # nothing in doubt
    assert states["sent"] == sent < len(rows)  # every request that left was recorded
    assert states["sent"] + states["planned"] == len(rows)  # the rest were given back
    engine.dispose()

    # Started again, the workers send the rest, and nothing twice.
    procs = _workers(config, log, 2, delay=0.0)
    try:
        wait_for(lambda: len(sent_lines(log)) >= len(rows), seconds=120)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.communicate(timeout=60)
    counts = Counter(line["key"] for line in sent_lines(log))
    assert len(counts) == len(rows) and set(counts.values()) == {1}


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(
    db_url: str, queue_url: str, tmp_path: Path
) -> None:
    config = _config(tmp_path, db_url, queue_url)
    config.write_text(config.read_text() + "claim_timeout_seconds = 1\n", encoding="utf-8")
    engine = db.open_database(db_url)
    box = Outbox(engine, worker_settings().schedule)
    rows = [delivery(i) for i in range(60)]
    box.plan(rows, now=T0)
    log = tmp_path / "sent.jsonl"
    doomed, survivor = _workers(config, log, 2, delay=0.05)
    try:
        wait_for(lambda: len(sent_lines(log)) >= 6, seconds=120)
        doomed.kill()  # SIGKILL: whatever it held is in doubt or not started
        doomed.communicate(timeout=30)

        def settled() -> bool:
            states = Counter(str(r.delivery.state) for r in box.records(limit=10_000))
            return states["sent"] + states["uncertain"] == len(rows)

        wait_for(settled, seconds=150)  # the survivor recovers the claims and goes on
    finally:
        survivor.send_signal(signal.SIGTERM)
        survivor.communicate(timeout=60)
    counts = Counter(line["key"] for line in sent_lines(log))
    assert set(counts.values()) == {1}  # nothing sent twice
    states = Counter(str(r.delivery.state) for r in box.records(limit=10_000))
    assert states["sending"] == 0 and states["uncertain"] <= 2  # at most one per thread
    for r in box.records(states=["sent"], limit=10_000):
        assert counts[r.delivery.idempotency_key] == 1
    engine.dispose()

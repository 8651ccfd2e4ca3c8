"""Several worker processes at once, and workers killed with SIGKILL mid-send."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from distributor.models import DeliveryKind, DeliveryState
from distributor.pipeline.dispatch import dispatch_due
from distributor.store.outbox import Outbox
from tests.outbox.helpers import T0, RecordingChannel, chain, delivery, sent_lines
from tests.outbox.procs import BATCHES, fan_out, worker_main, worker_settings
from tests.waiting import wait_for

pytestmark = pytest.mark.slow
SPAWN = multiprocessing.get_context("spawn")


def _start(db_url: str, log: Path, name: str, **kw: object) -> multiprocessing.process.BaseProcess:
    proc = SPAWN.Process(target=worker_main, args=(db_url, str(log), name), kwargs=kw)
    proc.start()
    return proc


def past_the_claim_timeout() -> datetime:
    """A moment after the 1 s claim timeout of these tests' settings: the recovery is
    asked about that time instead of the test sleeping until it comes."""
    return datetime.now(UTC) + timedelta(seconds=2)


def test_four_workers_deliver_every_row_exactly_once(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    rows = [delivery(i) for i in range(120)]
    for t in range(5):
        rows += chain(f"thread{t}", 4)
    box = Outbox(engine, worker_settings().schedule)
    log = tmp_path / "sent.jsonl"
    ready = [tmp_path / f"ready-{i}" for i in range(4)]
    procs = [
        _start(db_url, log, f"w{i}", rounds=2000, ready=str(ready[i]), delay=0.002)
        for i in range(4)
    ]
    # All four are polling before there is anything to take, so they really compete.
    wait_for(lambda: all(r.exists() for r in ready), seconds=120)
    box.plan(rows, now=T0)
    try:
        wait_for(lambda: len(sent_lines(log)) >= len(rows), seconds=120)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.join(30)
    lines = sent_lines(log)
    counts = Counter(line["key"] for line in lines)
    assert sorted(counts) == sorted(r.idempotency_key for r in rows)
    assert set(counts.values()) == {1}, [k for k, n in counts.items() if n > 1]
    assert len({line["pid"] for line in lines}) > 1  # the work really was shared
    assert box.counts() == {"recorder": {"sent": len(rows)}}
    # Replies still follow their parents, whichever worker sent them.
    for t in range(5):
        posted = [line for line in lines if line["subject"].startswith(f"story-thread{t}#")]
        assert [line["reply_to"] for line in posted] == [
            None,
            *[f"id-story-thread{t}#{i}" for i in range(3)],
        ]


@pytest.mark.parametrize("step", ["before", "after"])
def test_a_worker_killed_mid_send_leaves_the_row_uncertain_not_resent(
    engine: Engine, db_url: str, tmp_path: Path, step: str
) -> None:
    """SIGKILL before the request left, or after it left but before it was recorded:
    the worker cannot know, so the row becomes uncertain and nothing is sent twice."""
    posts = chain("t", 3)
    settings = worker_settings(claim_timeout_seconds=1)
    box = Outbox(engine, settings.schedule)
    box.plan(posts, now=T0)
    log, marker = tmp_path / "sent.jsonl", tmp_path / "hung"
    proc = _start(db_url, log, "doomed", hang=step, marker=str(marker))
    wait_for(marker.exists)
    assert proc.pid is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)
    sent_before = len(sent_lines(log))
    assert sent_before == (1 if step == "after" else 0)

    recovered = box.recover_stale_claims(now=past_the_claim_timeout())
    assert [d.idempotency_key for d in recovered] == [posts[0].idempotency_key]
    channel = RecordingChannel(settings, log)
    dispatch_due(engine, settings, {"recorder": channel}, worker_id="restarted")
    assert len(sent_lines(log)) == sent_before  # nothing resent, nothing after it posted
    states = [box.get_by_key(p.idempotency_key).state for p in posts]  # type: ignore[union-attr]
    assert states == [DeliveryState.UNCERTAIN, DeliveryState.PLANNED, DeliveryState.PLANNED]
    # The operator, having checked the network, says it was not posted: the thread resumes.
    first = box.get_by_key(posts[0].idempotency_key)
    assert first is not None and "never reported back" in (first.last_error or "")
    if step == "before":
        box.retry(first.id or 0)
        dispatch_due(engine, settings, {"recorder": channel}, worker_id="restarted")
        assert [line["key"] for line in sent_lines(log)] == [p.idempotency_key for p in posts]


def test_a_worker_killed_between_deliveries_loses_nothing(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    rows = [delivery(i) for i in range(30)]
    settings = worker_settings(claim_timeout_seconds=1)
    box = Outbox(engine, settings.schedule)
    box.plan(rows, now=T0)
    log = tmp_path / "sent.jsonl"
    proc = _start(db_url, log, "doomed", delay=0.05)
    wait_for(lambda: len(box.records(states=[DeliveryState.SENT])) >= 5)
    assert proc.pid is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)
    box.recover_stale_claims(now=past_the_claim_timeout())
    dispatch_due(engine, settings, {"recorder": RecordingChannel(settings, log)}, worker_id="w2")
    counts = Counter(line["key"] for line in sent_lines(log))
    assert set(counts.values()) == {1}  # no row sent twice
    states = Counter(str(r.delivery.state) for r in box.records())
    # At most the one row in hand is in doubt; every other row went exactly once.
    assert states["sent"] + states["uncertain"] == len(rows) and states["uncertain"] <= 1
    for r in box.records(states=[DeliveryState.SENT]):
        assert counts[r.delivery.idempotency_key] == 1


def test_sigterm_finishes_the_send_in_hand_then_exits(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    rows = [delivery(i) for i in range(40)]
    box = Outbox(engine, worker_settings().schedule)
    box.plan(rows, now=T0)
    log = tmp_path / "sent.jsonl"
    proc = _start(db_url, log, "w", delay=0.1, rounds=1000)
    wait_for(lambda: len(sent_lines(log)) >= 3)
    assert proc.pid is not None
    os.kill(proc.pid, signal.SIGTERM)
    proc.join(30)
    assert proc.exitcode == 0
    states = Counter(str(r.delivery.state) for r in box.records())
    assert states["sending"] == 0 and states["uncertain"] == 0  # nothing left in doubt
    assert states["sent"] == len(sent_lines(log)) and states["sent"] < len(rows)
    assert states["sent"] + states["planned"] == len(rows)


def test_a_fan_out_killed_at_any_step_sends_each_batch_at_most_once(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    digest_row = delivery("digest", kind=DeliveryKind.DIGEST)
    settings = worker_settings(claim_timeout_seconds=1, claim_batch=1)
    box = Outbox(engine, settings.schedule)
    box.plan([digest_row], now=T0)
    log, marker = tmp_path / "sent.jsonl", tmp_path / "hung"
    expanders = {("recorder", "digest"): fan_out}

    # 1. Killed while expanding: nothing was sent, so the row simply goes again.
    proc = _start(db_url, log, "doomed", hang="expand", marker=str(marker), expand=True)
    wait_for(marker.exists)
    assert proc.pid is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)
    # Never started: given back, not uncertain.
    assert box.recover_stale_claims(now=past_the_claim_timeout()) == []
    assert box.get_by_key(digest_row.idempotency_key).state == DeliveryState.PLANNED  # type: ignore[union-attr]

    # 2. Killed part-way through sending the batches.
    proc = _start(db_url, log, "doomed-2", delay=0.2, expand=True)
    wait_for(lambda: len(sent_lines(log)) >= 2)
    assert proc.pid is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)
    box.recover_stale_claims(now=past_the_claim_timeout())

    # 3. Restarted: the rest go, nothing twice, anything in doubt is uncertain.
    channel = RecordingChannel(settings, log)
    dispatch_due(engine, settings, {"recorder": channel}, worker_id="w3", expanders=expanders)
    counts = Counter(line["subject"] for line in sent_lines(log))
    assert set(counts.values()) == {1}
    batches = [r for r in box.records() if "/batch-" in r.delivery.idempotency_key]
    assert len(batches) == BATCHES
    states = Counter(str(r.delivery.state) for r in batches)
    assert states["sent"] + states["uncertain"] == BATCHES and states["uncertain"] <= 1
    assert all(
        counts[r.delivery.subject_id] == 1
        for r in batches
        if r.delivery.state == DeliveryState.SENT
    )
    assert box.get_by_key(digest_row.idempotency_key).state == DeliveryState.SENT  # type: ignore[union-attr]

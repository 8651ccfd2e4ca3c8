"""A simulated day: the worker, a movable clock, every channel at its time."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from distributor.channels.files import FilesChannel
from distributor.errors import Retryable
from distributor.models import DeliveryKind
from distributor.pipeline.dispatch import StopFlag, dispatch_due
from distributor.schedule.clock import FakeClock
from distributor.schedule.planner import day_deliveries
from distributor.schedule.times import at, local_day
from distributor.schedule.worker import run_worker
from distributor.settings import OutputSettings
from distributor.store.outbox import Outbox
from tests.outbox.compose_fixtures import DAY, KINDS, digest, roundup, settings, thread
from tests.outbox.helpers import T0, RecordingChannel, delivery, sent_lines

LONDON = ZoneInfo("Europe/London")
POLL = timedelta(minutes=5)


def test_a_simulated_day_runs_every_channel_at_its_times(engine: Engine, tmp_path: Path) -> None:
    cfg = replace(
        settings(digest_at="07:00", threads_start="08:00", threads_end="20:00", roundup_at="18:00"),
        output=OutputSettings(dir=str(tmp_path / "out")),
    )
    clock = FakeClock(at(DAY, "00:00", LONDON))
    box = Outbox(engine, cfg.schedule)
    channels = {
        "sendgrid": RecordingChannel(cfg, tmp_path / "email.jsonl"),
        "x": RecordingChannel(cfg, tmp_path / "x.jsonl"),
        "files": FilesChannel(cfg),
    }
    stop = StopFlag()
    plans: list[datetime] = []

    def plan(now: datetime) -> None:
        plans.append(now)
        box.plan(
            day_deliveries(
                local_day(now, cfg),
                digest=digest(local_day(now, cfg)),
                threads=[
                    thread("x", "budget", 2),
                    thread("x", "roads", 2),
                    thread("x", "parks", 1),
                ],
                roundup_posts=[roundup("x")],
                channels=list(channels),
                settings=cfg,
                kinds=KINDS,
            ),
            now=now,
        )

    failures = iter([OperationalError("SELECT 1", {}, Exception("database is locked"))])

    def tick(now: datetime) -> int:
        if now >= at(DAY, "06:00", LONDON):
            for error in failures:  # the database is locked once; the worker waits
                raise error
        report = dispatch_due(engine, cfg, channels, now=clock.now, worker_id="w", outbox=box)
        return report.handled

    def stop_at_midnight(now: datetime) -> None:
        plan(now)
        if now >= at(DAY, "23:55", LONDON):
            stop.set()

    stats = run_worker(
        box,
        tick=tick,
        stop=stop,
        clock=clock,
        poll_seconds=POLL.total_seconds(),
        plan=stop_at_midnight,
    )
    assert stats.database_errors == 1

    def local(key_part: str) -> list[str]:
        return [
            r.sent_at.astimezone(LONDON).strftime("%H:%M")  # type: ignore[union-attr]
            for r in box.records(day=DAY)
            if key_part in r.delivery.idempotency_key and r.sent_at is not None
        ]

    def on_time(sent: list[str], expected: str) -> bool:
        want = datetime.strptime(expected, "%H:%M")
        return all(timedelta(0) <= datetime.strptime(s, "%H:%M") - want <= POLL for s in sent)

    assert len(local("sendgrid:digest")) == 1 and on_time(local("sendgrid:digest"), "07:00")
    # Three threads spread through 08:00-20:00, most important first.
    assert on_time(local("budget#"), "08:00") and len(local("budget#")) == 2
    assert on_time(local("roads#"), "12:00") and len(local("roads#")) == 2
    assert on_time(local("parks#"), "16:00") and len(local("parks#")) == 1
    assert on_time(local("x:roundup"), "18:00")
    assert len(sent_lines(tmp_path / "email.jsonl")) == 1
    assert len(sent_lines(tmp_path / "x.jsonl")) == 6
    assert (tmp_path / "out" / "2026-11-27" / "digest.html").exists()
    counts = box.counts(day=DAY)
    assert counts == {"sendgrid": {"sent": 1}, "x": {"sent": 6}, "files": {"sent": 1}}
    # Every kind the day plans (a confirmation is planned by the sign-up form instead).
    day_kinds = set(DeliveryKind) - {DeliveryKind.CONFIRMATION}
    assert {r.delivery.kind for r in box.records(day=DAY)} == day_kinds


def test_once_runs_a_single_round(engine: Engine) -> None:
    box = Outbox(engine)
    ticks: list[datetime] = []
    stats = run_worker(box, tick=lambda now: ticks.append(now) or 0, stop=StopFlag(), once=True)
    assert stats.rounds == 1 and len(ticks) == 1


def test_an_idle_worker_wakes_when_a_row_falls_due_not_a_poll_later(engine: Engine) -> None:
    box = Outbox(engine)
    box.plan([delivery("digest", due=T0 + timedelta(seconds=90))], now=T0)
    clock = FakeClock(T0)
    rounds: list[datetime] = []
    run_worker(
        box,
        tick=lambda now: rounds.append(now) or 0,
        stop=StopFlag(),
        clock=clock,
        poll_seconds=1800,
        max_rounds=13,
    )
    # At start, then at the row's due time. Still planned, it may be another worker's
    # claim in flight: looked at every 0.1 s for a second, then (its channel not ready
    # here) it waits for the poll, no spin.
    due = T0 + timedelta(seconds=90)
    assert rounds[:2] == [T0, due]
    gaps = [round((b - a).total_seconds(), 3) for a, b in itertools.pairwise(rounds[1:])]
    assert gaps == [0.1] * 10 + [1800]


def test_an_idle_worker_looks_again_soon_while_another_expands_a_digest(engine: Engine) -> None:
    box = Outbox(engine)
    box.plan([delivery("digest"), delivery("later", due=T0 + timedelta(minutes=10))], now=T0)
    (claimed,) = box.claim_due(T0, 1, "other")  # expanding it into batches, say
    clock = FakeClock(T0)
    rounds: list[datetime] = []
    stop = StopFlag()

    def tick(now: datetime) -> int:
        rounds.append(now)
        if len(rounds) == 2:
            box.start(claimed.id or 0, "other", now=now)  # its claims are under way
        return 0

    run_worker(box, tick=tick, stop=stop, clock=clock, poll_seconds=1800, max_rounds=3)
    # Its batches are due as soon as they exist: look again in a tenth of a second,
    # then (the other worker's claim started) sleep until the next row's time.
    assert rounds == [T0, T0 + timedelta(seconds=0.1), T0 + timedelta(minutes=10)]


class OutageChannel(RecordingChannel):
    """Answers 503 (or 429 with a reset time) until ``until`` on the shared clock."""

    clock: FakeClock
    until: datetime

    def post(self, payload: dict[str, object]) -> object:
        if self.clock.now() < self.until:
            raise Retryable("HTTP 503 service unavailable", status=503, retry_after=45)
        return super().post(payload)  # type: ignore[arg-type]


def test_a_provider_down_for_twenty_minutes_gets_everything_once_it_recovers(
    engine: Engine, tmp_path: Path
) -> None:
    cfg = settings(stale_after_minutes=180, poll_seconds=60)
    start = at(DAY, "07:00", LONDON)
    clock = FakeClock(start)
    box = Outbox(engine, cfg.schedule)
    box.plan(
        day_deliveries(
            DAY,
            digest=digest(),
            threads=[thread("x", "budget", 3)],
            roundup_posts=[],
            channels=["sendgrid", "x"],
            settings=replace(cfg, schedule=replace(cfg.schedule, threads_start="07:00")),
            kinds=KINDS,
        ),
        now=start,
    )
    channels: dict[str, RecordingChannel] = {}
    for name in ("sendgrid", "x"):
        channel = OutageChannel(cfg, tmp_path / f"{name}.jsonl")
        channel.clock, channel.until = clock, start + timedelta(minutes=20)
        channels[name] = channel
    stop = StopFlag()

    def tick(now: datetime) -> int:
        if now >= start + timedelta(hours=2):
            stop.set()
        return dispatch_due(engine, cfg, channels, now=clock.now, worker_id="w", outbox=box).handled

    run_worker(box, tick=tick, stop=stop, clock=clock)
    assert box.counts() == {"sendgrid": {"sent": 1}, "x": {"sent": 3}}
    assert len(sent_lines(tmp_path / "sendgrid.jsonl")) == 1
    x_lines = sent_lines(tmp_path / "x.jsonl")
    story = thread("x", "budget").story_id
    assert [line["reply_to"] for line in x_lines] == [None, f"id-{story}#0", f"id-{story}#1"]
    latest = max(r.sent_at for r in box.records() if r.sent_at is not None)
    assert latest <= start + timedelta(minutes=20) + timedelta(minutes=20)

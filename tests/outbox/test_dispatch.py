"""Dispatch: answers become states, threads reply in order, fan-out, graceful stop."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine

from distributor.errors import AuthError, Permanent, Retryable, Uncertain
from distributor.models import Delivery, DeliveryKind, DeliveryState
from distributor.pipeline.dispatch import StopFlag, dispatch_due
from distributor.store.outbox import Outbox
from tests.outbox.helpers import T0, RecordingChannel, chain, delivery, later, sent_lines
from tests.outbox.procs import worker_settings

SETTINGS = worker_settings(max_attempts=3, backoff_base_seconds=60, backoff_cap_seconds=600)


def _setup(
    engine: Engine, tmp_path: Path, rows: list[Delivery], **kw: object
) -> tuple[Outbox, RecordingChannel]:
    box = Outbox(engine, SETTINGS.schedule)
    box.plan(rows, now=T0)
    return box, RecordingChannel(SETTINGS, tmp_path / "sent.jsonl", **kw)  # type: ignore[arg-type]


def _state(box: Outbox, key: str) -> DeliveryState:
    row = box.get_by_key(key)
    assert row is not None
    return row.state


def test_a_thread_is_posted_in_order_each_post_replying_to_the_last(
    engine: Engine, tmp_path: Path
) -> None:
    posts = chain("t", 4)
    _box, channel = _setup(engine, tmp_path, posts)
    report = dispatch_due(engine, SETTINGS, {"recorder": channel}, now=T0, worker_id="w")
    assert len(report.sent) == 4
    lines = sent_lines(channel.log)
    assert [line["key"] for line in lines] == [p.idempotency_key for p in posts]
    assert [line["reply_to"] for line in lines] == [
        None,
        "id-story-t#0",
        "id-story-t#1",
        "id-story-t#2",
    ]
    again = dispatch_due(engine, SETTINGS, {"recorder": channel}, now=later(60), worker_id="w")
    assert again.handled == 0 and len(sent_lines(channel.log)) == 4


def test_a_thread_resumes_at_the_first_unposted_post(engine: Engine, tmp_path: Path) -> None:
    posts = chain("t", 3)
    box, channel = _setup(
        engine, tmp_path, posts, failures={"story-t#1": [Permanent("duplicate content")]}
    )
    dispatch_due(engine, SETTINGS, {"recorder": channel}, now=T0, worker_id="w")
    assert [line["key"] for line in sent_lines(channel.log)] == [posts[0].idempotency_key]
    assert _state(box, posts[2].idempotency_key) == DeliveryState.PLANNED  # waits for post 2
    row = box.get_by_key(posts[1].idempotency_key)
    assert row is not None and row.state == DeliveryState.FAILED
    box.retry(row.id or 0, now=later(5))
    dispatch_due(engine, SETTINGS, {"recorder": channel}, now=later(5), worker_id="w")
    lines = sent_lines(channel.log)
    assert [line["key"] for line in lines] == [p.idempotency_key for p in posts]
    assert lines[2]["reply_to"] == "id-story-t#1"


def test_retryable_errors_back_off_and_then_deliver(engine: Engine, tmp_path: Path) -> None:
    box, channel = _setup(
        engine,
        tmp_path,
        [delivery(1)],
        failures={
            "story-1": [Retryable("HTTP 503", status=503), Retryable("429", retry_after=900)]
        },
    )
    first = dispatch_due(engine, SETTINGS, {"recorder": channel}, now=T0, worker_id="w")
    assert len(first.retrying) == 1 and "HTTP 503" in first.errors[first.retrying[0]]
    row = box.get_by_key(delivery(1).idempotency_key)
    assert row is not None and timedelta(seconds=30) <= row.due_at - T0 <= timedelta(seconds=60)
    second = dispatch_due(engine, SETTINGS, {"recorder": channel}, now=row.due_at, worker_id="w")
    assert len(second.retrying) == 1
    # The provider asked for 15 minutes: nothing goes before then.
    assert (
        dispatch_due(
            engine,
            SETTINGS,
            {"recorder": channel},
            now=row.due_at + timedelta(minutes=14),
            worker_id="w",
        ).handled
        == 0
    )
    third = dispatch_due(
        engine,
        SETTINGS,
        {"recorder": channel},
        now=row.due_at + timedelta(minutes=16),
        worker_id="w",
    )
    assert len(third.sent) == 1 and len(sent_lines(channel.log)) == 1


def test_retries_stop_at_the_limit_with_the_providers_message(
    engine: Engine, tmp_path: Path
) -> None:
    errors = [Retryable("server error", status=500, response='{"error":"down"}') for _ in range(3)]
    box, channel = _setup(engine, tmp_path, [delivery(1)], failures={"story-1": errors})
    now = T0
    for _ in range(3):
        dispatch_due(engine, SETTINGS, {"recorder": channel}, now=now, worker_id="w")
        now += timedelta(hours=1)
    row = box.get_by_key(delivery(1).idempotency_key)
    assert row is not None and row.state == DeliveryState.FAILED
    assert row.last_error == 'gave up after 3 attempts: server error (HTTP 500): {"error":"down"}'


def test_uncertain_is_never_retried_automatically(engine: Engine, tmp_path: Path) -> None:
    box, channel = _setup(
        engine,
        tmp_path,
        [delivery(1)],
        failures={"story-1": [Uncertain("read timeout after sending")]},
    )
    report = dispatch_due(engine, SETTINGS, {"recorder": channel}, now=T0, worker_id="w")
    assert len(report.uncertain) == 1
    for hours in (1, 24):
        dispatch_due(engine, SETTINGS, {"recorder": channel}, now=later(60 * hours), worker_id="w")
    assert _state(box, delivery(1).idempotency_key) == DeliveryState.UNCERTAIN
    assert sent_lines(channel.log) == []


def test_a_channel_bug_counts_as_uncertain(engine: Engine, tmp_path: Path) -> None:
    _box, channel = _setup(engine, tmp_path, [delivery(1)], failures={"story-1": [KeyError("id")]})
    report = dispatch_due(engine, SETTINGS, {"recorder": channel}, now=T0, worker_id="w")
    assert "unexpected KeyError" in report.errors[report.uncertain[0]]


def test_bad_credentials_stop_the_channel_not_each_delivery(engine: Engine, tmp_path: Path) -> None:
    rows = [delivery(1), delivery(2), delivery(3, channel="other")]
    box, channel = _setup(
        engine, tmp_path, rows, failures={"story-1": [AuthError("401 bad token", status=401)]}
    )
    other = RecordingChannel(SETTINGS, tmp_path / "other.jsonl")
    report = dispatch_due(
        engine, SETTINGS, {"recorder": channel, "other": other}, now=T0, worker_id="w"
    )
    assert "401" in report.auth_failed["recorder"]
    assert _state(box, delivery(1).idempotency_key) == DeliveryState.PLANNED
    assert _state(box, delivery(2).idempotency_key) == DeliveryState.PLANNED
    assert [line["subject"] for line in sent_lines(other.log)] == ["story-3"]
    fixed = dispatch_due(engine, SETTINGS, {"recorder": channel}, now=T0, worker_id="w")
    assert len(fixed.sent) == 2


def test_an_expander_fans_one_row_out_into_batches_sent_once(
    engine: Engine, tmp_path: Path
) -> None:
    parent = delivery("digest", kind=DeliveryKind.DIGEST)
    box, channel = _setup(engine, tmp_path, [parent])
    calls: list[str] = []

    def batches(row: Delivery) -> list[Delivery]:
        calls.append(row.idempotency_key)
        return [
            Delivery(
                channel="recorder",
                kind=DeliveryKind.DIGEST,
                idempotency_key=f"{row.idempotency_key}/batch-{i}",
                due_at=row.due_at,
                payload={"text": f"batch {i}", "day": "2026-11-27"},
                subject_id=f"batch-{i}",
            )
            for i in range(3)
        ]

    expanders = {("recorder", "digest"): batches}
    report = dispatch_due(
        engine, SETTINGS, {"recorder": channel}, now=T0, worker_id="w", expanders=expanders
    )
    assert report.expanded == {parent_id(box, parent): 3}
    assert sorted(line["subject"] for line in sent_lines(channel.log)) == [
        "batch-0",
        "batch-1",
        "batch-2",
    ]
    again = dispatch_due(
        engine, SETTINGS, {"recorder": channel}, now=later(10), worker_id="w", expanders=expanders
    )
    assert again.handled == 0 and calls == [parent.idempotency_key]


def parent_id(box: Outbox, d: Delivery) -> int:
    row = box.get_by_key(d.idempotency_key)
    assert row is not None and row.id is not None
    return row.id


class StoppingChannel(RecordingChannel):
    """Receives SIGTERM (the stop flag) while its first delivery is in hand."""

    stop: StopFlag

    def post(self, payload: dict[str, object]) -> object:
        self.stop.set()
        return super().post(payload)  # type: ignore[arg-type]


def test_stop_finishes_the_delivery_in_hand_and_gives_the_rest_back(
    engine: Engine, tmp_path: Path
) -> None:
    rows = [delivery(i) for i in range(4)]
    box = Outbox(engine, SETTINGS.schedule)
    box.plan(rows, now=T0)
    channel = StoppingChannel(SETTINGS, tmp_path / "sent.jsonl")
    channel.stop = StopFlag()
    report = dispatch_due(
        engine, SETTINGS, {"recorder": channel}, now=T0, worker_id="w", stop=channel.stop
    )
    assert report.stopped and len(report.sent) == 1 and len(report.given_back) == 3
    states = sorted(str(_state(box, r.idempotency_key)) for r in rows)
    assert states == ["planned", "planned", "planned", "sent"]
    rest = dispatch_due(
        engine,
        SETTINGS,
        {"recorder": RecordingChannel(SETTINGS, channel.log)},
        now=T0,
        worker_id="w",
    )
    assert len(rest.sent) == 3
    assert sorted(line["subject"] for line in sent_lines(channel.log)) == [
        f"story-{i}" for i in range(4)
    ]
    # Given back means not attempted: the attempt counter is as before.
    assert {box.get_by_key(r.idempotency_key).attempts for r in rows} == {1}  # type: ignore[union-attr]

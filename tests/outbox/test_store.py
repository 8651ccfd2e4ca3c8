"""The outbox ledger on SQLite and PostgreSQL: idempotent plans, claims, retries, approval."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select

from distributor.models import DeliveryKind, DeliveryState, SendResult
from distributor.settings import ScheduleSettings
from distributor.store.outbox import ChangedSinceSeen, Outbox, OutboxError
from distributor.store.tables import deliveries
from tests.outbox.helpers import T0, chain, delivery, later


def _outbox(engine: Engine, **policy: object) -> Outbox:
    return Outbox(engine, ScheduleSettings(**policy), rng=random.Random(7))  # type: ignore[arg-type]


def _state(box: Outbox, key: str) -> DeliveryState:
    found = box.get_by_key(key)
    assert found is not None
    return found.state


def test_planning_the_same_day_twice_adds_nothing(engine: Engine) -> None:
    box = _outbox(engine)
    rows = [delivery(1), delivery(2)]
    first = box.plan(rows, now=T0)
    second = box.plan([delivery(1), delivery(2)], now=T0)
    assert len(first.created) == 2 and not first.unchanged
    assert not second.created and len(second.unchanged) == 2
    assert len(box.records()) == 2


def test_changed_content_replaces_an_unsent_row_but_never_a_sent_one(engine: Engine) -> None:
    box = _outbox(engine)
    box.plan([delivery(1), delivery(2)], now=T0)
    claimed = box.claim_due(T0, 1, "w1")
    assert box.mark_sent(claimed[0].id or 0, SendResult("p1"), now=T0)
    report = box.plan([delivery(1, text="edited"), delivery(2, text="edited")], now=T0)
    assert report.too_late == [delivery(1).idempotency_key]
    assert report.updated == [delivery(2).idempotency_key]
    row = box.get_by_key(delivery(2).idempotency_key)
    assert row is not None and row.payload["text"] == "edited"


def test_a_row_is_claimed_once_and_only_when_due(engine: Engine) -> None:
    box = _outbox(engine)
    box.plan([delivery(1), delivery(2, due=later(60))], now=T0)
    assert box.claim_due(T0 - timedelta(minutes=1), 10, "w1") == []
    first = box.claim_due(T0, 10, "w1")
    again = box.claim_due(later(120), 10, "w2")
    assert [d.subject_id for d in first] == ["story-1"]
    assert first[0].state == DeliveryState.SENDING and first[0].attempts == 1
    assert [d.subject_id for d in again] == ["story-2"]


def test_a_thread_post_waits_for_the_post_it_replies_to(engine: Engine) -> None:
    box = _outbox(engine)
    posts = chain("t", 3)
    box.plan(posts, now=T0)
    first = box.claim_due(T0, 10, "w")
    assert [d.idempotency_key for d in first] == [posts[0].idempotency_key]
    assert box.claim_due(T0, 10, "w") == []
    box.mark_sent(first[0].id or 0, SendResult("remote-0"), now=T0)
    second = box.claim_due(T0, 10, "w")
    assert [d.idempotency_key for d in second] == [posts[1].idempotency_key]
    parent = box.parent_of(second[0])
    assert parent is not None and parent.provider_id == "remote-0"


def test_retryable_failures_back_off_then_fail_with_the_message(engine: Engine) -> None:
    box = _outbox(engine, max_attempts=3, backoff_base_seconds=10, backoff_cap_seconds=15)
    box.plan([delivery(1)], now=T0)
    now = T0
    waits = []
    for _ in range(2):
        (row,) = box.claim_due(now, 1, "w")
        state = box.mark_failed(row.id or 0, "HTTP 503", retryable=True, now=now)
        assert state == DeliveryState.PLANNED
        again = box.get_by_key(row.idempotency_key)
        assert again is not None
        waits.append((again.due_at - now).total_seconds())
        assert box.claim_due(now, 1, "w") == []  # not before the backoff is over
        now = again.due_at
    # Exponential with jitter: attempt 1 waits 5..10 s, attempt 2 is capped at 7.5..15 s.
    assert 5 <= waits[0] <= 10 and 7.5 <= waits[1] <= 15
    (row,) = box.claim_due(now, 1, "w")
    assert box.mark_failed(row.id or 0, "HTTP 503", retryable=True, now=now) == (
        DeliveryState.FAILED
    )
    final = box.get_by_key(row.idempotency_key)
    assert final is not None and final.attempts == 3
    assert final.last_error == "gave up after 3 attempts: HTTP 503"


def test_retry_after_from_the_provider_is_honoured(engine: Engine) -> None:
    box = _outbox(engine)
    box.plan([delivery(1)], now=T0)
    (row,) = box.claim_due(T0, 1, "w")
    box.mark_failed(row.id or 0, "429", retryable=True, retry_after=900, now=T0)
    assert box.claim_due(later(14), 1, "w") == []
    assert len(box.claim_due(later(15), 1, "w")) == 1


def test_a_permanent_failure_is_not_retried(engine: Engine) -> None:
    box = _outbox(engine)
    box.plan([delivery(1)], now=T0)
    (row,) = box.claim_due(T0, 1, "w")
    assert box.mark_failed(row.id or 0, "400 bad", retryable=False, now=T0) == (
        DeliveryState.FAILED
    )
    assert box.claim_due(later(600), 5, "w") == []


def test_a_lost_claim_becomes_uncertain_and_is_not_sent_again(engine: Engine) -> None:
    box = _outbox(engine, claim_timeout_seconds=60)
    box.plan([delivery(1)], now=T0)
    (row,) = box.claim_due(T0, 1, "dead-worker")
    assert box.start(row.id or 0, "dead-worker", now=T0)
    assert box.recover_stale_claims(later(0.5)) == []
    recovered = box.recover_stale_claims(later(2))
    assert [d.id for d in recovered] == [row.id]
    assert _state(box, row.idempotency_key) == DeliveryState.UNCERTAIN
    assert box.claim_due(later(3), 5, "w") == []
    # A late answer from the provider that it did apply it settles the doubt.
    assert box.mark_sent(row.id or 0, SendResult("late-id"), now=later(4))
    assert _state(box, row.idempotency_key) == DeliveryState.SENT


def test_uncertain_goes_again_only_when_the_operator_says_so(engine: Engine) -> None:
    box = _outbox(engine)
    box.plan([delivery(1), delivery(2)], now=T0)
    a, b = box.claim_due(T0, 2, "w")
    box.mark_uncertain(a.id or 0, "timeout after sending", now=T0)
    box.mark_uncertain(b.id or 0, "timeout after sending", now=T0)
    box.retry(a.id or 0, now=later(5))
    box.cancel(b.id or 0, now=later(5))
    claimed = box.claim_due(later(5), 5, "w")
    assert [d.id for d in claimed] == [a.id]
    assert claimed[0].attempts == 1
    assert _state(box, b.idempotency_key) == DeliveryState.CANCELLED


def test_the_release_policy_puts_lost_claims_back(engine: Engine) -> None:
    box = _outbox(engine, claim_timeout_seconds=60, stale_claim_policy="release")
    box.plan([delivery(1)], now=T0)
    (row,) = box.claim_due(T0, 1, "dead-worker")
    box.start(row.id or 0, "dead-worker", now=T0)
    box.recover_stale_claims(later(2))
    assert len(box.claim_due(later(2), 1, "w")) == 1


def test_a_claim_never_started_is_given_back_not_made_uncertain(engine: Engine) -> None:
    box = _outbox(engine, claim_timeout_seconds=60)
    box.plan([delivery(1), delivery(2)], now=T0)
    first, second = box.claim_due(T0, 2, "slow-worker")
    assert box.start(first.id or 0, "slow-worker", now=T0)
    assert [d.id for d in box.recover_stale_claims(later(2))] == [first.id]
    # The slow worker reaches the second row only now: it is no longer its to send.
    assert not box.start(second.id or 0, "slow-worker", now=later(2))
    (again,) = box.claim_due(later(2), 5, "w2")
    assert again.id == second.id and again.attempts == 1
    assert box.start(again.id or 0, "w2", now=later(2))


def test_a_late_delivery_is_held_not_sent_stale_and_can_be_released(engine: Engine) -> None:
    box = _outbox(engine, stale_after_minutes=60)
    box.plan([delivery(1)], now=T0)
    assert box.claim_due(later(61), 5, "w") == []
    (held,) = box.records(states=[DeliveryState.HELD])
    assert held.hold_reason == "stale" and "late" in (held.delivery.last_error or "")
    assert box.release(held.delivery.id or 0, now=later(90)) == DeliveryState.PLANNED
    assert len(box.claim_due(later(90), 5, "w")) == 1


def test_a_late_preview_is_still_written(engine: Engine) -> None:
    box = _outbox(engine, stale_after_minutes=60)
    box.plan([delivery(1, channel="files", kind=DeliveryKind.PREVIEW)], now=T0)
    assert len(box.claim_due(later(600), 5, "w")) == 1


def test_hold_and_release_by_hand(engine: Engine) -> None:
    box = _outbox(engine)
    box.plan([delivery(1)], now=T0)
    (rec,) = box.records()
    box.hold(rec.delivery.id or 0)
    assert box.claim_due(T0, 5, "w") == []
    box.release(rec.delivery.id or 0, now=T0)
    assert len(box.claim_due(T0, 5, "w")) == 1
    with pytest.raises(OutboxError, match="not held"):
        box.release(rec.delivery.id or 0)


def test_approval_is_bound_to_the_content(engine: Engine) -> None:
    box = _outbox(engine)
    digest = delivery("d", kind=DeliveryKind.DIGEST, held=True, text="v1")
    box.plan([digest], now=T0)
    assert box.claim_due(T0, 5, "w") == []
    approved = box.approve(kind=DeliveryKind.DIGEST, day=T0.date(), by="editor", now=T0)
    assert [r.approved for r in approved] == [True]
    assert _state(box, digest.idempotency_key) == DeliveryState.PLANNED
    # The article is edited after approval: the new words wait for a new approval.
    box.plan([replace(digest, payload={**digest.payload, "text": "v2"})], now=T0)
    assert _state(box, digest.idempotency_key) == DeliveryState.HELD
    assert box.claim_due(T0, 5, "w") == []
    box.approve(kind="digest", day=T0.date(), now=T0)
    (claimed,) = box.claim_due(T0, 5, "w")
    assert claimed.payload["text"] == "v2"


def test_an_approval_of_what_the_editor_saw_is_refused_once_it_changed(
    engine: Engine,
) -> None:
    box = _outbox(engine)
    digest = delivery("d", kind=DeliveryKind.DIGEST, held=True, text="v1")
    box.plan([digest], now=T0)
    (shown,) = box.records()
    seen = {shown.delivery.id or 0: shown.delivery.content_hash}
    # The article is edited and the day planned again after the editor looked.
    box.plan([replace(digest, payload={**digest.payload, "text": "v2"})], now=T0)
    with pytest.raises(ChangedSinceSeen, match="changed since it was shown"):
        box.approve(seen=seen, now=T0)
    assert _state(box, digest.idempotency_key) == DeliveryState.HELD
    # What is there now, once looked at, is approved.
    (now_shown,) = box.records()
    done = box.approve(seen={now_shown.delivery.id or 0: now_shown.delivery.content_hash})
    assert [r.approved for r in done] == [True]
    assert _state(box, digest.idempotency_key) == DeliveryState.PLANNED
    # Nothing named approves nothing (never everything).
    assert box.approve(seen={}) == []


def test_release_does_not_skip_approval(engine: Engine) -> None:
    box = _outbox(engine)
    box.plan([delivery(1, held=True)], now=T0)
    (rec,) = box.records()
    assert box.release(rec.delivery.id or 0, now=T0) == DeliveryState.HELD
    assert box.claim_due(T0, 5, "w") == []


def test_expanding_a_row_plans_its_children_once(engine: Engine) -> None:
    box = _outbox(engine)
    box.plan([delivery("d", kind=DeliveryKind.DIGEST)], now=T0)
    (parent,) = box.claim_due(T0, 5, "w")
    children = [delivery(f"batch-{i}", kind=DeliveryKind.DIGEST) for i in range(3)]
    box.expand(parent.id or 0, children, now=T0)
    box.expand(parent.id or 0, children, now=T0)  # a second expansion changes nothing
    assert _state(box, parent.idempotency_key) == DeliveryState.SENT
    claimed = box.claim_due(T0, 10, "w")
    assert sorted(d.subject_id for d in claimed) == [f"story-batch-{i}" for i in range(3)]
    # Each child knows the row it came from, so it is never expanded itself.
    assert {d.expanded_from for d in claimed} == {parent.idempotency_key}


def test_what_the_children_share_is_stored_once_and_read_back_with_each(engine: Engine) -> None:
    box = _outbox(engine)
    box.plan([delivery("d", kind=DeliveryKind.DIGEST)], now=T0)
    (parent,) = box.claim_due(T0, 5, "w")
    body = "<p>the digest</p>" * 1000
    children = [
        replace(delivery(f"batch-{i}", kind=DeliveryKind.DIGEST), payload={"html": body, "n": i})
        for i in range(3)
    ]
    box.expand(parent.id or 0, children, now=T0)
    with engine.connect() as conn:
        stored = list(
            conn.execute(
                select(deliveries.c.payload).where(deliveries.c.idempotency_key.like("%batch-%"))
            ).scalars()
        )
        assert [json.loads(p)["n"] for p in stored] == [0, 1, 2]
        assert all(body not in p for p in stored)
    claimed = box.claim_due(T0, 10, "w")
    assert [(d.payload["html"] == body, d.payload["n"]) for d in claimed] == [
        (True, 0),
        (True, 1),
        (True, 2),
    ]
    one = box.get_by_key(children[1].idempotency_key)
    assert one is not None and one.payload == {
        "html": body,
        "n": 1,
        "expanded_from": "recorder:digest:story-d:2026-11-27",
    }
    assert all(
        r.delivery.payload.get("html") == body
        for r in box.records(kind="digest")
        if r.delivery.expanded_from
    )
    # A child planned before its siblings shared anything keeps its whole payload.
    old = replace(delivery("old"), payload={"html": body, "expanded_from": "gone"})
    box.plan([old], now=T0)
    found = box.get_by_key(old.idempotency_key)
    assert found is not None and found.payload["html"] == body


def test_a_rows_day_is_a_field_that_survives_the_store(engine: Engine) -> None:
    box = _outbox(engine)
    row = replace(delivery("d", kind=DeliveryKind.DIGEST), day=date(2026, 12, 5))
    box.plan([row], now=T0)
    stored = box.get_by_key(row.idempotency_key)
    assert stored is not None and stored.day == date(2026, 12, 5)
    assert stored.expanded_from is None


def test_status_counts_and_next_due(engine: Engine) -> None:
    box = _outbox(engine)
    box.plan([delivery(1), delivery(2, due=later(30)), delivery(3, held=True)], now=T0)
    (row,) = box.claim_due(T0, 1, "w")
    box.mark_sent(row.id or 0, SendResult("x"), now=T0)
    assert box.counts(day=T0.date()) == {"recorder": {"sent": 1, "planned": 1, "held": 1}}
    assert box.next_due() == later(30)
    box.plan([delivery(4, due=later(5))], now=T0)
    assert box.next_due(after=later(1)) == later(5)
    # A row already due is not "next": the worker's sleep is what it decides.
    assert box.next_due(after=later(5)) == later(30)
    assert box.next_due(after=later(30)) is None
    # A retry's time is a backoff, not an appointment.
    (retried,) = box.claim_due(later(5), 1, "w")
    box.mark_failed(retried.id or 0, "503", retryable=True, retry_after=60, now=later(5))
    assert box.next_due(after=later(5), untried=True) == later(30)

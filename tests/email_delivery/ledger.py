"""The outbox as the dispatcher leaves it after an edition went out, written through the
Outbox's own calls (plan, claim, expand, start, mark sent), for the report and archive
tests: which batches were sent to how many readers, and which threads were posted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Engine

from distributor.models import Delivery, DeliveryKind, DeliveryState, SendResult
from distributor.pipeline.email_fanout import batch_key, digest_key
from distributor.store.outbox import Outbox

WORKER = "test-worker"


def _claim_one(box: Outbox, key: str, now: datetime) -> Delivery:
    claimed = box.claim_due(now, 1000, WORKER)
    (row,) = [d for d in claimed if d.idempotency_key == key]
    for other in claimed:
        if other is not row:
            box.unclaim(other.id or 0, now=now)
    return row


def sent_edition(
    engine: Engine,
    day: date,
    batches: Sequence[int],
    story_ids: Sequence[str],
    *,
    subject: str = "Rural buses + 1 more",
    covers: tuple[datetime, datetime] | None = None,
) -> list[str]:
    """The "all" digest of ``day`` fanned out into batches of the given sizes, each
    recorded sent with its recipient count; the batches' keys."""
    box = Outbox(engine)
    now = datetime.combine(day, time(7), UTC)
    key = digest_key(day, "all")
    payload: dict[str, Any] = {
        "subject": subject,
        "preheader": "Also today: more",
        "html": "<p>Hello{{name}}</p>",
        "text": "Hello{{name}}",
        "story_ids": list(story_ids),
        "day": day.isoformat(),
        "variant": "all",
    }
    if covers is not None:
        payload["covers_from"], payload["covers_until"] = (c.isoformat() for c in covers)
    box.plan(
        [
            Delivery(
                channel="sendgrid",
                kind=DeliveryKind.DIGEST,
                idempotency_key=key,
                due_at=now,
                payload=payload,
                subject_id="all",
                day=day,
            )
        ],
        now=now,
    )
    parent = _claim_one(box, key, now)
    keys = [batch_key(key, n) for n in range(1, len(batches) + 1)]
    children = [
        Delivery(
            channel="sendgrid",
            kind=DeliveryKind.DIGEST,
            idempotency_key=k,
            due_at=now,
            payload={"batch_key": k, "planned": size},
            subject_id="all",
            day=day,
        )
        for k, size in zip(keys, batches, strict=True)
    ]
    box.expand(parent.id or 0, children, now=now)
    for k, size in zip(keys, batches, strict=True):
        row = _claim_one(box, k, now)
        assert box.start(row.id or 0, WORKER, now=now)
        box.mark_sent(
            row.id or 0,
            SendResult("msg-" + k, {"status": 202, "recipients": size}),
            now=now,
        )
    return keys


def posted_thread(
    engine: Engine, story_id: str, channel: str, day: date, *, state: DeliveryState
) -> None:
    """A one-post thread of ``story_id`` on ``channel``, left in ``state``."""
    box = Outbox(engine)
    now = datetime.combine(day, time(9), UTC)
    key = f"{channel}:thread_post:{story_id}#0:{day}"
    box.plan(
        [
            Delivery(
                channel=channel,
                kind=DeliveryKind.THREAD_POST,
                idempotency_key=key,
                due_at=now,
                payload={"text": "x", "story_id": story_id},
                subject_id=story_id,
                day=day,
            )
        ],
        now=now,
    )
    row = _claim_one(box, key, now)
    assert box.start(row.id or 0, WORKER, now=now)
    if state is DeliveryState.SENT:
        box.mark_sent(row.id or 0, SendResult("post-1"), now=now)
    else:
        box.mark_failed(row.id or 0, "refused", retryable=False, now=now)

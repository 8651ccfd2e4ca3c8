"""Posting a thread the way the outbox does: one delivery per post, each post's id
recorded before the next is sent, resuming at the first post without an id."""

from __future__ import annotations

from datetime import UTC, date, datetime

from distributor.channels.base import Channel, DeliveryContext
from distributor.compose.threads import post_payloads
from distributor.models import Delivery, DeliveryKind, Thread

SECRETS = {
    "X_API_KEY": "ck-test-key",
    "X_API_SECRET": "cs-test-secret-value",
    "X_ACCESS_TOKEN": "at-test-token-value",
    "X_ACCESS_TOKEN_SECRET": "ats-test-secret-value",
    "BLUESKY_HANDLE": "news.test",
    "BLUESKY_APP_PASSWORD": "app-pass-word-value",
    "MASTODON_ACCESS_TOKEN": "masto-token-value",
}


def delivery_for(thread: Thread, index: int) -> Delivery:
    return Delivery(
        channel=thread.network,
        kind=DeliveryKind.THREAD_POST,
        idempotency_key=f"{thread.network}:{thread.story_id}:{index}",
        due_at=datetime(2026, 11, 28, 9, tzinfo=UTC),
        payload=post_payloads(thread, story_id=thread.story_id, day=date(2026, 11, 28))[index],
        subject_id=thread.story_id,
    )


def post_thread(channel: Channel, thread: Thread, ids: list[str | None]) -> list[str | None]:
    """Send every post of ``thread`` that has no id in ``ids`` yet, in order."""
    while len(ids) < len(thread.posts):
        ids.append(None)
    for i in range(len(thread.posts)):
        if ids[i] is not None:
            continue
        context = DeliveryContext(reply_to=ids[i - 1] if i else None, root=ids[0] if i else None)
        ids[i] = channel.deliver(delivery_for(thread, i), context).provider_id
    return ids

"""The email fan-out, plugged into the outbox's dispatch.

A ``digest`` row for the email channel (one per variant, planned at ``digest_at``) is
*expanded* when it falls due into batch rows of at most ``subscribers.batch_size``
recipients, keyed from the digest's key, in the same transaction that closes it. Each
batch row is *prepared* just before it is sent: the subscribers in its id range who
are still subscribed, with their signed unsubscribe links. So a crash repeats
nothing that was confirmed, and someone who unsubscribed after planning gets nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from sqlalchemy import Engine

from distributor.errors import Permanent
from distributor.models import Delivery, DeliveryKind, Digest
from distributor.pipeline.dispatch import Expander, Preparer
from distributor.pipeline.email_fanout import ALL, Content, expand_batch, plan_batches, prepare
from distributor.settings import Settings
from distributor.store.outbox import EXPANDED_FROM, Outbox
from distributor.store.subscribers import SubscriberStore

EMAIL_CHANNELS = ("sendgrid",)


def _variant_key(variant: object) -> str:
    return ALL if variant in (None, "", "all") else str(variant)


def digest_of(payload: Mapping[str, object]) -> Digest:
    """The rendered digest a planned ``digest`` row carries."""
    try:
        return Digest(
            day=date.fromisoformat(str(payload["day"])),
            subject=str(payload["subject"]),
            preheader=str(payload.get("preheader", "")),
            html=str(payload["html"]),
            text=str(payload["text"]),
            story_ids=tuple(str(s) for s in payload.get("story_ids", []) or []),  # type: ignore[attr-defined]
            variant=str(payload.get("variant", "all")),
        )
    except (KeyError, ValueError) as exc:
        raise Permanent(f"the digest row has no usable content: {exc}") from exc


def hooks(
    settings: Settings, engine: Engine, outbox: Outbox
) -> tuple[dict[tuple[str, str], Expander], dict[tuple[str, str], Preparer]]:
    """The expanders and preparers for every email channel in ``delivery.channels``."""
    store = SubscriberStore(engine)
    size = settings.subscribers.batch_size
    contents: dict[str, tuple[Digest, Content]] = {}

    def expand(row: Delivery) -> list[Delivery]:
        day = date.fromisoformat(str(row.payload["day"]))
        variant = _variant_key(row.payload.get("variant"))
        return [
            replace(child, parent_key=None)
            for child in plan_batches(
                store,
                day,
                variant,
                due_at=row.due_at,
                batch_size=size,
                channel=row.channel,
            )
        ]

    def prepare_batch(row: Delivery) -> Delivery:
        parent_key = str(row.payload.get(EXPANDED_FROM, ""))
        if parent_key not in contents:
            parent = outbox.get_by_key(parent_key)
            if parent is None:
                raise Permanent(f"batch {row.idempotency_key} lost its digest row {parent_key!r}")
            digest = digest_of(parent.payload)
            contents[parent_key] = (digest, prepare(digest, settings))
        digest, content = contents[parent_key]
        return expand_batch(store, row, digest, settings, content=content)

    expanders: dict[tuple[str, str], Expander] = {}
    preparers: dict[tuple[str, str], Preparer] = {}
    for name in EMAIL_CHANNELS:
        if name in settings.delivery.channels:
            expanders[(name, str(DeliveryKind.DIGEST))] = expand
            preparers[(name, str(DeliveryKind.DIGEST))] = prepare_batch
    return expanders, preparers

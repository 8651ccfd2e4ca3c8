"""The email fan-out, plugged into the outbox's dispatch.

A ``digest`` row for the email channel (one per audience variant, planned at
``digest_at``) is *expanded* when it falls due into batch rows of at most
``subscribers.batch_size`` recipients, keyed from the digest's key, in the same
transaction that closes it; the suppression sync runs first. A batch row holds an id
range, not addresses: the channel reads who in that range is still subscribed when it
sends. So a crash repeats nothing that was confirmed, and someone who unsubscribed
after planning gets nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine

from distributor.channels.base import Channel
from distributor.errors import ConfigError
from distributor.models import DeliveryKind
from distributor.pipeline.dispatch import Expander
from distributor.pipeline.email_fanout import attach_store, digest_expander
from distributor.settings import Settings
from distributor.store.subscribers import SubscriberStore

EMAIL_CHANNELS = ("sendgrid",)


def hooks(
    settings: Settings, engine: Engine, channels: Mapping[str, Channel]
) -> tuple[dict[tuple[str, str], Expander], dict[str, str]]:
    """The expanders for every live email channel (each channel can then read its
    batches), and the email channels that cannot work now, with why (a missing or weak
    link secret): those are left out of the round, and every other channel delivers."""
    store = SubscriberStore(engine)
    expanders: dict[tuple[str, str], Expander] = {}
    unusable: dict[str, str] = {}
    for name in EMAIL_CHANNELS:
        channel = channels.get(name)
        if channel is None:
            continue
        try:
            attach_store(channel, store, settings)
        except ConfigError as exc:
            unusable[name] = str(exc)
            continue
        expanders[(name, str(DeliveryKind.DIGEST))] = digest_expander(
            store, settings, channel=channel
        )
    return expanders, unusable

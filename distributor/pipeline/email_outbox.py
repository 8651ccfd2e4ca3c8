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

from distributor.channels import registry
from distributor.channels.base import Channel, EmailChannel
from distributor.errors import ConfigError
from distributor.models import DeliveryKind
from distributor.pipeline.dispatch import Expander
from distributor.pipeline.email_fanout import StoreRecipients, digest_expander
from distributor.settings import Settings
from distributor.store.subscribers import SubscriberStore


def email_channels(channels: Mapping[str, Channel]) -> list[str]:
    """The live channels that send the digest to subscribers: chosen by their class,
    whatever they are called."""
    return [name for name, channel in channels.items() if isinstance(channel, EmailChannel)]


def is_email_channel(name: str) -> bool:
    """Whether the registered channel ``name`` is an email channel (by its class)."""
    return issubclass(registry.get(name), EmailChannel)


def hooks(
    settings: Settings, engine: Engine, channels: Mapping[str, Channel]
) -> tuple[dict[str, Channel], dict[tuple[str, str], Expander], dict[str, str]]:
    """The channels as they deliver this round (each email channel reading its batches'
    readers from the store), the expanders for the email channels' digest rows, and the
    email channels that cannot work now, with why (a missing or weak link secret): those
    are left out of the round, and every other channel delivers."""
    store = SubscriberStore(engine)
    live = dict(channels)
    expanders: dict[tuple[str, str], Expander] = {}
    unusable: dict[str, str] = {}
    for name in email_channels(channels):
        channel = channels[name]
        assert isinstance(channel, EmailChannel)
        if channel.recipients is None:
            try:
                live[name] = channel = channel.reading(StoreRecipients(store, settings))
            except ConfigError as exc:
                unusable[name] = str(exc)
                continue
        expanders[(name, str(DeliveryKind.DIGEST))] = digest_expander(
            store, settings, channel=channel
        )
    return live, expanders, unusable

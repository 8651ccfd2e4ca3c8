"""Sending digests the way `run` and `worker` do: one ``digest`` row per variant in the
outbox, expanded into batch rows and sent by the dispatcher (the only send path)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from distributor.channels.base import Channel
from distributor.models import Audience, Digest
from distributor.pipeline.dispatch import DispatchReport
from distributor.pipeline.run import deliver_due
from distributor.schedule.planner import day_deliveries
from distributor.settings import Settings
from distributor.store.outbox import Outbox

# make_digest() is dated 28 November 2026: its digest_at is 07:00 in London (UTC).
SEND_AT = datetime(2026, 11, 28, 7, 1, tzinfo=UTC)


def plan_digests(
    engine: Engine, digests: Mapping[Audience | str, Digest], settings: Settings
) -> None:
    """One digest row per audience (given as one or by its key), as the planner writes them."""
    rows = []
    for audience, digest in digests.items():
        rows += day_deliveries(
            digest.day,
            digest=replace(
                digest,
                audience=audience
                if isinstance(audience, Audience)
                else Audience.from_key(audience),
            ),
            threads=[],
            roundup_posts=[],
            channels=["sendgrid"],
            settings=settings,
        )
    Outbox(engine, settings.schedule).plan(rows, now=SEND_AT - timedelta(hours=1))


def send_digests(
    engine: Engine,
    channel: Channel,
    digests: Mapping[Audience | str, Digest],
    settings: Settings,
    *,
    now: datetime = SEND_AT,
) -> DispatchReport:
    """Plan the digests and deliver what is due at ``now``."""
    plan_digests(engine, digests, settings)
    return deliver_due(settings, engine, {"sendgrid": channel}, now=now)

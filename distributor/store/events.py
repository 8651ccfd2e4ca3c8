"""What providers report back about the mail: webhook batches and their events.

A batch is stored as it came (:meth:`EventStore.save_batch`) before it is processed, and
its signed timestamp and signature are unique, so the same post twice is a replay. Its
events are then recorded in one transaction (:meth:`EventStore.record`): each event once
by the provider's event id, so a second delivery of the same event changes nothing, and
only the events new to the store change a reader's status, always up
:class:`~distributor.models.Status`'s order.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from distributor.models import Status
from distributor.store.subscribers import CHUNK, raise_status
from distributor.store.tables import articles, provider_events, webhook_batches


class Effect(enum.StrEnum):
    """What an event means for the reader it names."""

    BOUNCED = "bounced"
    COMPLAINED = "complained"
    UNSUBSCRIBED = "unsubscribed"
    SOFT_BOUNCE = "soft_bounce"
    """Counted towards pausing the reader (:class:`SoftBounceRule`)."""
    DELIVERED = "delivered"
    """The message arrived: a soft bounce of the same message no longer counts."""
    ENGAGEMENT = "engagement"
    """An open or a click, kept for a report."""
    NONE = "none"
    UNKNOWN = "unknown"
    """An event the program does not know, kept as it came."""


_STATUS = {
    Effect.BOUNCED: Status.BOUNCED,
    Effect.COMPLAINED: Status.COMPLAINED,
    Effect.UNSUBSCRIBED: Status.UNSUBSCRIBED,
}


@dataclass(frozen=True, slots=True)
class ProviderEvent:
    """One event as the webhook parser read it; ``email`` is normalised."""

    event_id: str
    event: str
    effect: Effect
    occurred_at: datetime
    email: str
    message_id: str | None = None
    delivery_key: str | None = None
    day: date | None = None
    variant: str | None = None
    link: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class SoftBounceRule:
    """Pause a reader once ``limit`` messages to them soft-bounced (and were not
    delivered after all) within ``days``; a ``limit`` of 0 never pauses anyone. From
    ``[subscribers] soft_bounce_limit`` and ``soft_bounce_days``."""

    limit: int
    days: int


@dataclass
class Recorded:
    """What one batch did."""

    events: int = 0
    new: int = 0
    changed: dict[Status, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "new": self.new,
            "changed": {str(s): n for s, n in self.changed.items()},
        }


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EventStore:
    """The webhook batches and events of one ``provider`` ("sendgrid")."""

    def __init__(self, engine: Engine, provider: str) -> None:
        self.engine = engine
        self.provider = provider
        self._insert = (postgresql if engine.dialect.name == "postgresql" else sqlite).insert
        self._compiled_insert: tuple[str, tuple[str, ...], dict[str, Any]] | None = None

    def save_batch(
        self, signed_at: int, signature: str, body: bytes, *, now: datetime | None = None
    ) -> int | None:
        """Store a verified post before processing it; its id, or None when this
        timestamp and signature were stored before (a replay)."""
        stmt = (
            self._insert(webhook_batches)
            .values(
                provider=self.provider,
                signed_at=signed_at,
                signature=signature,
                body=body,
                received_at=_utc(now or datetime.now(UTC)),
            )
            .on_conflict_do_nothing(index_elements=["provider", "signed_at", "signature"])
            .returning(webhook_batches.c.id)
        )
        with self.engine.begin() as conn:
            batch_id = conn.execute(stmt).scalar()
        return None if batch_id is None else int(batch_id)

    def pending(self) -> Iterator[tuple[int, bytes]]:
        """Batches stored but not processed (a crash or a database error in between),
        oldest first, one at a time."""
        after = 0
        while True:
            with self.engine.connect() as conn:
                row = conn.execute(
                    select(webhook_batches.c.id, webhook_batches.c.body)
                    .where(
                        webhook_batches.c.provider == self.provider,
                        webhook_batches.c.processed_at.is_(None),
                        webhook_batches.c.id > after,
                    )
                    .order_by(webhook_batches.c.id)
                    .limit(1)
                ).first()
            if row is None:
                return
            after = row.id
            yield row.id, bytes(row.body or b"")

    def record(
        self,
        batch_id: int,
        events: Sequence[ProviderEvent],
        *,
        rule: SoftBounceRule,
        problems: int = 0,
        now: datetime | None = None,
    ) -> Recorded:
        """Record a batch's events and apply those new to the store, all or nothing, and
        mark the batch processed. A batch processed already is left alone (two servers
        starting at once may both find it pending)."""
        stamp = _utc(now or datetime.now(UTC))
        report = Recorded(events=len(events))
        # The same id twice in one post counts once, as it would across posts.
        unique = list({e.event_id: e for e in events}.values())
        with self.engine.begin() as conn:
            # Claimed first: the row lock (PostgreSQL) or the write lock (SQLite) makes
            # a second processing of this batch wait, then find it done.
            claimed = conn.execute(
                update(webhook_batches)
                .where(webhook_batches.c.id == batch_id, webhook_batches.c.processed_at.is_(None))
                .values(processed_at=stamp, body=None, events=len(events), problems=problems)
            ).rowcount
            if not claimed:
                return Recorded()
            new = self._insert_new(conn, batch_id, unique)
            report.new = len(new)
            fresh = [e for e in unique if e.event_id in new]
            by_status: dict[tuple[Status, str], list[str]] = defaultdict(list)
            for e in fresh:
                status = _STATUS.get(e.effect)
                if status is not None:
                    by_status[status, e.event].append(e.email)
            for (status, event), emails in by_status.items():
                changed = raise_status(
                    conn, emails, status, reason=f"{self.provider} {event}", now=stamp
                )
                report.changed[status] = report.changed.get(status, 0) + changed
            soft = sorted({e.email for e in fresh if e.effect is Effect.SOFT_BOUNCE})
            if soft and rule.limit > 0:
                over = self._over_soft_limit(conn, soft, rule, stamp)
                reason = f"{self.provider}: {rule.limit} soft bounces in {rule.days} days"
                paused = raise_status(conn, over, Status.PAUSED, reason=reason, now=stamp)
                if paused:
                    report.changed[Status.PAUSED] = paused
        return report

    def _insert_new(
        self, conn: Connection, batch_id: int, events: Sequence[ProviderEvent]
    ) -> set[str]:
        """Insert the events not stored yet; the ids of those inserted. ON CONFLICT DO
        NOTHING decides in the database, so two posts carrying one event at the same
        moment still apply it once."""
        if not events:
            return set()
        stories = _stories(conn, {e.link for e in events if e.link})
        sql, names, processors = self._insert_sql()
        rows = [
            {
                "provider": self.provider,
                "event_id": e.event_id,
                "batch_id": batch_id,
                "event": e.event,
                "effect": str(e.effect),
                "email": e.email,
                "occurred_at": _utc(e.occurred_at),
                "message_id": e.message_id,
                "delivery_key": e.delivery_key,
                "day": e.day,
                "variant": e.variant,
                "link": e.link,
                "article_id": stories.get(e.link) if e.link else None,
                "detail": e.detail,
            }
            for e in events
        ]
        for name, process in processors.items():
            for row in rows:
                if row[name] is not None:
                    row[name] = process(row[name])
        params: list[Any] = [tuple(r[n] for n in names) for r in rows] if names else rows
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(sql, params)
            inserted = cursor.rowcount
        finally:
            cursor.close()
        ids = [e.event_id for e in events]
        if inserted in (0, len(ids)):
            # None new (a batch SendGrid posted again), or all new, as most are.
            return set(ids) if inserted else set()
        # Some known: an event stored before keeps the batch it first came in, so the
        # new ones are those now marked with this batch. (A plain executemany: RETURNING
        # would make both drivers build one huge statement per thousand rows, several
        # times slower.)
        c = provider_events.c
        new: set[str] = set()
        for i in range(0, len(ids), CHUNK):
            new.update(
                conn.execute(
                    select(c.event_id).where(
                        c.provider == self.provider,
                        c.event_id.in_(ids[i : i + CHUNK]),
                        c.batch_id == batch_id,
                    )
                ).scalars()
            )
        return new

    def _insert_sql(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        """The insert compiled once for the dialect, the order of its parameters (for a
        positional driver) and the columns' conversions. Run on the driver's executemany,
        ten thousand events take a third of the time SQLAlchemy's row-by-row parameter
        handling adds."""
        if self._compiled_insert is None:
            dialect = self.engine.dialect
            columns = [c for c in provider_events.c if c.name != "id"]
            stmt = (
                self._insert(provider_events)
                .values({c.name: bindparam(c.name) for c in columns})
                .on_conflict_do_nothing(index_elements=["provider", "event_id"])
            )
            compiled = stmt.compile(dialect=dialect)
            names = tuple(compiled.positiontup or ()) if dialect.positional else ()
            processors = {
                c.name: process
                for c in columns
                if (process := c.type.bind_processor(dialect)) is not None
            }
            self._compiled_insert = (str(compiled), names, processors)
        return self._compiled_insert

    def _over_soft_limit(
        self, conn: Connection, emails: Sequence[str], rule: SoftBounceRule, now: datetime
    ) -> list[str]:
        """Which of ``emails`` have soft-bounced ``rule.limit`` different messages within
        ``rule.days``, not counting a message delivered after all (a greylisting server
        defers a first attempt and then takes it)."""
        c = provider_events.c
        # Two plain index lookups rather than one correlated query: right after a large
        # batch the planner has no statistics for the new rows and would scan them.
        soft: dict[str, set[str]] = defaultdict(set)
        for i in range(0, len(emails), CHUNK):
            for email, message_id, event_id in conn.execute(
                select(c.email, c.message_id, c.event_id).where(
                    c.provider == self.provider,
                    c.email.in_(emails[i : i + CHUNK]),
                    c.effect == str(Effect.SOFT_BOUNCE),
                    c.occurred_at >= now - timedelta(days=rule.days),
                )
            ):
                # A message retried several times is one soft bounce; without an id, each
                # event is.
                soft[email].add(message_id or f"event {event_id}")
        messages = sorted({m for found in soft.values() for m in found})
        delivered: set[str] = set()
        for i in range(0, len(messages), CHUNK):
            delivered.update(
                conn.execute(
                    select(c.message_id).where(
                        c.message_id.in_(messages[i : i + CHUNK]),
                        c.effect == str(Effect.DELIVERED),
                        c.provider == self.provider,
                    )
                ).scalars()
            )
        return sorted(e for e, found in soft.items() if len(found - delivered) >= rule.limit)


def _stories(conn: Connection, links: set[str]) -> dict[str, int]:
    """The stored article each link is (by its URL), for the links that are one."""
    found: dict[str, int] = {}
    ordered = sorted(links)
    for i in range(0, len(ordered), CHUNK):
        for article_id, url in conn.execute(
            select(articles.c.id, articles.c.url)
            .where(articles.c.url.in_(ordered[i : i + CHUNK]))
            .order_by(articles.c.id.desc())
        ):
            found[url] = article_id  # the oldest article with that URL wins (ordered last)
    return found

"""What the ledger and the provider's events say about each digest edition.

An edition is a digest day. It *went out* once a ``digest`` row of that day is recorded
sent (an email channel's row is, when it is fanned out into its batches). Its figures
are counted from two sources:

- the outbox: the recipients of its batch rows recorded sent (the channel's answer
  says how many each request carried);
- the provider's events (``provider_events``, stored by the webhook with the digest's
  ``custom_args``): only events of the edition's own messages count, those whose
  ``batch_key`` is one of its batch rows, so a ``send-test`` (its own key) never does.
  Each figure counts readers, not events: a reader who opened five times is one opener.

The events are SendGrid's, by name (the only provider with a webhook). The figures
themselves, rates and warnings, are computed in :mod:`distributor.schedule.report`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, case, distinct, func, or_, select

from distributor.models import DeliveryKind, DeliveryState
from distributor.payloads import BATCH_MARK
from distributor.store.subscribers import link_unsubscribe_reason
from distributor.store.tables import articles, deliveries, provider_events, subscribers

PROVIDER = "sendgrid"

# Each counted figure, and the events that make a reader count in it.
DELIVERED = "delivered"
OPENED = "opened"
CLICKED = "clicked"
BOUNCED = "bounced"
DROPPED = "dropped"
COMPLAINED = "complained"
UNSUBSCRIBED = "unsubscribed"
FIGURES = (DELIVERED, OPENED, CLICKED, BOUNCED, DROPPED, COMPLAINED, UNSUBSCRIBED)


@dataclass(frozen=True)
class EditionCounts:
    """The raw counts of one edition that went out."""

    day: date
    batches: int
    """Batch rows recorded sent."""
    sent: int
    """Recipients of those batches."""
    readers: Mapping[str, int] = field(default_factory=dict)
    """Readers counted in each of :data:`FIGURES` (absent: none)."""


@dataclass(frozen=True)
class StoryClicks:
    """One story of an edition: the readers' clicks on it, and where it was posted."""

    story_id: str
    title: str
    url: str | None
    clicks: int
    clickers: int
    networks: tuple[str, ...]
    """The channels that posted its thread (a thread post recorded sent)."""


_DIGEST = str(DeliveryKind.DIGEST)
_SENT = str(DeliveryState.SENT)


def _parents() -> Any:
    """Digest rows that are editions' own rows, not their batches."""
    c = deliveries.c
    return and_(c.kind == _DIGEST, c.idempotency_key.not_like(f"%{BATCH_MARK}%"))


def sent_editions(
    engine: Engine, first: date | None = None, last: date | None = None
) -> list[date]:
    """The days whose edition went out, oldest first (between ``first`` and ``last``)."""
    c = deliveries.c
    query = select(c.day).where(_parents(), c.state == _SENT, c.day.is_not(None)).distinct()
    if first is not None:
        query = query.where(c.day >= first)
    if last is not None:
        query = query.where(c.day <= last)
    with engine.connect() as conn:
        return sorted(conn.execute(query).scalars())


@dataclass(frozen=True)
class EditionRow:
    """One of an edition's own digest rows (one per channel and variant)."""

    variant: str
    payload: dict[str, Any]
    state: str
    sent_at: datetime | None


def edition_rows(engine: Engine, day: date) -> list[EditionRow]:
    """The edition's own digest rows, the one for everyone ("all") first, then in the
    order they were planned."""
    c = deliveries.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(c.subject_id, c.payload, c.state, c.sent_at)
            .where(_parents(), c.day == day)
            .order_by(c.id)
        ).all()
    ordered = sorted(rows, key=lambda r: r.subject_id not in ("all", ""))
    return [
        EditionRow(
            variant=r.subject_id,
            payload=json.loads(r.payload),
            state=r.state,
            sent_at=_aware(r.sent_at),
        )
        for r in ordered
    ]


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def edition_counts(
    engine: Engine,
    first: date,
    last: date,
    *,
    reader_links: Sequence[str] = (),
) -> list[EditionCounts]:
    """The counts of every edition that went out between ``first`` and ``last``, oldest
    first. ``reader_links`` are the unsubscribe and preferences URLs: a click on one is
    not a click on the edition's content."""
    days = sent_editions(engine, first, last)
    if not days:
        return []
    with engine.connect() as conn:
        sent = _sent(conn, first, last)
        readers, unsubscribed = _readers(conn, first, last, reader_links)
        leavers = _link_leavers(conn, days)
    out: list[EditionCounts] = []
    for day in days:
        counted = dict(readers.get(day, {}))
        left = leavers.get(day, set()) | unsubscribed.get(day, set())
        if left:
            counted[UNSUBSCRIBED] = len(left)
        batches, recipients = sent.get(day, (0, 0))
        out.append(EditionCounts(day=day, batches=batches, sent=recipients, readers=counted))
    return out


def _sent(conn: Connection, first: date, last: date) -> dict[date, tuple[int, int]]:
    """Per day: batch rows recorded sent, and their recipients. The channel's answer has
    the count; a batch skipped because everyone in it had left has none; one an operator
    marked sent counts the readers it held when it was planned."""
    c = deliveries.c
    rows = conn.execute(
        select(c.id, c.day, c.detail).where(
            c.kind == _DIGEST,
            c.state == _SENT,
            c.idempotency_key.like(f"%{BATCH_MARK}%"),
            c.day >= first,
            c.day <= last,
        )
    ).all()
    totals: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    settled: dict[int, date] = {}
    for row in rows:
        detail = json.loads(row.detail) if row.detail else {}
        totals[row.day][0] += 1
        if isinstance(detail.get("recipients"), int):
            totals[row.day][1] += detail["recipients"]
        elif "skipped" not in detail:
            settled[row.id] = row.day
    ids = sorted(settled)
    for i in range(0, len(ids), 1000):
        for row_id, payload in conn.execute(
            select(c.id, c.payload).where(c.id.in_(ids[i : i + 1000]))
        ):
            planned = json.loads(payload).get("planned")
            totals[settled[row_id]][1] += planned if isinstance(planned, int) else 0
    return {day: (n, recipients) for day, (n, recipients) in totals.items()}


def _figure(reader_links: Sequence[str]) -> Any:
    """Which figure an event makes its reader count in (None: none)."""
    pe = provider_events.c
    content_click = or_(pe.link.is_(None), pe.link.not_in(list(reader_links) or [""]))
    return case(
        (pe.event == "delivered", DELIVERED),
        (pe.event == "open", OPENED),
        (and_(pe.event == "click", content_click), CLICKED),
        # A hard bounce; "blocked" and other types are soft, and counted by no figure.
        (and_(pe.event == "bounce", pe.effect == "bounced"), BOUNCED),
        (pe.event == "dropped", DROPPED),
        (pe.event == "spamreport", COMPLAINED),
        (pe.event.in_(["unsubscribe", "group_unsubscribe"]), UNSUBSCRIBED),
        else_=None,
    )


def _edition_events(first: date, last: date, reader_links: Sequence[str]) -> Any:
    """(day, figure, email) of every event of the editions' own messages."""
    pe, d = provider_events.c, deliveries.c
    return (
        select(pe.day.label("day"), _figure(reader_links).label("figure"), pe.email)
        .select_from(provider_events.join(deliveries, d.idempotency_key == pe.delivery_key))
        .where(
            pe.provider == PROVIDER,
            pe.day >= first,
            pe.day <= last,
            d.kind == _DIGEST,
            d.day == pe.day,
        )
        .subquery()
    )


def _readers(
    conn: Connection, first: date, last: date, reader_links: Sequence[str]
) -> tuple[dict[date, dict[str, int]], dict[date, set[str]]]:
    """Per day: readers in each figure but UNSUBSCRIBED, and the readers who unsubscribed
    by an event (joined later with those who used the edition's own link)."""
    events = _edition_events(first, last, reader_links)
    counts: dict[date, dict[str, int]] = defaultdict(dict)
    for day, figure, n in conn.execute(
        select(events.c.day, events.c.figure, func.count(distinct(events.c.email)))
        .where(events.c.figure.is_not(None), events.c.figure != UNSUBSCRIBED)
        .group_by(events.c.day, events.c.figure)
    ):
        counts[day][figure] = int(n)
    left: dict[date, set[str]] = defaultdict(set)
    for day, email in conn.execute(
        select(events.c.day, events.c.email).where(events.c.figure == UNSUBSCRIBED).distinct()
    ):
        left[day].add(email)
    return counts, left


def _link_leavers(conn: Connection, days: Iterable[date]) -> dict[date, set[str]]:
    """Per day: readers whose status says they left through that edition's unsubscribe
    link (the link carries its edition's day; a later change of status replaces it)."""
    reasons = {link_unsubscribe_reason(day): day for day in days}
    out: dict[date, set[str]] = defaultdict(set)
    c = subscribers.c
    for email, reason in conn.execute(
        select(c.email, c.status_reason).where(c.status_reason.in_(list(reasons)))
    ):
        out[reasons[reason]].add(email)
    return out


def story_clicks(engine: Engine, day: date) -> list[StoryClicks]:
    """The edition's stories in its order (the everyone variant's, then any other
    variant's, then stories clicked that no digest row lists), each with its clicks,
    unique clickers and the networks that posted its thread."""
    pe, d, a = provider_events.c, deliveries.c, articles.c
    listed: list[str] = []
    for edition in edition_rows(engine, day):
        ids = edition.payload.get("story_ids")
        listed.extend(i for i in ids or () if isinstance(i, str) and i not in listed)
    with engine.connect() as conn:
        clicked = {
            row.article_id: (int(row.clicks), int(row.clickers))
            for row in conn.execute(
                select(
                    pe.article_id,
                    func.count().label("clicks"),
                    func.count(distinct(pe.email)).label("clickers"),
                )
                .select_from(provider_events.join(deliveries, d.idempotency_key == pe.delivery_key))
                .where(
                    pe.provider == PROVIDER,
                    pe.event == "click",
                    pe.day == day,
                    pe.article_id.is_not(None),
                    d.kind == _DIGEST,
                    d.day == day,
                )
                .group_by(pe.article_id)
            )
        }
        found: dict[str, Any] = {}
        for i in range(0, len(listed), 1000):
            for row in conn.execute(
                select(a.id, a.identity, a.title, a.url).where(a.identity.in_(listed[i : i + 1000]))
            ):
                found[row.identity] = row
        known = {row.id for row in found.values()}
        extra = sorted(set(clicked) - known)
        for i in range(0, len(extra), 1000):
            for row in conn.execute(
                select(a.id, a.identity, a.title, a.url).where(a.id.in_(extra[i : i + 1000]))
            ):
                found[row.identity] = row
                listed.append(row.identity)
        networks = _posted(conn, listed)
    out: list[StoryClicks] = []
    for story_id in listed:
        article = found.get(story_id)
        clicks, clickers = clicked.get(article.id, (0, 0)) if article is not None else (0, 0)
        out.append(
            StoryClicks(
                story_id=story_id,
                title=article.title if article is not None else story_id,
                url=article.url if article is not None else None,
                clicks=clicks,
                clickers=clickers,
                networks=tuple(sorted(networks.get(story_id, ()))),
            )
        )
    return out


def _posted(conn: Connection, story_ids: Sequence[str]) -> dict[str, set[str]]:
    """The channels that posted each story's thread (any of its posts recorded sent)."""
    c = deliveries.c
    out: dict[str, set[str]] = defaultdict(set)
    for i in range(0, len(story_ids), 1000):
        for channel, subject in conn.execute(
            select(c.channel, c.subject_id)
            .where(
                c.kind == str(DeliveryKind.THREAD_POST),
                c.state == _SENT,
                c.subject_id.in_(list(story_ids[i : i + 1000])),
            )
            .distinct()
        ):
            out[subject].add(channel)
    return out

"""Stored articles: an article is new once; a silent edit is an update, not a new article."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, Row, or_, select

from distributor.models import Article, Image
from distributor.store.tables import articles, feed_state


class Change(enum.StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"
    """Another source's article by URL or guid, with different content: not taken over."""


@dataclass(frozen=True, slots=True)
class Recorded:
    article: Article
    change: Change
    version: int


class ArticleStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, batch: Iterable[Article], *, now: datetime | None = None) -> list[Recorded]:
        """Store what is new, note what changed, ignore what was seen before.

        A sighting matches a stored article by canonical URL or by guid, so a feed
        that re-dates or re-orders its items, or adds a URL to a guid-only item,
        does not bring old articles back. Sightings are looked up a few hundred at a
        time and new articles inserted together: a 50,000-item feed is seconds.
        """
        seen_at = now or datetime.now(UTC)
        items = list(batch)
        results: list[Recorded] = []
        with self.engine.begin() as conn:
            for first in range(0, len(items), _CHUNK):
                chunk = items[first : first + _CHUNK]
                known = _Known(_existing(conn, chunk))
                pending: list[dict[str, Any]] = []
                for article in chunk:
                    if known.pending(article):
                        # Seen twice in one chunk: settle the first before the second.
                        _insert(conn, pending)
                        pending = []
                        known = _Known(_existing(conn, [article]))
                    row = known.find(article)
                    values = _values(article)
                    if row is None:
                        pending.append(
                            {
                                **values,
                                "first_seen_at": seen_at,
                                "updated_at": seen_at,
                                "version": 1,
                            }
                        )
                        known.add_pending(article)
                        results.append(Recorded(article, Change.NEW, 1))
                    elif row.content_hash != article.content_hash and (
                        row.source_id != article.source_id
                    ):
                        # A feed cannot rewrite another source's article by reusing its
                        # URL or guid (the two would flip-flop on every run).
                        results.append(Recorded(article, Change.REFUSED, row.version))
                    elif row.content_hash != article.content_hash:
                        version = row.version + 1
                        values.pop("identity")
                        conn.execute(
                            articles.update()
                            .where(articles.c.id == row.id)
                            .values(**values, updated_at=seen_at, version=version)
                        )
                        results.append(Recorded(article, Change.UPDATED, version))
                    else:
                        results.append(Recorded(article, Change.UNCHANGED, row.version))
                _insert(conn, pending)
        return results

    def for_day(self, day: date, tz: ZoneInfo) -> list[Article]:
        """Articles first seen on ``day`` in the publisher's time zone, oldest first."""
        # Midnight to midnight in the zone: 23 or 25 hours on a daylight-saving day.
        start = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
        return self.first_seen_between(start, end)

    def first_seen_between(self, start: datetime, end: datetime) -> list[Article]:
        """Articles first seen in ``[start, end)``, oldest first: one digest edition."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(articles)
                .where(articles.c.first_seen_at >= start, articles.c.first_seen_at < end)
                .order_by(articles.c.first_seen_at, articles.c.id)
            ).all()
        return [_article(r) for r in rows]

    def get(self, identity: str) -> Article | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(articles).where(articles.c.identity == identity)).first()
        return _article(row) if row else None

    def count(self) -> int:
        with self.engine.connect() as conn:
            return len(conn.execute(select(articles.c.id)).all())

    def feed_state(self) -> dict[str, tuple[str | None, str | None]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(feed_state)).all()
        return {r.url: (r.etag, r.last_modified) for r in rows}

    def save_feed_state(
        self, state: dict[str, tuple[str | None, str | None]], *, now: datetime | None = None
    ) -> None:
        checked = now or datetime.now(UTC)
        with self.engine.begin() as conn:
            for url, (etag, modified) in state.items():
                updated = conn.execute(
                    feed_state.update()
                    .where(feed_state.c.url == url)
                    .values(etag=etag, last_modified=modified, checked_at=checked)
                )
                if updated.rowcount == 0:
                    conn.execute(
                        feed_state.insert().values(
                            url=url, etag=etag, last_modified=modified, checked_at=checked
                        )
                    )


_CHUNK = 400  # sightings looked up per query: three IN lists within SQLite's 999 limit


def _existing(conn: Connection, chunk: Sequence[Article]) -> list[Row[Any]]:
    """The stored rows any of ``chunk`` matches, by identity, guid or URL."""
    urls = [a.url for a in chunk if a.url]
    conds = [
        articles.c.identity.in_([a.identity for a in chunk]),
        articles.c.guid.in_([a.guid for a in chunk]),
    ]
    if urls:
        conds.append(articles.c.url.in_(urls))
    query = select(
        articles.c.id, articles.c.identity, articles.c.guid, articles.c.url, articles.c.source_id
    )
    columns = (articles.c.content_hash, articles.c.version)
    return list(conn.execute(query.add_columns(*columns).where(or_(*conds))).all())


class _Known:
    """Stored rows by identity, guid and URL, and what this chunk is about to insert."""

    def __init__(self, rows: Sequence[Row[Any]]) -> None:
        self.by: dict[tuple[str, str], Row[Any]] = {}
        # Earliest id first, as the one-query-per-item lookup with LIMIT 1 found it.
        for row in sorted(rows, key=lambda r: r.id, reverse=True):
            self.by[("identity", row.identity)] = row
            self.by[("guid", row.guid)] = row
            if row.url:
                self.by[("url", row.url)] = row
        self.new: set[tuple[str, str]] = set()

    def find(self, a: Article) -> Row[Any] | None:
        for key in _keys(a):
            if key in self.by:
                return self.by[key]
        return None

    def pending(self, a: Article) -> bool:
        return any(key in self.new for key in _keys(a))

    def add_pending(self, a: Article) -> None:
        self.new.update(_keys(a))


def _keys(a: Article) -> list[tuple[str, str]]:
    keys = [("identity", a.identity), ("guid", a.guid)]
    if a.url:
        keys.append(("url", a.url))
    return keys


def _insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(articles.insert(), rows)


def _values(a: Article) -> dict[str, Any]:
    return {
        "identity": a.identity,
        "guid": a.guid,
        "url": a.url,
        "source_id": a.source_id,
        "title": a.title,
        "body": a.body,
        "html": a.html,
        "image_url": a.image.url if a.image else None,
        "image_alt": a.image.alt if a.image else None,
        "tags": json.dumps(list(a.tags)),
        "byline": a.byline,
        "published_at": a.published_at,
        "content_hash": a.content_hash,
    }


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _article(row: Row[Any]) -> Article:
    image = Image(url=row.image_url, alt=row.image_alt or "") if row.image_url else None
    tags: Sequence[str] = json.loads(row.tags or "[]")
    return Article(
        source_id=row.source_id,
        guid=row.guid,
        title=row.title,
        body=row.body,
        url=row.url,
        published_at=_aware(row.published_at),
        html=row.html,
        image=image,
        tags=tuple(tags),
        byline=row.byline,
    )

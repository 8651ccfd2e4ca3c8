"""Dedup across runs, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from distributor.models import Article, Image
from distributor.store.articles import ArticleStore, Change

LONDON = ZoneInfo("Europe/London")


def _article(n: int, **kw: object) -> Article:
    base = Article(
        source_id="feed.xml",
        guid=f"guid-{n}",
        url=f"https://news.example.org/a/{n}",
        title=f"Article {n}",
        body=f"First paragraph {n}.\n- 40% more things",
        published_at=datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
        image=Image(url=f"https://news.example.org/{n}.jpg", alt="a picture"),
        tags=("health",),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_an_article_is_new_once(engine: Engine) -> None:
    store = ArticleStore(engine)
    first = store.record([_article(1), _article(2)])
    again = store.record([_article(2), _article(1)])
    assert [r.change for r in first] == [Change.NEW, Change.NEW]
    assert [r.change for r in again] == [Change.UNCHANGED, Change.UNCHANGED]
    assert store.count() == 2


def test_redated_feed_item_does_not_come_back(engine: Engine) -> None:
    store = ArticleStore(engine)
    store.record([_article(1)])
    redated = _article(1, published_at=datetime(2026, 11, 28, 7, 0, tzinfo=UTC))
    assert store.record([redated])[0].change is Change.UNCHANGED


def test_silent_edit_is_an_update_not_a_new_article(engine: Engine) -> None:
    store = ArticleStore(engine)
    store.record([_article(1)])
    edited = _article(1, body="First paragraph 1, corrected.\n- 45% more things")
    result = store.record([edited])[0]
    assert (result.change, result.version) == (Change.UPDATED, 2)
    assert store.count() == 1
    stored = store.get(edited.identity)
    assert stored is not None and "corrected" in stored.body


def test_same_guid_with_new_url_is_the_same_article(engine: Engine) -> None:
    store = ArticleStore(engine)
    store.record([_article(1, url=None)])
    assert store.record([_article(1)])[0].change is not Change.NEW
    assert store.count() == 1


def test_round_trip_keeps_every_field(engine: Engine) -> None:
    store = ArticleStore(engine)
    original = _article(7, tags=("defence", "europe"), byline="Prepared by A. Writer")
    store.record([original])
    assert store.get(original.identity) == original


def test_articles_for_a_day_follow_the_publisher_time_zone(engine: Engine) -> None:
    store = ArticleStore(engine)
    # 23:30 UTC on 27 June is 00:30 on 28 June in London (BST).
    store.record([_article(1)], now=datetime(2026, 6, 27, 23, 30, tzinfo=UTC))
    store.record([_article(2)], now=datetime(2026, 6, 27, 22, 30, tzinfo=UTC))
    assert [a.guid for a in store.for_day(date(2026, 6, 28), LONDON)] == ["guid-1"]
    assert [a.guid for a in store.for_day(date(2026, 6, 27), LONDON)] == ["guid-2"]


def test_feed_state_round_trip(engine: Engine) -> None:
    store = ArticleStore(engine)
    store.save_feed_state({"https://example.org/feed": ('"abc"', None)})
    store.save_feed_state({"https://example.org/feed": ('"def"', "Sat, 28 Nov 2026 07:00:00 GMT")})
    assert store.feed_state() == {
        "https://example.org/feed": ('"def"', "Sat, 28 Nov 2026 07:00:00 GMT")
    }


def test_lookups_by_url_use_an_index(engine: Engine) -> None:
    # Without one, a 50,000-item feed took 391 s to store (see the ingest benchmark).
    from sqlalchemy import inspect

    indexed = {tuple(i["column_names"]) for i in inspect(engine).get_indexes("articles")}
    assert any(cols[:1] == ("url",) for cols in indexed), indexed

"""Ingested articles through the real store: new once, re-dated or re-ordered items stay old,
a silent edit is an update. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from distributor.ingest.feeds import parse_feed
from distributor.ingest.sources import read_sources
from distributor.settings import IngestSettings
from distributor.store.articles import ArticleStore, Change
from tests.conftest import EXAMPLES

ITEM = """<item><title>{title}</title><link>https://news.example.org/{slug}</link>
<guid isPermaLink="false">{slug}</guid><pubDate>{date}</pubDate>
<description>{text}</description></item>"""


def rss(*items: str) -> bytes:
    body = "".join(items)
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'
    ).encode()


def item(slug: str, date: str = "Fri, 27 Nov 2026 08:00:00 GMT", text: str = "") -> str:
    return ITEM.format(title=f"Story {slug}", slug=slug, date=date, text=text or f"Body of {slug}.")


def test_reordered_and_redated_feed_brings_nothing_back(engine: Engine) -> None:
    store = ArticleStore(engine)
    first = parse_feed(rss(item("a"), item("b"), item("c")), "feed").articles
    assert [r.change for r in store.record(first)] == [Change.NEW] * 3

    later = "Sun, 29 Nov 2026 12:00:00 GMT"
    again = parse_feed(rss(item("c", later), item("a", later), item("b")), "feed").articles
    assert [r.change for r in store.record(again)] == [Change.UNCHANGED] * 3
    assert store.count() == 3


def test_silent_edit_is_an_update_not_a_new_article(engine: Engine) -> None:
    store = ArticleStore(engine)
    store.record(parse_feed(rss(item("a"), item("b")), "feed").articles)

    edited = parse_feed(rss(item("a", text="Body of a, corrected."), item("b")), "feed").articles
    results = store.record(edited)

    assert [(r.change, r.version) for r in results] == [(Change.UPDATED, 2), (Change.UNCHANGED, 1)]
    assert store.count() == 2
    stored = store.get("https://news.example.org/a")
    assert stored is not None and stored.body == "Body of a, corrected."


def test_example_folder_read_twice_is_new_once_then_an_edit_updates(
    engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for source in EXAMPLES.iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    store = ArticleStore(engine)
    settings = IngestSettings()

    first = store.record(read_sources([str(folder)], settings).articles)
    assert {r.change for r in first} == {Change.NEW} and len(first) == 12

    assert {r.change for r in store.record(read_sources([str(folder)], settings).articles)} == {
        Change.UNCHANGED
    }

    edited = folder / "rail-fares-freeze.txt"
    edited.write_text(edited.read_text(encoding="utf-8").replace("6.4%", "6.5%"), "utf-8")
    changes = store.record(read_sources([str(folder)], settings).articles)
    assert [r.article.guid for r in changes if r.change is Change.UPDATED] == [
        "articles/rail-fares-freeze.txt"
    ]
    assert store.count() == 12


def test_an_unchanged_feed_file_is_not_parsed_again_and_a_changed_one_is(
    engine: Engine, tmp_path: Path
) -> None:
    from distributor.pipeline import phases
    from distributor.settings import Settings

    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(item("a"), item("b")))
    store = ArticleStore(engine)
    settings = Settings()
    first = phases.ingest(settings, store, [str(feed)])
    assert [r.change for r in first.recorded] == [Change.NEW, Change.NEW]
    again = phases.ingest(settings, store, [str(feed)])
    assert again.recorded == [] and again.problems == []  # known by its hash, as a 304
    feed.write_bytes(rss(item("a", text="Body of a, corrected."), item("b"), item("c")))
    changed = phases.ingest(settings, store, [str(feed)])
    assert [r.change for r in changed.recorded] == [Change.UPDATED, Change.UNCHANGED, Change.NEW]


def test_the_same_item_twice_in_one_feed_is_one_article(engine: Engine) -> None:
    store = ArticleStore(engine)
    twice = parse_feed(rss(item("a"), item("b"), item("a", text="Body of a, again.")), "feed")
    results = store.record(twice.articles)
    assert [r.change for r in results] == [Change.NEW, Change.NEW, Change.UPDATED]
    assert store.count() == 2


def test_a_feed_cannot_take_over_another_sources_article(engine: Engine, tmp_path: Path) -> None:
    from distributor.pipeline import phases
    from distributor.settings import Settings

    ours, theirs = tmp_path / "ours.xml", tmp_path / "theirs.xml"
    ours.write_bytes(rss(item("a"), item("b")))
    # Another feed reuses our URL and guid for "a" with its own text.
    theirs.write_bytes(rss(item("a", text="Something else entirely."), item("z")))
    store = ArticleStore(engine)
    phases.ingest(Settings(), store, [str(ours)])
    result = phases.ingest(Settings(), store, [str(theirs)])
    (refused,) = [p for p in result.problems if "another source's article" in p.reason]
    assert "theirs.xml" in refused.source and "news.example.org/a" in refused.reason
    assert store.get("https://news.example.org/z") is not None  # the rest is stored
    for _ in range(2):  # run after run, ours stays ours: no flip-flop
        for feed in (ours, theirs):
            store.record(parse_feed(feed.read_bytes(), str(feed)).articles)
        stored = store.get("https://news.example.org/a")
        assert stored is not None and stored.body == "Body of a."


def test_the_same_article_in_two_feeds_is_one_article_and_no_problem(engine: Engine) -> None:
    store = ArticleStore(engine)
    store.record(parse_feed(rss(item("a")), "all-news").articles)
    again = store.record(parse_feed(rss(item("a")), "health-news").articles)
    assert [r.change for r in again] == [Change.UNCHANGED]

"""The roundup manifest: one ranking shared by the email, social and the site's feed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from distributor.compose.roundup import (
    ROUNDUP_TITLE,
    RoundupOptions,
    build_roundup,
    roundup_json,
    roundup_rss,
)
from distributor.settings import PublisherSettings, Settings, from_mapping
from tests.compose.digest_stories import DAY, sample_stories, story


def ids(items: tuple[object, ...]) -> list[str]:
    return [i.story_id for i in items]  # type: ignore[attr-defined]


def test_split_into_featured_and_more() -> None:
    r = build_roundup(sample_stories(), DAY, RoundupOptions(featured_count=2))
    assert r.title == ROUNDUP_TITLE == "More of Today's Top Breaking Government News"
    assert len(r.featured) == 2 and len(r.more) == 3
    assert r.day == DAY
    scores = [i.score for i in (*r.featured, *r.more)]
    assert scores == sorted(scores, reverse=True)


def test_figures_and_quote_lift_a_story() -> None:
    plain = story(1, hour=9)
    rich = story(2, hour=9, figures=("40% fewer delays",), quote=("It works", "A. Person", None))
    r = build_roundup([plain, rich], DAY, RoundupOptions(featured_count=1))
    assert ids(r.featured) == [rich.id]


def test_newer_stories_rank_higher_by_default() -> None:
    old, new = story(1, hour=1), story(2, hour=20)
    r = build_roundup([old, new], DAY)
    assert ids(r.featured) == [new.id, old.id]
    flat = build_roundup([old, new], DAY, RoundupOptions(recency_weight=0.0))
    assert flat.featured[0].score == flat.featured[1].score
    assert ids(flat.featured) == [new.id, old.id]  # ties go to the newer story


def test_source_and_topic_weights_from_config() -> None:
    settings = from_mapping(
        {"email": {"source_weights": {"parliament": 3}, "topic_weights": {"Health": 2.5}}}
    )
    options = RoundupOptions.from_settings(settings)
    a = story(1, hour=23)
    b = story(2, hour=1, source="parliament")
    c = story(3, hour=2, tags=("health",))
    r = build_roundup([a, b, c], DAY, options)
    assert ids(r.featured) == [b.id, c.id, a.id]


def test_duplicates_listed_once_and_order_is_stable() -> None:
    stories = sample_stories()
    r1 = build_roundup([*stories, stories[0]], DAY)
    r2 = build_roundup(list(reversed(stories)), DAY)
    assert ids(r1.featured) + ids(r1.more) == ids(r2.featured) + ids(r2.more)
    assert len(r1.featured) + len(r1.more) == 5


def test_unsafe_links_are_dropped_from_the_manifest() -> None:
    r = build_roundup([story(1, url="javascript:alert(1)")], DAY)
    assert r.featured[0].url is None


def test_naive_times_count_as_utc() -> None:
    s = story(1)
    naive = story(2)
    object.__setattr__(naive.article, "published_at", datetime(2026, 11, 28, 8, 1))
    aware = build_roundup([s], DAY).featured[0].score
    assert build_roundup([naive], DAY).featured[0].score > 0
    assert s.article.published_at == datetime(2026, 11, 28, 8, 1, tzinfo=UTC)
    assert aware == build_roundup([naive], DAY).featured[0].score


def test_json_manifest() -> None:
    r = build_roundup(sample_stories(), DAY, RoundupOptions(featured_count=2))
    data = json.loads(roundup_json(r))
    assert data["day"] == "2026-11-28"
    assert [i["rank"] for i in data["featured"] + data["more"]] == [1, 2, 3, 4, 5]
    assert data["featured"][0]["headline"] == r.featured[0].headline
    assert data["more"][-1]["url"] is None or data["more"][-1]["url"].startswith("https://")


def test_rss_is_valid_and_escaped() -> None:
    evil = story(9, title='Tax & <b>spend</b> \x00\x1b plan ]]> "quoted"', hour=23)
    r = build_roundup([*sample_stories(), evil], DAY, RoundupOptions(featured_count=2))
    xml = roundup_rss(r, Settings().publisher)
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("link") == "https://news.example.org"
    items = channel.findall("item")
    assert len(items) == 6
    assert items[0].findtext("title") == 'Tax & <b>spend</b> plan ]]> "quoted"'
    assert items[0].findtext("category") == "featured"
    assert items[-1].findtext("category") == "more"
    no_link = [i for i in items if i.find("link") is None]
    assert no_link and all(i.find("guid").get("isPermaLink") == "false" for i in no_link)


def test_rss_language_and_name_from_publisher() -> None:
    publisher = PublisherSettings(name="Civic <Wire>", language="cy-GB")
    xml = roundup_rss(build_roundup(sample_stories(), DAY), publisher)
    channel = ET.fromstring(xml).find("channel")
    assert channel is not None
    assert channel.findtext("language") == "cy-GB"
    assert channel.findtext("title", "").startswith("Civic <Wire>: ")


def test_rss_stays_well_formed_with_noncharacters_in_urls_and_titles() -> None:
    odd = story(
        9, title="Budget \ufffe plan \ufdd0 set", url="https://news.example.org/a\ufffeb", hour=23
    )
    fine = story(10, url="https://news.example.org/fine", hour=22)
    r = build_roundup([odd, fine], DAY, RoundupOptions(featured_count=2))
    root = ET.fromstring(roundup_rss(r, Settings().publisher).encode("utf-8"))  # parses
    items = {i.findtext("title"): i for i in root.iter("item")}
    broken = items["Budget plan set"]
    assert broken.find("link") is None  # a URL with a noncharacter is refused, not written
    assert any(i.findtext("link") == "https://news.example.org/fine" for i in items.values())


def test_equal_scores_go_by_content_never_by_file_order() -> None:
    from dataclasses import replace

    from distributor.models import Figure

    # Undated and equally weighted: before, the order they were read in decided.
    thin = story(1)
    thin = replace(thin, article=replace(thin.article, published_at=None, body="Short note."))
    full = story(2)
    long_body = "The programme sets out measures for every region. " * 20
    full = replace(full, article=replace(full.article, published_at=None, body=long_body))
    more = story(3)
    more = replace(
        more,
        article=replace(more.article, published_at=None, body="Short note."),
        key_figures=(Figure("12 towns", "12", 0, 8), Figure("40 buses", "40", 9, 17)),
    )
    one = story(4)
    one = replace(
        one,
        article=replace(one.article, published_at=None, body="Short note."),
        key_figures=more.key_figures[:1],
    )
    for order in ([thin, full, more, one], [one, more, full, thin], [full, thin, one, more]):
        r = build_roundup(order, DAY, RoundupOptions(recency_weight=0.0))
        ranked = [i.story_id for i in (*r.featured, *r.more)]
        assert ranked[:2] == [more.id, one.id]  # more figures first (same bonus)
        assert ranked[2:] == [full.id, thin.id]  # then the longer body

"""Feeds of every format become articles in the body's shape, with their metadata."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from distributor.errors import SourceError
from distributor.ingest.feeds import parse_feed
from distributor.ingest.sources import read_sources
from distributor.models import Image
from distributor.settings import IngestSettings
from tests.conftest import ROOT

FEEDS = ROOT / "examples" / "feeds"

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://news.example.org/">
    <title>Gov news</title><link>https://news.example.org/</link>
    <description>Announcements</description>
    <items><rdf:Seq><rdf:li rdf:resource="https://news.example.org/a"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://news.example.org/a">
    <title>Ferry subsidy renewed for island routes</title>
    <link>https://news.example.org/a</link>
    <description>Island ferry fares will stay 30% below mainland rates until 2029.</description>
    <dc:date>2026-11-28T10:00:00+01:00</dc:date>
    <dc:subject>transport</dc:subject>
  </item>
</rdf:RDF>
"""


def test_rss2_items_with_html_content_enclosure_and_categories() -> None:
    result = parse_feed((FEEDS / "news.rss").read_bytes(), "news.rss")

    assert result.problems == []
    first, second = result.articles
    assert first.guid == "gnd-2026-11-28-libraries"
    assert first.url == "https://news.example.org/culture/libraries-late-opening"
    assert first.published_at == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    assert first.tags == ("culture", "local services")
    assert first.image == Image(url="https://news.example.org/images/library.jpg")
    assert first.body.split("\n")[:3] == [
        "Public libraries in England will be able to open until 9pm on at least two evenings "
        "a week under an £18 million fund announced today.",
        "The fund",
        "- £18 million in 2027-28",
    ]
    assert first.html is not None and "<li>" in first.html
    # An escaped-HTML description is converted as well.
    assert second.body.split("\n") == [
        "Employers will be able to spend up to 50% of their levy on shorter courses "
        "from April 2027.",
        "The change is expected to fund 40,000 short courses a year.",
    ]


def test_rss1_rdf_items() -> None:
    (article,) = parse_feed(RSS1, "rss1.rdf").articles
    assert article.title == "Ferry subsidy renewed for island routes"
    assert article.url == "https://news.example.org/a"
    assert article.published_at == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    assert article.body == "Island ferry fares will stay 30% below mainland rates until 2029."
    assert article.tags == ("transport",)


def test_atom_entries_html_and_text_content() -> None:
    cycle, parking = parse_feed((FEEDS / "news.atom").read_bytes(), "news.atom").articles
    assert cycle.guid == "urn:uuid:0c1f4f8e-2d7b-4d52-8d3e-3c9a7f1b2e01"
    assert cycle.url == "https://news.example.org/transport/cycle-lanes-fund"
    assert cycle.byline == "Daniel Mbeki"
    assert cycle.published_at == datetime(2026, 11, 28, 7, 45, tzinfo=UTC)
    assert "- Up to 60 schemes funded" in cycle.body.split("\n")
    assert "Key points" in cycle.body.split("\n")
    # No <published>: the updated date stands in; plain text keeps its paragraphs.
    assert parking.published_at == datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert parking.body.split("\n") == [
        "A 12-week consultation on banning pavement parking outside London opened today.",
        "Responses close on 19 February 2027.",
    ]
    assert parking.html is None


def test_json_feed_items() -> None:
    pensions, roads = parse_feed((FEEDS / "news.json").read_bytes(), "news.json").articles
    assert pensions.guid == "gnd-2026-11-28-pensions"
    assert pensions.published_at == datetime(2026, 11, 28, 6, 30, tzinfo=UTC)
    assert pensions.tags == ("pensions", "benefits")
    assert pensions.byline == "Aisha Karim"
    assert pensions.image == Image(url="https://news.example.org/images/pension-letters.jpg")
    assert "- £3,900 average yearly award" in pensions.body.split("\n")
    assert pensions.body.endswith("said Harriet Cole, Minister for Pensions.")
    assert roads.html is None
    assert roads.body.split("\n")[1].startswith("Each authority must publish")


def test_a_bad_json_item_is_reported_and_the_rest_kept() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "items": [
            "not an object",
            {"id": "ok", "title": "Fine", "content_text": "Text."},
            {"id": "bad-date", "title": "X", "content_text": "Y", "date_published": "soon"},
            {"id": "empty"},
        ],
    }
    result = parse_feed(json.dumps(doc).encode(), "feed.json")
    assert [a.guid for a in result.articles] == ["ok"]
    assert [str(p) for p in result.problems] == [
        "feed.json: item 1: an item must be an object",
        "feed.json: item 3: 'date_published' is not an RFC 3339 date: 'soon'",
        "feed.json: item 4: has neither a title nor any content",
    ]


def test_untitled_item_is_named_by_its_first_words_and_id_falls_back_to_link() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1",
        "items": [{"id": "", "url": "https://x.org/1", "content_text": "Short post. " * 20}],
    }
    (article,) = parse_feed(json.dumps(doc).encode(), "f.json").articles
    assert article.guid == "https://x.org/1"
    assert article.title.endswith("…") and len(article.title) <= 91
    assert article.body.startswith(article.title[:-1])


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<html><body><p>Hello</p></body></html>", "not an RSS, Atom or JSON feed"),
        (b"just some words", "not an RSS, Atom or JSON feed"),
        (b'{"items": []}', "not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [1,', "not valid JSON"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "no 'items' list"),
    ],
)
def test_not_a_feed_is_a_clear_error(data: bytes, words: str) -> None:
    with pytest.raises(SourceError) as err:
        parse_feed(data, "https://x.org/feed")
    assert err.value.source == "https://x.org/feed"
    assert words in err.value.reason


def test_feed_files_among_article_files_and_a_broken_one(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<rss version='2.0'><channel><item><title>cut off")
    unknown = tmp_path / "feed.download"
    unknown.write_bytes((FEEDS / "news.atom").read_bytes())

    report = read_sources(
        [str(FEEDS / "news.rss"), str(broken), str(unknown), str(FEEDS / "news.json")],
        IngestSettings(),
    )

    assert len(report.articles) == 6
    assert {a.source_id for a in report.articles} == {
        str(FEEDS / "news.rss"),
        str(unknown),
        str(FEEDS / "news.json"),
    }
    assert [p.source for p in report.problems] == [str(broken)]


RELATIVE_RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Gov news</title><link>https://news.example.org/</link>
<description>Announcements</description>
<item><title>Library hours extended</title><link>/culture/library-hours</link>
<guid isPermaLink="false">lib</guid><description>Open until eight.</description>
<enclosure url="/img/library.jpg" type="image/jpeg" length="1"/></item>
</channel></rss>
"""

RELATIVE_ATOM = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example.org/en/">
<title>Gov news</title><id>urn:gov</id><updated>2026-11-28T09:00:00Z</updated>
<entry><title>Pothole fund doubled</title><id>urn:pothole</id>
<updated>2026-11-28T09:00:00Z</updated><link href="roads/potholes"/>
<summary>Councils can bid from January.</summary></entry>
</feed>
"""


def test_relative_links_in_a_feed_file_resolve_against_the_site_it_names() -> None:
    (article,) = parse_feed(RELATIVE_RSS, "saved.rss").articles
    assert article.url == "https://news.example.org/culture/library-hours"
    assert article.image == Image("https://news.example.org/img/library.jpg")


def test_the_address_the_feed_came_from_comes_before_the_site_it_names() -> None:
    result = parse_feed(RELATIVE_RSS, "feed", base_url="https://mirror.example.net/gov/rss.xml")
    assert result.articles[0].url == "https://mirror.example.net/culture/library-hours"


def test_atom_xml_base_resolves_relative_links() -> None:
    (article,) = parse_feed(RELATIVE_ATOM, "gov.atom").articles
    assert article.url == "https://news.example.org/en/roads/potholes"


def test_json_feed_links_resolve_against_its_home_page_and_otherwise_are_dropped() -> None:
    def feed(**top: str) -> bytes:
        item = {"id": "1", "url": "/a", "image": "pic.png", "content_text": "Text."}
        return json.dumps(
            {"version": "https://jsonfeed.org/version/1.1", "items": [item], **top}
        ).encode()

    (article,) = parse_feed(feed(home_page_url="https://news.example.org/blog/"), "f").articles
    assert article.url == "https://news.example.org/a"
    assert article.image == Image("https://news.example.org/blog/pic.png")
    (lost,) = parse_feed(feed(), "f").articles
    assert lost.url is None  # nothing to resolve it against: it would lead nowhere

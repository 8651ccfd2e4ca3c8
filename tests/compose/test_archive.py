"""The web archive's pages: an edition as anyone may read it (nothing personal, no
tracking), the index newest first, and a valid RSS feed; hostile headlines stay text."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

from distributor import settings as config
from distributor.compose.archive import ArchivedEdition, edition_page, feed, index_page
from distributor.compose.digest import render_digest
from distributor.compose.roundup import build_roundup
from tests.compose.digest_stories import DAY, sample_stories, story

EVIL = '</a><script>alert("x")</script><img src=x onerror=alert(1)> & {{name}} {%n%}'
SETTINGS = config.from_mapping(
    {
        "publisher": {"archive_url": "https://news.example.org/archive"},
        # A short list in the email, so the page's whole list can be told apart.
        "email": {"roundup_max_stories": 2},
    }
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def _stories() -> list:  # type: ignore[type-arg]
    return [*sample_stories(), *(story(n) for n in range(20, 26)), story(99, title=EVIL)]


def test_an_editions_page_is_the_digest_for_no_one_in_particular() -> None:
    stories = _stories()
    roundup = build_roundup(stories, DAY)
    email = render_digest(stories, roundup, SETTINGS, DAY)
    page, summary = edition_page(stories, roundup, SETTINGS, DAY)
    # The email has the reader's placeholders and tracked links; the page has none.
    assert "{{unsubscribe_url}}" in email.html and "utm_" in email.html
    for personal in ("{{", "{%", "unsubscribe", "preferences", "?u=", "utm_", "Hello"):
        assert personal not in page, personal
    # The same stories, rendered by the same templates: every one listed, none cut.
    assert summary.stories == len(stories)
    links = {a.get("href") for t, a in _tags(page) if t == "a"}
    assert all(s.article.url in links for s in stories if s.article.url)
    assert "…and " in email.html and "…and " not in page  # the email's list was cut at 2
    assert {"index.html", "feed.xml"} <= links
    assert summary.subject == email.subject and summary.preheader == email.preheader


def test_hostile_headlines_stay_text_on_the_page_in_the_index_and_in_the_feed() -> None:
    stories = [story(99, title=EVIL)]  # the lead: its headline is the subject
    page, summary = edition_page(stories, build_roundup(stories, DAY), SETTINGS, DAY)
    index = index_page([summary], SETTINGS)
    rss = feed([summary], SETTINGS)
    for html in (page, index):
        tags = _tags(html)
        assert not any(t in ("script", "img") and "onerror" in str(a) for t, a in tags)
        assert not any(t == "script" for t, _ in tags)
        assert "&lt;script&gt;" in html
        assert "{{name}}" not in html and "{%n%}" not in html
    (item,) = ET.fromstring(rss).iter("item")
    title = item.findtext("title") or ""
    assert "<script>" in title  # text in the XML, escaped by the writer: never markup
    assert "<script>" not in rss


def test_the_index_lists_editions_newest_first_and_the_feed_is_valid_rss() -> None:
    editions = [
        ArchivedEdition(
            day=date(2026, 11, 28) + timedelta(days=n),
            subject=f"Edition {n} & more",
            preheader=f"Also today: story {n}.",
            stories=n + 1,
            sent_at=datetime(2026, 11, 28, 7, tzinfo=UTC) + timedelta(days=n),
        )
        for n in (1, 0, 2)
    ]
    index = index_page(editions, SETTINGS)
    pages = [a["href"] for t, a in _tags(index) if t == "a" and str(a["href"]).startswith("2026")]
    assert pages == ["2026-11-30.html", "2026-11-29.html", "2026-11-28.html"]
    assert "Edition 2 &amp; more" in index and "1 story" in index and "3 stories" in index
    assert any(
        t == "link" and a.get("type") == "application/rss+xml" and a.get("href") == "feed.xml"
        for t, a in _tags(index)
    )

    rss = ET.fromstring(feed(editions, SETTINGS))
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    assert channel is not None
    assert channel.findtext("link") == "https://news.example.org/archive"
    items = channel.findall("item")
    assert [i.findtext("link") for i in items] == [
        f"https://news.example.org/archive/2026-11-{d}.html" for d in (30, 29, 28)
    ]
    assert items[0].findtext("title") == "Edition 2 & more"
    assert all(i.findtext("pubDate") and i.findtext("guid") for i in items)

    # Without archive_url there is nowhere to link to: the guid names the edition.
    plain = dataclasses.replace(SETTINGS, publisher=config.PublisherSettings())
    item = ET.fromstring(feed(editions[:1], plain)).find("channel/item")
    assert item is not None and item.find("link") is None
    assert item.findtext("guid") == "edition-2026-11-29"


def test_a_summary_reads_back_as_it_was_written() -> None:
    summary = ArchivedEdition(DAY, "Subject “quoted”", "", 3, datetime(2026, 11, 28, 7, tzinfo=UTC))
    assert ArchivedEdition.from_json(summary.as_json()) == summary

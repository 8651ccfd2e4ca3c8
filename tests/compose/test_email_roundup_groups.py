"""The digest's roundup list: grouped under a heading per source or topic, and cut to
its configured length with a line saying how many more stories the site has."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser

import pytest

from distributor.compose.lint import lint_digest
from distributor.errors import ConfigError
from distributor.models import Digest
from distributor.settings import EmailSettings, PublisherSettings, Settings, from_mapping
from tests.compose.digest_stories import (
    SOURCE_NAMES,
    TRANSPORT,
    grouped_stories,
    many_stories,
    sample_stories,
    story,
)
from tests.compose.test_email_digest import parse, render

ARCHIVE = "https://news.example.org/archive"


def settings(
    archive_url: str = ARCHIVE, url: str = "https://news.example.org", **email: object
) -> Settings:
    options: dict[str, object] = {"featured_count": 2, "source_names": SOURCE_NAMES, **email}
    return dataclasses.replace(
        Settings(),
        email=EmailSettings(**options),  # type: ignore[arg-type]
        publisher=PublisherSettings(url=url, archive_url=archive_url),
    )


class Roundup(HTMLParser):
    """The roundup section as a reader scans it: each heading with the headlines under it
    (a list before any heading is under ""), and the text after the lists."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.groups: list[tuple[str, list[str]]] = []
        self.after = ""
        self._where = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h3":
            self.groups.append(("", []))
        elif tag == "li":
            if not self.groups:
                self.groups.append(("", []))
            self.groups[-1][1].append("")
        elif tag == "p" and self.groups:
            self._where = "after"
            return
        self._where = tag if tag in ("h3", "li") else self._where

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h3", "li", "p"):
            self._where = ""

    def handle_data(self, data: str) -> None:
        if self._where == "h3":
            title, lines = self.groups[-1]
            self.groups[-1] = (title + data, lines)
        elif self._where == "li":
            self.groups[-1][1][-1] += data
        elif self._where == "after":
            self.after += data


def roundup_of(digest: Digest) -> Roundup:
    html = digest.html
    start = html.index('class="dx-card dx-section-roundup"')
    parser = Roundup()
    parser.feed(html[start : html.index("dx-footer-section", start)])
    return parser


def text_roundup(digest: Digest) -> str:
    text = digest.text
    return text[text.index("More of Today's Top Breaking Government News") : text.index("\n--\n")]


# --- grouping -----------------------------------------------------------------------


def test_by_default_the_roundup_is_grouped_by_source_under_the_names_the_editor_gave() -> None:
    digest = render(grouped_stories(), settings(roundup_max_stories=0))
    # Groups come in the order of their best story; each keeps its stories in rank order.
    assert roundup_of(digest).groups == [
        (
            "Department for Transport",
            [
                "Councils can bid for £95 million for cycle lanes",
                "Consultation opens on pavement parking",
            ],
        ),
        (
            "Environment Agency",
            [
                "Survey maps 1,800 km of eroding coastline",
                "Beavers licensed for release on the River Otter",
            ],
        ),
        (
            "Department of Health and Social Care",
            [
                "Rural dental practices to share £50 million",
                "Flu vaccine offered to all over-50s from October",
            ],
        ),
    ]
    # The text twin has the same headings over the same headlines.
    text = text_roundup(digest)
    transport = text.index("Department for Transport\n------------------------\n")
    environment = text.index("Environment Agency\n------------------\n")
    health = text.index("Department of Health and Social Care\n")
    assert transport < environment < health
    assert transport < text.index("- Consultation opens on pavement parking") < environment
    assert health < text.index("- Flu vaccine offered to all over-50s from October")
    assert lint_digest(digest) == []


def test_a_source_without_a_name_is_headed_by_its_feeds_host() -> None:
    stories = [
        *grouped_stories(),
        story(
            20,
            title="Tax credits renewal deadline",
            source="https://www.hmrc.example/news.rss",
            hour=1,
        ),
    ]
    digest = render(stories, settings(roundup_max_stories=0, source_names={}))
    titles = [title for title, _ in roundup_of(digest).groups]
    assert titles == ["gov.uk", "hmrc.example"]


def test_topic_grouping_uses_each_storys_first_tag_and_lists_the_untagged_last() -> None:
    digest = render(grouped_stories(), settings(roundup_group="topic", roundup_max_stories=0))
    assert roundup_of(digest).groups == [
        ("Transport", ["Councils can bid for £95 million for cycle lanes"]),
        (
            "Environment",
            [
                "Survey maps 1,800 km of eroding coastline",
                "Beavers licensed for release on the River Otter",
            ],
        ),
        # "Health" and "health" are one topic.
        (
            "Health",
            [
                "Rural dental practices to share £50 million",
                "Flu vaccine offered to all over-50s from October",
            ],
        ),
        ("Other news", ["Consultation opens on pavement parking"]),
    ]
    text = text_roundup(digest)
    assert text.index("Health\n------\n") < text.index("Other news\n----------\n")


@pytest.mark.parametrize(
    "how, stories",
    [
        ("none", grouped_stories()),  # grouping switched off
        ("source", sample_stories()),  # a day from one source
        ("topic", [story(i, hour=i) for i in range(1, 6)]),  # no story has a tag
    ],
)
def test_a_list_that_would_have_one_heading_has_none(how: str, stories: list) -> None:
    digest = render(stories, settings(roundup_group=how, featured_count=1))
    groups = roundup_of(digest).groups
    assert [title for title, _ in groups] == [""]
    assert len(groups[0][1]) == len(stories) - 1
    assert "---\n" not in text_roundup(digest).split("=\n", 1)[1]


def test_a_card_the_size_budget_turns_into_a_line_joins_its_group() -> None:
    full = render(grouped_stories(), settings(roundup_max_stories=0))
    tight = settings(roundup_max_stories=0, max_html_bytes=len(full.html.encode()) - 500)
    digest = render(grouped_stories(), tight)
    assert digest.html.count('class="dx-card dx-section-story"') == 1
    transport = dict(roundup_of(digest).groups)["Department of Health and Social Care"]
    assert transport[0] == "Waiting lists fall for a sixth month in a row"


# --- the "more" line --------------------------------------------------------------------


def test_a_cut_list_says_how_many_more_and_links_to_the_archive() -> None:
    digest = render(grouped_stories(), settings(roundup_max_stories=4))
    roundup = roundup_of(digest)
    # The best four of the six roundup stories, still grouped.
    assert sum(len(lines) for _, lines in roundup.groups) == 4
    assert "Beavers licensed for release on the River Otter" not in digest.html
    assert roundup.after == "…and 2 more stories at news.example.org"
    links = [a["href"] for t, a in parse(digest.html).tags if t == "a"]
    assert ARCHIVE in links
    assert "…and 2 more stories at https://news.example.org/archive\n" in digest.text
    # The greeting and subject still count every story; the email lists the ones it shows.
    assert "here are today's 8 new stories" in digest.html
    assert "+ 7 more" in digest.subject
    assert len(digest.story_ids) == 6
    assert lint_digest(digest) == []


def test_one_story_left_out_is_one_more_story_and_the_site_stands_in_for_the_archive() -> None:
    digest = render(grouped_stories(), settings(archive_url="", roundup_max_stories=5))
    assert roundup_of(digest).after == "…and 1 more story at news.example.org"
    assert '<a href="https://news.example.org">news.example.org</a>' in digest.html
    assert "…and 1 more story at https://news.example.org\n" in digest.text


def test_without_a_site_the_more_line_only_counts() -> None:
    digest = render(grouped_stories(), settings(archive_url="", url="", roundup_max_stories=3))
    assert roundup_of(digest).after == "…and 3 more stories"
    assert "\n…and 3 more stories\n" in digest.text


def test_a_list_within_its_length_has_no_more_line() -> None:
    digest = render(grouped_stories(), settings(roundup_max_stories=6))
    assert roundup_of(digest).after == ""
    assert "more stor" not in text_roundup(digest)


# --- untrusted text and size ------------------------------------------------------------

EVIL = "</h3><mj-raw><script>x()</script></mj-raw><img src=x onerror=x()>{{name}}"


@pytest.mark.parametrize("how", ["source", "topic"])
def test_a_hostile_source_name_topic_or_headline_in_the_roundup_stays_text(how: str) -> None:
    stories = [
        *grouped_stories()[:3],
        story(30, title=EVIL, source="https://evil.example/feed", tags=(EVIL,), hour=2),
        story(31, title="Ordinary headline", source=TRANSPORT, tags=("transport",), hour=1),
    ]
    names = {**SOURCE_NAMES, "https://evil.example/feed": EVIL}
    digest = render(stories, settings(roundup_group=how, source_names=names))
    parsed = parse(digest.html)
    assert "<script" not in digest.html.lower()
    assert not any(t in ("script", "mj-raw") for t, _ in parsed.tags)
    assert not any("onerror" in a for _, a in parsed.tags)
    roundup = roundup_of(digest)
    assert (EVIL, [EVIL]) in roundup.groups
    # Article text never forms the placeholder the email channel fills per reader.
    assert digest.html.count("{{name}}") == 1 and digest.text.count("{{name}}") == 1
    text = text_roundup(digest)
    assert "{ {name} }" in text and text.count("</h3><mj-raw><script>") == 2
    assert lint_digest(digest) == []


def test_a_busy_day_grouped_by_topic_stays_under_the_size_limit() -> None:
    topics = ("health", "transport", "housing", "schools", "energy", "justice", "defence")
    stories = [
        dataclasses.replace(
            s, article=dataclasses.replace(s.article, tags=(topics[i % len(topics)],))
        )
        for i, s in enumerate(many_stories(120))
    ]
    budget = EmailSettings().max_html_bytes
    digest = render(stories, settings(roundup_group="topic", featured_count=8))
    assert len(digest.html.encode("utf-8")) <= budget
    assert len(roundup_of(digest).groups) == len(topics)
    assert roundup_of(digest).after == "…and 87 more stories at news.example.org"
    assert "{{unsubscribe_url}}" in digest.html  # the footer is not clipped
    assert lint_digest(digest, max_bytes=budget) == []


def test_a_list_cut_by_both_its_length_and_the_size_budget_counts_every_story_left_out() -> None:
    stories = [story(i, hour=8 + i % 12) for i in range(1, 401)]
    budget = 60_000
    digest = render(
        stories, settings(featured_count=3, roundup_max_stories=300, max_html_bytes=budget)
    )
    listed = len(digest.story_ids)
    assert listed < 3 + 300  # the size budget cut further than the length did
    assert len(digest.html.encode("utf-8")) <= budget
    assert f"…and {400 - listed} more stories at" in roundup_of(digest).after


def test_a_wrong_grouping_or_length_in_the_config_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"email\.roundup_group.*'source', 'topic', 'none'"):
        from_mapping({"email": {"roundup_group": "department"}}, path="d.toml")
    with pytest.raises(ConfigError, match=r"email\.roundup_max_stories.*0 \(no limit\)"):
        from_mapping({"email": {"roundup_max_stories": -1}}, path="d.toml")

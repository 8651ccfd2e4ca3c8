"""The digest's masthead: the publisher's logo, or its name set as type, over the date."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

from distributor.compose.digest import long_date
from distributor.compose.lint import lint_digest
from distributor.settings import EmailSettings, PublisherSettings, Settings
from tests.compose.digest_stories import sample_stories, story
from tests.compose.test_email_digest import parse, render, with_email

LOGO = "https://cdn.example.org/civic-wire-logo.png"


def header(html: str) -> str:
    """The header section's HTML (up to the first story card)."""
    start = html.index('class="dx-card dx-section-header"')
    return html[start : html.index("dx-section-story", start)]


class _Within(HTMLParser):
    def __init__(self, tag: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tag, self.depth, self.found = tag, 0, list[str]()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == self.tag:
            self.depth += 1
            self.found.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self.tag:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.found[-1] += data


def text_of(tag: str, html: str) -> list[str]:
    """The visible text of each ``<tag>`` element, in order."""
    parser = _Within(tag)
    parser.feed(html)
    return parser.found


def test_without_a_logo_the_masthead_is_the_name_over_the_editions_date() -> None:
    # A day without pictures: the default email loads no image at all.
    digest = render([story(1, title="Rail fares frozen")])
    assert not [a for t, a in parse(digest.html).tags if t == "img"]
    top = header(digest.html)
    assert text_of("h1", digest.html) == ["Government News Daily"]
    assert '<a href="https://news.example.org"' in top  # the name leads to the site
    # One date per edition: the header's is the subject's and the digest's own.
    date = long_date(digest.day)
    assert f">{date}</p>" in top
    assert digest.subject.endswith(f"– {date}")
    assert digest.text.startswith(f"Government News Daily\n{date}\n")


def test_the_masthead_uses_the_brand_name_and_works_without_a_site() -> None:
    settings = dataclasses.replace(
        Settings(),
        email=EmailSettings(brand_name="Civic Wire"),
        publisher=PublisherSettings(url=""),
    )
    digest = render(sample_stories(), settings)
    assert text_of("h1", digest.html) == ["Civic Wire"]
    assert "<h1" in header(digest.html) and "<a href" not in header(digest.html)
    assert digest.text.startswith("Civic Wire\n28 November 2026\n")


def test_with_a_logo_the_header_shows_it_sized_and_named_for_every_client() -> None:
    digest = render(sample_stories(), with_email(logo_url=LOGO, logo_width=180, logo_height=45))
    top = header(digest.html)
    logo = next(a for t, a in parse(top).tags if t == "img")
    assert logo["src"] == LOGO
    # Alt text is the publisher's name: what a reader sees where images are blocked.
    assert logo["alt"] == "Government News Daily"
    # Width and height in pixels, so Outlook does not draw the file at its own size.
    assert (logo["width"], logo["height"]) == ("180", "45")
    assert "width:100%" in (logo["style"] or "") and "height:45px" in (logo["style"] or "")
    link = next(a for t, a in parse(top).tags if t == "a")
    assert link["href"] == "https://news.example.org"
    # The logo replaces the name set as type; the date stays under it.
    assert "<h1" not in top
    assert ">28 November 2026</p>" in top
    assert digest.text.startswith("Government News Daily\n28 November 2026\n")
    assert lint_digest(digest) == []


def test_a_logo_wider_than_the_email_is_scaled_down_in_proportion() -> None:
    digest = render(sample_stories(), with_email(logo_url=LOGO, logo_width=1200, logo_height=300))
    logo = next(a for t, a in parse(header(digest.html)).tags if t == "img")
    assert (logo["width"], logo["height"]) == ("552", "138")


def test_a_logo_that_is_not_a_web_address_leaves_the_masthead_as_type() -> None:
    digest = render(sample_stories(), with_email(logo_url="javascript:alert(1)"))
    assert "javascript:" not in digest.html
    assert text_of("h1", digest.html) == ["Government News Daily"]


def test_dark_mode_keeps_a_light_plate_behind_the_logo() -> None:
    # A logo drawn for a white page would vanish on a dark card: the plate behind it
    # keeps the light card colour when the rest of the email turns dark.
    digest = render(
        sample_stories(), with_email(logo_url=LOGO, card_color="#fdfdfd", dark_card_color="#101010")
    )
    plate = re.search(r'<td class="dx-logo-plate" style="([^"]*)"', digest.html)
    assert plate and "background-color:#fdfdfd" in plate.group(1)
    dark = digest.html[digest.html.index("prefers-color-scheme: dark") :]
    assert ".dx-card .dx-logo-plate { background-color: #fdfdfd !important; }" in dark


def test_a_hostile_brand_name_stays_text_in_the_masthead_and_the_logos_alt() -> None:
    evil = '<img src=x onerror="alert(1)"> {{unsubscribe_url}}'
    for logo in ("", LOGO):
        digest = render(sample_stories(), with_email(brand_name=evil, logo_url=logo))
        parsed = parse(header(digest.html))
        assert not any("onerror" in a for _, a in parsed.tags)
        assert evil in ("".join(parsed.text) + str([a.get("alt") for _, a in parsed.tags]))
        assert digest.html.count("{{unsubscribe_url}}") == 1  # only the footer's link
        assert digest.text.count("{{unsubscribe_url}}") == 1

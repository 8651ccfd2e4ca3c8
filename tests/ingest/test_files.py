"""Article files: the house plain-text shape, Markdown with front matter, and their errors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from distributor.errors import SourceError
from distributor.ingest.files import markdown_inline, read_article_file
from distributor.ingest.sources import read_sources
from distributor.models import Image
from distributor.settings import IngestSettings
from tests.conftest import EXAMPLES

HOUSE = """Ministers confirm £40m for village halls

By Jo Bright, Communities Reporter

Published: 3 March 2026

Village halls in England will share £40 million for repairs, the department said
today, with grants of up to £25,000 each.

What the money covers
- £40 million over two years
- Up to £25,000 per hall
  for roofs, heating and access

"Halls are where villages meet," said Ann Lee, Minister for Communities.

Sources: Department announcement
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_house_shape_becomes_one_block_per_line(tmp_path: Path) -> None:
    article = read_article_file(write(tmp_path, "halls.txt", HOUSE), root=tmp_path)

    assert article.title == "Ministers confirm £40m for village halls"
    assert article.byline == "Jo Bright, Communities Reporter"
    assert article.published_at == datetime(2026, 3, 3, tzinfo=UTC)
    assert article.body.split("\n") == [
        "Village halls in England will share £40 million for repairs, the department said "
        "today, with grants of up to £25,000 each.",
        "What the money covers",
        "- £40 million over two years",
        "- Up to £25,000 per hall for roofs, heating and access",
        '"Halls are where villages meet," said Ann Lee, Minister for Communities.',
        "Sources: Department announcement",
    ]
    assert article.guid == f"{tmp_path.name}/halls.txt"
    assert article.url is None


def test_byline_may_close_the_article(tmp_path: Path) -> None:
    text = "A title\n\nFirst paragraph.\n\nBy Sam Green, Reporter\n\nSources: a report\n"
    article = read_article_file(write(tmp_path, "a.txt", text))
    assert article.byline == "Sam Green, Reporter"
    assert "By Sam" not in article.body


def test_a_sentence_starting_with_by_stays_in_the_body(tmp_path: Path) -> None:
    text = "A title\n\nBy 2030 every school will have a nurse.\n"
    article = read_article_file(write(tmp_path, "a.txt", text))
    assert article.byline is None
    assert article.body == "By 2030 every school will have a nurse."


def test_a_heading_is_not_swallowed_by_the_next_paragraph(tmp_path: Path) -> None:
    text = "Title\n\nWho benefits\nSmall firms in England.\n"
    article = read_article_file(write(tmp_path, "a.txt", text))
    assert article.body.split("\n") == ["Who benefits", "Small firms in England."]


def test_empty_first_line_is_reported_on_line_one(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as err:
        read_article_file(write(tmp_path, "a.txt", "\nBody first.\n"))
    assert err.value.line == 1
    assert "title" in str(err.value)


def test_unreadable_date_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as err:
        read_article_file(write(tmp_path, "a.txt", "Title\n\nPublished: someday soon\n\nBody.\n"))
    assert err.value.line == 3
    assert "someday soon" in str(err.value)


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("Date: 07/07/2021", date(2021, 7, 7)),
        ("Date: 25/12/2021", date(2021, 12, 25)),
        ("Date: 12/25/2021", date(2021, 12, 25)),
        ("Published: Wednesday 7 July 2021", date(2021, 7, 7)),
        ("Published: Tue, Nov 4, 2025", date(2025, 11, 4)),
    ],
)
def test_a_date_written_one_way_only_is_read(tmp_path: Path, line: str, day: date) -> None:
    article = read_article_file(write(tmp_path, "a.txt", f"Title\n\n{line}\n\nBody.\n"))
    assert article.published_at is not None
    assert article.published_at.date() == day


def test_a_day_and_month_that_could_be_either_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as err:
        read_article_file(write(tmp_path, "a.txt", "Title\n\nDate: 03/04/2021\n\nBody.\n"))
    assert err.value.line == 3
    assert "March or April" in str(err.value)


def test_a_url_line_gives_the_articles_page(tmp_path: Path) -> None:
    text = "Title\n\nPublished: 3 March 2026\nURL: https://news.example.org/halls\n\nBody.\n"
    article = read_article_file(write(tmp_path, "a.txt", text))
    assert article.url == "https://news.example.org/halls"
    assert article.identity == "https://news.example.org/halls"
    assert article.body == "Body."


@pytest.mark.parametrize(
    "wrapped",
    [
        # The recipient's address rides along in a Safe Links "data" parameter.
        "https://nam04.safelinks.protection.outlook.com/?url=https%3A%2F%2Fnews.example.org"
        "%2Fhalls&data=02%7C01%7Cjane.roe%40example.com%7Cb45d&reserved=0",
        "https://www.google.com/url?q=https://news.example.org/halls&sa=D&ust=1",
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fnews.example.org%2Fhalls&h=AT0",
    ],
)
def test_a_redirect_wrapped_url_gives_the_page_itself(tmp_path: Path, wrapped: str) -> None:
    article = read_article_file(write(tmp_path, "a.txt", f"Title\nURL: {wrapped}\n\nBody.\n"))
    assert article.url == "https://news.example.org/halls"


@pytest.mark.parametrize(
    ("tracked", "page"),
    [
        (
            "https://news.example.org/halls?utm_medium=email&utm_source=govdelivery#/0",
            "https://news.example.org/halls#/0",
        ),
        # What picks the page stays; the click ids go.
        (
            "https://news.example.org/item?id=42&fbclid=IwAR0x&gclid=abc&page=2",
            "https://news.example.org/item?id=42&page=2",
        ),
        ("https://news.example.org/item?lang=cy", "https://news.example.org/item?lang=cy"),
        # The root's dot after the host name is the same page.
        ("https://news.example.org./item", "https://news.example.org/item"),
        ("https://news.example.org.:8080/item", "https://news.example.org:8080/item"),
    ],
)
def test_tracking_parameters_are_dropped_from_the_articles_page(
    tmp_path: Path, tracked: str, page: str
) -> None:
    article = read_article_file(write(tmp_path, "a.txt", f"Title\nURL: {tracked}\n\nBody.\n"))
    assert article.url == page


def test_an_accent_typed_for_an_apostrophe_is_one(tmp_path: Path) -> None:
    text = "Minister meets Thailand´s Finance Minister\n\nThe minister`s visit went well.\n"
    article = read_article_file(write(tmp_path, "a.txt", text))
    assert article.title == "Minister meets Thailand’s Finance Minister"
    assert article.body == "The minister’s visit went well."


def test_a_url_line_that_is_not_a_web_address_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as err:
        read_article_file(write(tmp_path, "a.txt", "Title\n\nURL: halls.html\n\nBody.\n"))
    assert err.value.line == 3
    assert "halls.html" in str(err.value) and "https://" in str(err.value)


def test_a_url_in_the_middle_of_the_article_stays_text(tmp_path: Path) -> None:
    text = (
        "Title\n\nOne.\n\nTwo.\n\nThree.\n\nFour.\n\nLink: https://x.example/a\n\n"
        "Five.\n\nSix.\n\nSeven.\n"
    )
    article = read_article_file(write(tmp_path, "a.txt", text))
    assert article.url is None and "Link: https://x.example/a" in article.body


def test_non_utf8_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\xe9 reopens\n\nBody.\n".encode("latin-1"))
    with pytest.raises(SourceError, match="UTF-8"):
        read_article_file(path)


MARKDOWN = """---
title: Free breakfast clubs expand
url: https://news.example.org/breakfast
date: 2026-11-28T09:30:00+01:00
tags: [education, schools]
image:
  url: https://news.example.org/b.jpg
  alt: Pupils at breakfast
author: Hannah Okafor
---

# Free breakfast clubs expand

Every primary school can offer a **free** breakfast club, the
[Department](https://example.org/dfe) said, at *no cost* to `parents`.

## Money

* £315 million a year
1. 750,000 pupils
"""


def test_markdown_front_matter_and_inline_syntax(tmp_path: Path) -> None:
    article = read_article_file(write(tmp_path, "b.md", MARKDOWN), root=tmp_path)

    assert article.title == "Free breakfast clubs expand"
    assert article.url == "https://news.example.org/breakfast"
    assert article.identity == "https://news.example.org/breakfast"
    assert article.published_at == datetime(2026, 11, 28, 8, 30, tzinfo=UTC)
    assert article.tags == ("education", "schools")
    assert article.image == Image(url="https://news.example.org/b.jpg", alt="Pupils at breakfast")
    assert article.byline == "Hannah Okafor"
    assert article.body.split("\n") == [
        "Every primary school can offer a free breakfast club, the Department said, "
        "at no cost to parents.",
        "Money",
        "- £315 million a year",
        "- 750,000 pupils",
    ]


def test_markdown_without_front_matter_takes_the_first_heading(tmp_path: Path) -> None:
    article = read_article_file(write(tmp_path, "c.md", "Plain title\n===\n\nText here.\n"))
    assert article.title == "Plain title"
    assert article.body == "Text here."


@pytest.mark.parametrize(
    ("inline", "plain"),
    [
        ("[a link](https://x.org) and ![img](https://x.org/i.png)", "a link and"),
        ("**bold**, __strong__, *em*, _em_ and ~~gone~~", "bold, strong, em, em and gone"),
        ("snake_case_name stays", "snake_case_name stays"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("`**code**` is literal", "**code** is literal"),
        ("Fish &amp; chips \\*not emphasis\\*", "Fish & chips *not emphasis*"),
        ("a <b>tag</b> <script>alert(1)</script>gone", "a tag gone"),
        ("see <https://example.org/x>", "see https://example.org/x"),
    ],
)
def test_markdown_inline_to_plain_text(inline: str, plain: str) -> None:
    assert markdown_inline(inline) == plain


@pytest.mark.parametrize(
    ("front", "line", "words"),
    [
        ("title: [unclosed\n", 2, "not valid YAML"),
        ("title: ok\nurl: news/item\n", 3, "'url'"),
        ("title: ok\n\ndate: next week\n", 4, "'date'"),
        ("title: ok\ntags: {a: 1}\n", 3, "'tags'"),
        ("title: ok\nimage: 12\n", 3, "'image'"),
        ("- just\n- a list\n", 2, "mapping"),
    ],
)
def test_bad_front_matter_names_the_line(tmp_path: Path, front: str, line: int, words: str) -> None:
    path = write(tmp_path, "bad.md", f"---\n{front}---\n\nBody.\n")
    with pytest.raises(SourceError) as err:
        read_article_file(path)
    assert err.value.line == line, str(err.value)
    assert words in err.value.reason
    assert str(err.value).startswith(f"{path}:{line}: ")


def test_unclosed_front_matter_points_at_its_opening(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as err:
        read_article_file(write(tmp_path, "open.md", "---\ntitle: x\n\nBody.\n"))
    assert err.value.line == 1
    assert "never closed" in err.value.reason


def test_broken_file_among_good_ones_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    write(tmp_path, "news/a.txt", "First\n\nBody one.\n")
    write(tmp_path, "news/sub/b.md", "---\ntitle: Second\n---\nBody two.\n")
    write(tmp_path, "news/c.md", "---\ntitle: [\n---\nBody.\n")
    write(tmp_path, "news/.hidden.txt", "Hidden\n\nNot an article.\n")
    write(tmp_path, "news/notes.csv", "not,an,article\n")

    report = read_sources([str(tmp_path / "news"), str(tmp_path / "missing")], IngestSettings())

    assert [a.title for a in report.articles] == ["First", "Second"]
    assert [a.guid for a in report.articles] == ["news/a.txt", "news/sub/b.md"]
    assert [(p.source, p.line) for p in report.problems] == [
        (str(tmp_path / "news" / "c.md"), 2),
        (str(tmp_path / "missing"), None),
    ]


def test_every_example_article_reads_in_the_house_shape() -> None:
    report = read_sources([str(EXAMPLES)], IngestSettings())

    assert report.problems == []
    assert len(report.articles) >= 12
    for article in report.articles:
        assert article.title and article.byline and article.published_at
        lines = article.body.split("\n")
        assert any(ln.startswith("- ") for ln in lines), article.guid
        assert any(ln.startswith("Sources: ") for ln in lines), article.guid
        assert "**" not in article.body and "](" not in article.body
    assert len({a.identity for a in report.articles}) == len(report.articles)
    # Every example names its page, so the digest and threads can link to it.
    assert all(a.url and a.url.startswith("https://") for a in report.articles)


def test_a_file_over_the_size_cap_is_refused_and_the_rest_read(tmp_path: Path) -> None:
    write(tmp_path, "news/small.txt", "Small\n\nBody.\n")
    write(tmp_path, "news/big.txt", "Big\n\n" + "Words. " * 200)
    report = read_sources([str(tmp_path / "news")], IngestSettings(max_bytes=500))
    assert [a.title for a in report.articles] == ["Small"]
    (problem,) = report.problems
    assert problem.source == str(tmp_path / "news" / "big.txt")
    assert "ingest.max_bytes (500 bytes)" in problem.reason


@pytest.mark.parametrize("shape", ["![a](", "[a](", "![", "<a b='", "<http://a"])
def test_pathological_markdown_is_read_in_linear_time(shape: str) -> None:
    import time

    from distributor.ingest.files import parse_markdown

    text = "---\ntitle: t\n---\n\n" + shape * (1_000_000 // len(shape))  # 1 MB
    started = time.process_time()
    parse_markdown(text, "f.md", source_id="s", guid="g")
    assert time.process_time() - started < 1.0


def test_characters_that_print_as_nothing_are_dropped(tmp_path: Path) -> None:
    text = "Flood\u00adwarnings lifted\n\nSign up on GOV.\u200bUK for COVID-\u206019 news.\ufeff\n"
    article = read_article_file(write(tmp_path, "a.txt", text))
    assert article.title == "Floodwarnings lifted"
    # A word joiner keeps "COVID-19" on one line: it stays.
    assert article.body == "Sign up on GOV.UK for COVID-\u206019 news."


def test_a_title_of_characters_that_print_as_nothing_is_no_title(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        read_article_file(write(tmp_path, "a.txt", "\u00ad\u200b\n\nBody.\n"))
    assert caught.value.line == 1 and "title" in str(caught.value)
    with pytest.raises(SourceError) as heading:
        read_article_file(write(tmp_path, "b.md", "Intro line.\n\n# \u00ad\n\nBody.\n"))
    assert heading.value.line == 3 and "title" in str(heading.value)

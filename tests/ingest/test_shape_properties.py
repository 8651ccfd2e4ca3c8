"""Whatever a file holds, a reader gives an article in the body's shape or a located error."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from distributor.errors import SourceError
from distributor.ingest.files import markdown_inline, parse_house_text, parse_markdown

LINES = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
        st.sampled_from(["", "- item", "  continued", "By A Writer", "Published: 2026-01-02",
                         "## Heading", "---", "* star", "1. one", "> quote", "```"]),
    ),
    max_size=12,
)  # fmt: skip


def assert_shape(body: str) -> None:
    if not body:
        return  # a headline alone is an article with no body
    for line in body.split("\n"):
        assert line, "no empty blocks"
        assert line == line.strip(), "blocks are trimmed"
        assert "\n" not in line and "\r" not in line


@given(LINES)
def test_house_text_is_shaped_or_a_located_error(lines: list[str]) -> None:
    try:
        article = parse_house_text("\n".join(lines), "f.txt", source_id="s", guid="g")
    except SourceError as exc:
        assert exc.source == "f.txt" and exc.line is not None
        return
    assert article.title and "\n" not in article.title
    assert_shape(article.body)


@given(LINES)
def test_markdown_is_shaped_or_a_located_error(lines: list[str]) -> None:
    try:
        article = parse_markdown("\n".join(lines), "f.md", source_id="s", guid="g")
    except SourceError as exc:
        assert exc.source == "f.md" and exc.line is not None and exc.line >= 1
        return
    assert article.title
    assert_shape(article.body)


@given(st.text(alphabet=st.characters(whitelist_categories=("L", "N", "Zs")), max_size=60))
def test_words_without_markup_pass_through_inline_conversion(words: str) -> None:
    assert markdown_inline(words) == " ".join(words.split())

"""No input makes extraction raise, and every span it reports indexes the body exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from distributor.extract import extract, sentences
from tests.extract.helpers import article, assert_grounded

_PIECES = st.sampled_from(
    [
        "“",
        "”",
        "‘",
        "’",
        '"',
        "'",
        "«",
        "»",
        "„",
        "&ldquo;",
        "&rdquo;",
        "&quot;",
        " said ",
        " she said. ",
        ", said Dr Jane Doe MP, the Minister for Schools.",
        ":",
        "\n",
        "\n- ",
        "£1.5bn",
        "12 per cent",
        "2024-25",
        "G7",
        "Covid-19",
        " – ",
        "…",
        "...",
        "Mr.",
        "e.g.",
        "Rt Hon",
        "By Sam Lee, 41",
        "Sources: ONS",
        "<p>",
        "</p>",
        "&amp;",
        "\x00",
        "\ufeff",
        "Nguyễn Thị Lan",
        "доход 5%",
        "١٢٣",
        "3 in 10",
        " doubled ",
        "9am",
        "0300 123 4567",
        "The Minister said:",
        "We will act.",
        " ",
        "A",
        ".",
        "?",
        "\t",
        "\r",
    ]
)
_BODIES = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=80).map("".join),
    st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
)


@settings(max_examples=400, deadline=None)
@given(body=_BODIES, title=st.text(max_size=80))
def test_extraction_never_raises_and_every_span_matches_the_body(body: str, title: str) -> None:
    result = extract(article(body, title))
    assert_grounded(result)
    assert len(result.key_figures) <= 6
    assert "\n" not in result.headline


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=40).map("".join))
def test_sentence_spans_index_the_text(text: str) -> None:
    for span in sentences.split(text, 0):
        assert text[span.start : span.end] == span.text
        assert span.text.strip() == span.text


@settings(max_examples=30, deadline=None)
@given(paragraph=st.text(min_size=1, max_size=200))
def test_huge_bodies_do_not_raise(paragraph: str) -> None:
    body = "\n".join([paragraph] * 300)
    assert_grounded(extract(article(body)))


def test_no_quote_is_reported_that_is_not_in_the_body() -> None:
    body = "“We will build,” said Ana Ruiz.\n“And we will finish,” she added."
    result = extract(article(body))
    for q in (result.quote, *result.other_quotes):
        assert q is not None
        for s in q.segments:
            assert s.text in body


_PLAIN_WORDS = st.sampled_from(
    [
        "the",
        "minister",
        "said",
        "that",
        "we",
        "will",
        "build",
        "300",
        "homes",
        "she",
        "added",
        "council",
        "£5m",
        "per",
        "cent",
        "Jane",
        "Doe",
        "Sir",
        "Dr",
        "MP",
        "told",
        "reporters",
        "today",
        "and",
        "our",
        "plan",
        "is",
        "working",
        "said:",
        "2024-25",
        "G7",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.lists(_PLAIN_WORDS, min_size=1, max_size=30).map(" ".join), min_size=1, max_size=8
    )
)
def test_text_without_marks_or_a_said_line_never_yields_a_quote(lines: list[str]) -> None:
    # Without quote marks, only a line ending "said:" may introduce a quote.
    body = "\n".join(line.replace(":", "") + "." for line in lines)
    result = extract(article(body))
    assert result.quote is None
    assert result.other_quotes == ()


_SPAN = st.tuples(st.integers(0, 400), st.integers(1, 120)).map(lambda t: (t[0], t[0] + t[1]))


@settings(max_examples=300, deadline=None)
@given(ranges=st.lists(_SPAN, max_size=30), unit=_SPAN)
def test_the_quote_ranges_a_sentence_touches_are_every_one_that_overlaps_it(
    ranges: list[tuple[int, int]], unit: tuple[int, int]
) -> None:
    # Figures ask which quote spans a sentence touches, sorted once per article for speed;
    # the answer must be the overlapping spans, nested and overlapping ones included.
    from distributor.extract.figures import _Ranges

    start, end = unit
    expected = sorted(r for r in ranges if r[0] < end and start < r[1])
    assert sorted(_Ranges(ranges).touching(start, end)) == expected

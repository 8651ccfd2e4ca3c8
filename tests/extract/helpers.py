"""Building articles for extraction tests."""

from __future__ import annotations

from distributor.extract import extract
from distributor.extract.quotes import join_segments
from distributor.models import Article, Story


def article(body: str, title: str = "A story") -> Article:
    return Article(source_id="tests", guid="t.txt", title=title, body=body)


def story(*lines: str, title: str = "A story") -> Story:
    return extract(article("\n".join(lines), title))


def assert_grounded(result: Story) -> None:
    body = result.article.body
    for f in result.key_figures:
        assert body[f.start : f.end] == f.text
        assert f.value in f.text
    for q in (result.quote, *result.other_quotes):
        if q is None:
            continue
        for s in q.segments:
            assert body[s.start : s.end] == s.text
        assert q.text == join_segments(q.segments, body)

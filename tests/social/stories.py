"""Hand-made stories for the social tests, written for these tests only."""

from __future__ import annotations

from distributor.models import Article, Figure, Quote, Span, Story

LINK = "https://www.gov.uk/news/2026/11/rail-fares-frozen-for-another-year"


# Every story's first body line and summary: what a thread with nothing else to post says.
# The lede of the stories below says the headline again: a thread does not post it.
LEDE = "Rail fares in England have been frozen for another year, the government said."
# One that says more than the headline: a thread posts it after the headline.
NEWS = "The government said on Friday that rail fares in England will not rise."


def make_story(
    *,
    title: str = "Rail fares frozen for another year",
    figures: tuple[tuple[str, str, float], ...] = (
        ("Regulated fares will stay at 2025 prices until March 2027.", "2027", 0.9),
        ("About 1.4 million season-ticket holders are affected.", "1.4 million", 0.95),
    ),
    quote: str
    | None = "This freeze puts money back in passengers' pockets. We will keep it there.",
    speaker: str | None = "Alex Morgan",
    role: str | None = "Transport Secretary",
    quote_confidence: float = 0.9,
    url: str | None = LINK,
    guid: str = "rail-fares",
    lede: str = LEDE,
) -> Story:
    """A story whose figures and quote are real spans of its own body."""
    lines = [lede]
    spans: list[Figure] = []
    for text, value, confidence in figures:
        start = len("\n".join(lines)) + 1
        lines.append(text)
        spans.append(Figure(text, value, start, start + len(text), confidence))
    q: Quote | None = None
    if quote is not None:
        prefix = "“"
        start = len("\n".join(lines)) + 1 + len(prefix)
        who = f" said {speaker}." if speaker else ""
        lines.append(f"{prefix}{quote}”{who}")
        q = Quote(quote, speaker, role, (Span(quote, start, start + len(quote)),), quote_confidence)
    body = "\n".join(lines)
    for f in spans:
        assert body[f.start : f.end] == f.text
    if q is not None:
        seg = q.segments[0]
        assert body[seg.start : seg.end] == seg.text
    article = Article(source_id="test", guid=guid, title=title, body=body, url=url)
    return Story(
        article=article, headline=title, summary=lines[0], key_figures=tuple(spans), quote=q
    )

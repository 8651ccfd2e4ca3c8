"""Threads composed per second, per network, on one core (target: 2,000 stories/s).

The stories are written here: a headline (some longer than a post), a link, two or three
key figures, and a quote of one to nine sentences with its speaker, so the composer
shortens, packs and splits as it does on a real day. The roundup post is timed too.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from distributor.compose.threads import compose_roundup_post, compose_thread
from distributor.models import Article, Figure, Quote, Roundup, RoundupItem, Span, Story
from distributor.settings import Settings
from distributor.text import BlueskyRule, LengthRule, MastodonRule, XRule

TARGET = 2000.0
STORIES = 400
ROUNDS = 10

_TOPICS = ["rail fares", "school labs", "flood defences", "hospital beds", "bus routes"]
_SENTENCE = "The {topic} plan will be reviewed in {year}, and councils will report each quarter."


def _story(i: int) -> Story:
    topic = _TOPICS[i % len(_TOPICS)]
    headline = f"Government sets out new {topic} plan for {2026 + i % 3}"
    if i % 7 == 0:
        headline += " with " + ", ".join(f"measure {n} for the regions" for n in range(12))
    figures_text = [
        f"Spending on {topic} rises by {3 + i % 9}.{i % 10}% to £{1 + i % 40}.{i % 9} billion.",
        f"About {(i % 90 + 10) * 1000:,} people are expected to benefit by {2027 + i % 3}.",
        f"Waiting times fell from {20 + i % 30} weeks to {5 + i % 10} weeks.",
    ][: 2 + i % 2]
    quote_text = " ".join(_SENTENCE.format(topic=topic, year=2027 + n) for n in range(1 + i % 9))
    lines = [f"The department announced the {topic} plan on Monday.", *figures_text]
    body = "\n".join([*lines, f"“{quote_text}” said the minister."])
    figures = []
    pos = len(lines[0]) + 1
    for text in figures_text:
        figures.append(Figure(text, text.split()[-1], pos, pos + len(text), 0.9))
        pos += len(text) + 1
    q_start = pos + 1
    quote = Quote(
        quote_text,
        "Sam Patel",
        "Minister for Local Growth",
        (Span(quote_text, q_start, q_start + len(quote_text)),),
        0.9,
    )
    article = Article(
        source_id="bench",
        guid=f"story-{i}",
        title=headline,
        body=body,
        url=f"https://www.gov.uk/government/news/{topic.replace(' ', '-')}-{i}",
    )
    return Story(article, headline, lines[0], tuple(figures), quote)


def _per_second(rule: LengthRule, stories: list[Story], settings: Settings) -> tuple[float, int]:
    best = 0.0
    posts = 0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        posts = sum(len(compose_thread(s, rule, settings).posts) for s in stories)
        elapsed = time.perf_counter() - start
        best = max(best, len(stories) / elapsed)
    return best, posts


def run() -> list[dict[str, Any]]:
    settings = Settings()
    stories = [_story(i) for i in range(STORIES)]
    figures: list[dict[str, Any]] = []
    for rule in (XRule(), BlueskyRule(), MastodonRule()):
        rate, posts = _per_second(rule, stories, settings)
        figures.append(
            {
                "name": f"threads_per_second_{rule.network}",
                "value": round(rate),
                "unit": "stories/s",
                "target": TARGET,
                "posts_per_story": round(posts / len(stories), 2),
            }
        )
    items = tuple(RoundupItem(s.id, s.headline, s.article.url) for s in stories[:40])
    roundup = Roundup(date(2026, 11, 28), "More", (), items)
    start = time.perf_counter()
    for _ in range(50):
        compose_roundup_post(roundup, XRule(), settings)
    figures.append(
        {
            "name": "roundup_post_x_40_headlines",
            "value": round((time.perf_counter() - start) / 50 * 1000, 2),
            "unit": "ms",
        }
    )
    return figures

"""The day's roundup manifest: the stories ranked once, split into featured and the rest.

The email's sections, the social roundup post and the preview all read this one
manifest, so the channels never disagree about what led the day. It is also written
as JSON and as an RSS 2.0 feed the publisher's site can serve.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import regex

from distributor.compose.safe import clean_inline, safe_url
from distributor.models import Roundup, RoundupItem, Story
from distributor.settings import PublisherSettings, Settings

ROUNDUP_TITLE = "More of Today's Top Breaking Government News"


@dataclass(frozen=True)
class RoundupOptions:
    """How the day's stories are ranked.

    score = source weight × topic weight × (1 + recency + figures bonus + quote bonus),
    where recency = ``recency_weight`` halving every ``recency_half_life_hours`` before
    the end of the day. A story without a publication time counts as a day old.
    """

    featured_count: int = 8
    source_weights: Mapping[str, float] = field(default_factory=dict)
    topic_weights: Mapping[str, float] = field(default_factory=dict)
    recency_weight: float = 1.0
    recency_half_life_hours: float = 12.0
    figures_bonus: float = 0.25
    quote_bonus: float = 0.25
    timezone: str = "Europe/London"
    title: str = ROUNDUP_TITLE

    @classmethod
    def from_settings(cls, settings: Settings) -> RoundupOptions:
        e = settings.email
        return cls(
            featured_count=e.featured_count,
            source_weights=dict(e.source_weights),
            topic_weights={k.casefold(): v for k, v in e.topic_weights.items()},
            recency_weight=e.recency_weight,
            recency_half_life_hours=e.recency_half_life_hours,
            figures_bonus=e.figures_bonus,
            quote_bonus=e.quote_bonus,
            timezone=settings.publisher.timezone,
            title=e.roundup_title,
        )


def score(story: Story, day: date, options: RoundupOptions) -> float:
    """The story's ranking score for ``day`` (higher ranks first)."""
    article = story.article
    weight = options.source_weights.get(article.source_id, 1.0)
    topics = {k.casefold(): v for k, v in options.topic_weights.items()}
    tag_weights = [topics[t.casefold()] for t in article.tags if t.casefold() in topics]
    if tag_weights:
        weight *= max(tag_weights)
    end_of_day = datetime.combine(day + timedelta(days=1), time(), ZoneInfo(options.timezone))
    if article.published_at is None:
        age_hours = 24.0
    else:
        published = article.published_at
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        age_hours = max(0.0, (end_of_day - published).total_seconds() / 3600)
    recency = options.recency_weight * math.pow(0.5, age_hours / options.recency_half_life_hours)
    bonus = (options.figures_bonus if story.key_figures else 0.0) + (
        options.quote_bonus if story.quote is not None else 0.0
    )
    return round(weight * (1.0 + recency + bonus), 6)


def _substance(story: Story) -> tuple[int, int, int]:
    """What a story carries, for ordering equal scores (negated: more comes first)."""
    return (
        -len(story.key_figures),
        -(story.quote is not None),
        -len(story.article.body.split()),
    )


def build_roundup(
    stories: Sequence[Story], day: date, options: RoundupOptions | None = None
) -> Roundup:
    """Rank the day's stories and split them into featured and "more"."""
    options = options or RoundupOptions()
    seen: set[str] = set()
    scored: list[tuple[float, float, str, Story]] = []
    for story in stories:
        if story.id in seen:
            continue
        seen.add(story.id)
        published = story.article.published_at
        stamp = (
            0.0
            if published is None
            else (published if published.tzinfo else published.replace(tzinfo=UTC)).timestamp()
        )
        scored.append((score(story, day, options), stamp, story.id, story))
    # Equal scores are told apart by content (more key figures, a quote, a longer body),
    # then the newer story, then the id: never by the order the files came in.
    scored.sort(key=lambda s: (-s[0], *_substance(s[3]), -s[1], s[2]))
    items = tuple(
        RoundupItem(
            story_id=story.id,
            headline=clean_inline(story.headline) or clean_inline(story.article.title),
            url=safe_url(story.article.url),
            score=value,
        )
        for value, _, _, story in scored
    )
    n = max(0, options.featured_count)
    return Roundup(day=day, title=options.title, featured=items[:n], more=items[n:])


def roundup_json(roundup: Roundup) -> str:
    """The manifest as JSON: ``{"day", "title", "featured": [...], "more": [...]}``."""

    def item(rank: int, it: RoundupItem) -> dict[str, object]:
        return {
            "rank": rank,
            "story_id": it.story_id,
            "headline": it.headline,
            "url": it.url,
            "score": it.score,
        }

    data = {
        "day": roundup.day.isoformat(),
        "title": roundup.title,
        "featured": [item(i, it) for i, it in enumerate(roundup.featured, 1)],
        "more": [item(i, it) for i, it in enumerate(roundup.more, len(roundup.featured) + 1)],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


_NONCHARACTER = regex.compile(r"\p{Noncharacter_Code_Point}", regex.V1)
_SPACES = re.compile(" {2,}")


def xml_text(value: str) -> str:
    """Drop what XML 1.0 cannot carry at all (control characters, surrogates,
    noncharacters such as U+FFFE), and the double space a dropped one leaves."""
    kept = "".join(
        ch
        for ch in clean_inline(value)
        if unicodedata.category(ch) != "Cs" and not _NONCHARACTER.match(ch)
    )
    return _SPACES.sub(" ", kept)


def roundup_rss(roundup: Roundup, publisher: PublisherSettings) -> str:
    """The manifest as an RSS 2.0 feed, featured stories first."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    day_text = f"{roundup.day.day} {roundup.day:%B %Y}"
    ET.SubElement(channel, "title").text = xml_text(f"{publisher.name}: {roundup.title}")
    ET.SubElement(channel, "link").text = xml_text(safe_url(publisher.url) or "")
    ET.SubElement(channel, "description").text = xml_text(
        f"The day's top government news stories from {publisher.name}, {day_text}."
    )
    ET.SubElement(channel, "language").text = xml_text(publisher.language)
    built = datetime.combine(roundup.day, time(), ZoneInfo(publisher.timezone))
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(built)
    for section, items in (("featured", roundup.featured), ("more", roundup.more)):
        for it in items:
            entry = ET.SubElement(channel, "item")
            ET.SubElement(entry, "title").text = xml_text(it.headline)
            # Every value goes through xml_text, a link through safe_url first too.
            url = xml_text(safe_url(it.url) or "")
            if url:
                ET.SubElement(entry, "link").text = url
                ET.SubElement(entry, "guid", {"isPermaLink": "true"}).text = url
            else:
                ET.SubElement(entry, "guid", {"isPermaLink": "false"}).text = xml_text(it.story_id)
            ET.SubElement(entry, "category").text = xml_text(section)
    return rss_text(rss)


def rss_text(rss: ET.Element) -> str:
    """An RSS document as the text of its file, with its XML declaration."""
    ET.indent(rss)
    body = ET.tostring(rss, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"

"""The ordered phases of one run: ingest, extract, compose.

Each phase takes the previous one's output and nothing else, so a phase can be run
(and tested) on its own: ``preview`` stops after compose, ``run`` goes on to plan and
dispatch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from distributor.errors import SourceError
from distributor.extract import extract
from distributor.ingest.sources import read_sources
from distributor.models import Article, Digest, Roundup, Story, Thread
from distributor.settings import Settings
from distributor.store.articles import ArticleStore, Recorded


@dataclass
class Ingested:
    recorded: list[Recorded]
    problems: list[SourceError]

    def count(self, change: str) -> int:
        return sum(1 for r in self.recorded if r.change == change)


@dataclass
class Composed:
    day: date
    stories: list[Story]
    roundup: Roundup
    digest: Digest | None
    threads: dict[str, list[Thread]] = field(default_factory=dict)
    roundup_posts: dict[str, Thread] = field(default_factory=dict)


def ingest(
    settings: Settings, store: ArticleStore, sources: Sequence[str] | None = None
) -> Ingested:
    """Read every source; a broken one is reported and the others go on."""
    specs = (
        list(sources) if sources else [str(settings.resolve(s)) for s in settings.ingest.sources]
    )
    report = read_sources(specs, settings.ingest, feed_state=store.feed_state())
    recorded = store.record(report.articles)
    if report.feed_state:
        store.save_feed_state(report.feed_state)
    return Ingested(recorded=recorded, problems=list(report.problems))


def extract_all(articles: Sequence[Article]) -> list[Story]:
    return [extract(a) for a in articles]


def publisher_tz(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.publisher.timezone)

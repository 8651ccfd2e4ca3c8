"""The ordered phases of one run: ingest, select, extract, compose, write.

Each phase takes the previous one's output and nothing else, so a phase can be run
(and tested) on its own. The day is assembled from them in one place,
:mod:`distributor.pipeline.day`, for ``run`` and every preview.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from distributor import progress
from distributor.compose.day_files import day_files
from distributor.compose.digest import render_digest
from distributor.compose.roundup import RoundupOptions, build_roundup
from distributor.compose.threads import (
    ThreadPlan,
    compose_roundup_post,
    compose_thread,
    threads_within_budget,
)
from distributor.errors import SourceError
from distributor.extract import extract
from distributor.ingest.sources import read_sources
from distributor.models import Article, Digest, Roundup, Story, Thread
from distributor.settings import Settings
from distributor.store.articles import ArticleStore, Change, Recorded
from distributor.text import LengthRule, rule_for

if TYPE_CHECKING:
    from distributor.pipeline.day import Edition

log = logging.getLogger(__name__)


@dataclass
class Ingested:
    recorded: list[Recorded]
    problems: list[SourceError]

    def count(self, change: Change) -> int:
        return sum(1 for r in self.recorded if r.change == change)


@dataclass
class Composed:
    day: date
    stories: list[Story]
    roundup: Roundup
    digest: Digest | None
    threads: dict[str, list[Thread]] = field(default_factory=dict)
    """Per network, one thread per story."""
    roundup_posts: dict[str, Thread] = field(default_factory=dict)
    plans: dict[str, ThreadPlan] = field(default_factory=dict)
    """Per network, what the posting budget allowed and left for the roundup post."""
    rules: dict[str, LengthRule] = field(default_factory=dict)
    """Per network, the length rule its posts were composed with."""
    edition: Edition | None = None
    """The digest's edition (its day and why that one), when a digest was assembled."""
    digest_roundup: Roundup | None = None
    """The digest's own ranking: the edition's day can be tomorrow."""


def source_specs(settings: Settings, sources: Sequence[str] | None) -> list[str]:
    """``--source`` values as given; configured sources relative to the working directory."""
    if sources:
        return list(sources)
    return [s if "://" in s else str(settings.resolve(s)) for s in settings.ingest.sources]


def ingest(
    settings: Settings,
    store: ArticleStore,
    sources: Sequence[str] | None = None,
    *,
    now: datetime | None = None,
) -> Ingested:
    """Read every source; a broken one is reported and the others go on."""
    report = read_sources(
        source_specs(settings, sources), settings.ingest, feed_state=store.feed_state()
    )
    recorded = store.record(report.articles, now=now)
    if report.feed_state:
        store.save_feed_state(report.feed_state)
    problems = list(report.problems)
    for r in recorded:
        if r.change is Change.REFUSED:
            problems.append(
                SourceError(
                    r.article.source_id,
                    f"{r.article.identity}: this URL or guid is another source's article; "
                    "its text was not replaced",
                )
            )
    return Ingested(recorded=recorded, problems=problems)


def read_only(settings: Settings, sources: Sequence[str] | None = None) -> Ingested:
    """Ingest without storing: what ``preview`` shows, every article as new."""
    report = read_sources(source_specs(settings, sources), settings.ingest)
    recorded = [Recorded(a, Change.NEW, 1) for a in report.articles]
    return Ingested(recorded=recorded, problems=list(report.problems))


def extract_each(
    articles: Sequence[Article],
) -> tuple[list[tuple[Article, Story]], list[SourceError]]:
    """Each article's story; one that extraction cannot read is reported by name and the
    others go on (extraction is built never to raise: this is the last guard)."""
    done: list[tuple[Article, Story]] = []
    problems: list[SourceError] = []
    for count, article in enumerate(articles, 1):
        try:
            done.append((article, extract(article)))
        except Exception as exc:
            problems.append(
                SourceError(article.path or article.guid, f"could not extract: {exc!r}")
            )
        progress.advance("extracting", count, len(articles))
    return done, problems


def extract_all(
    articles: Sequence[Article], problems: list[SourceError] | None = None
) -> list[Story]:
    """The stories of ``articles``; failures go to ``problems`` (when given) or the log."""
    done, failed = extract_each(articles)
    if problems is not None:
        problems.extend(failed)
    for problem in failed if problems is None else ():
        log.warning("%s", problem)
    return [story for _, story in done]


def publisher_tz(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.publisher.timezone)


def rank(stories: Sequence[Story], settings: Settings, day: date) -> Roundup:
    """The day's roundup manifest: every channel reads the same ranking."""
    return build_roundup(stories, day, RoundupOptions.from_settings(settings))


def compose_digest(
    stories: Sequence[Story], roundup: Roundup, settings: Settings, day: date
) -> Digest | None:
    return render_digest(stories, roundup, settings, day) if stories else None


def compose_social(
    stories: Sequence[Story],
    settings: Settings,
    day: date,
    *,
    networks: Sequence[str] | None = None,
    posts_used: Mapping[str, tuple[int, int]] | None = None,
    rules: Mapping[str, LengthRule] | None = None,
    threaded: Mapping[str, Collection[str]] | None = None,
) -> Composed:
    """The day's roundup, threads and roundup posts; no digest.

    Featured stories get a thread on every configured network, best first, while the
    network's posting budget lasts (``posts_used``: network -> posts already planned
    today and this month; ``threaded``: network -> stories whose thread is among
    them); the rest, and whatever the budget leaves out, go in that network's
    roundup post. ``rules`` override a network's default length rule (a Mastodon
    instance's own limit, say). ``networks``: whose threads (default ``[social] networks``).
    """
    roundup = rank(stories, settings, day)
    composed = Composed(day=day, stories=list(stories), roundup=roundup, digest=None)
    if not stories:
        return composed
    by_id = {s.id: s for s in stories}
    featured = [by_id[i.story_id] for i in roundup.featured if i.story_id in by_id]
    items = {i.story_id: i for i in roundup.featured}
    for network in settings.social.networks if networks is None else networks:
        rule = (rules or {}).get(network) or rule_for(network)
        today, month = (posts_used or {}).get(network, (0, 0))
        # A story whose thread is already planned keeps it (its posts are in
        # ``posts_used``); only the others compete for what is left of the budget.
        done = set((threaded or {}).get(network, ()))
        fresh = [s for s in featured if s.id not in done]
        plan = threads_within_budget(fresh, rule, settings, used_today=today, used_this_month=month)
        kept = {s.id: compose_thread(s, rule, settings) for s in featured if s.id in done}
        new = {t.story_id: t for t in plan.threads}
        composed.threads[network] = [
            kept.get(s.id) or new[s.id] for s in featured if s.id in kept or s.id in new
        ]
        composed.plans[network] = plan
        composed.rules[network] = rule
        left_out = [items[s.id] for s in plan.to_roundup]
        if roundup.more or left_out:
            composed.roundup_posts[network] = compose_roundup_post(
                roundup, rule, settings, extra=left_out
            )
    return composed


def preview_files(composed: Composed, settings: Settings) -> dict[str, str]:
    """Everything composed for the day as files an editor can open, keyed by relative path."""
    return day_files(
        composed.day,
        digest=composed.digest,
        threads=composed.threads,
        roundup_posts=composed.roundup_posts,
        roundup=composed.roundup,
        publisher=settings.publisher,
        subscribers=settings.subscribers,
        email=settings.email,
        why=composed.edition.why if composed.edition else None,
    )

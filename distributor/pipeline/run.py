"""One run of the main job: ingest, extract, compose, then hand each channel its share.

This is the orchestration the ``run`` command and the scheduled worker share. The
files channel (the embedded default) receives the day's preview: digest, threads and
roundup as files under the output folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Engine

from distributor.channels import registry
from distributor.channels.base import Channel
from distributor.errors import ChannelError, SourceError
from distributor.models import Delivery, DeliveryKind
from distributor.pipeline import phases
from distributor.settings import Settings
from distributor.store.articles import ArticleStore, Change


@dataclass
class RunReport:
    day: date
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    stories: int = 0
    problems: list[SourceError] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    subject: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "stories": self.stories,
            "subject": self.subject,
            "written": self.written,
            "problems": [str(p) for p in self.problems],
            "failures": self.failures,
        }


def channels_for(settings: Settings) -> dict[str, Channel]:
    """Every configured channel, built and validated before anything is read."""
    return {name: registry.get(name)(settings) for name in settings.delivery.channels}


def run(
    settings: Settings,
    engine: Engine,
    *,
    sources: Sequence[str] | None = None,
    now: datetime | None = None,
) -> RunReport:
    moment = now or datetime.now(UTC)
    day = moment.astimezone(phases.publisher_tz(settings)).date()
    channels = channels_for(settings)
    store = ArticleStore(engine)
    ingested = phases.ingest(settings, store, sources)
    report = RunReport(
        day=day,
        new=ingested.count(Change.NEW),
        updated=ingested.count(Change.UPDATED),
        unchanged=ingested.count(Change.UNCHANGED),
        problems=ingested.problems,
    )
    articles = store.for_day(day, phases.publisher_tz(settings))
    stories = phases.extract_all(articles)
    composed = phases.compose(stories, settings, day)
    report.stories = len(stories)
    report.subject = composed.digest.subject if composed.digest else None
    if "files" in channels:
        files = phases.preview_files(composed, settings)
        delivery = Delivery(
            channel="files",
            kind=DeliveryKind.PREVIEW,
            idempotency_key=f"files:preview:{day.isoformat()}:{_hash(files)}",
            due_at=moment,
            payload={"files": files},
            subject_id=day.isoformat(),
        )
        try:
            result = channels["files"].deliver(delivery)
            report.written.extend(str(p) for p in result.detail.get("written", []))  # type: ignore[attr-defined]
        except ChannelError as exc:
            report.failures.append(f"files: {exc}")
    return report


def _hash(files: dict[str, str]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode())
        h.update(files[name].encode())
    return h.hexdigest()[:16]

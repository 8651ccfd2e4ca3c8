"""The web archive, written when an edition goes out.

After a delivery round in which an edition's digest row was sent (fanned out into its
batches: ``run``, the worker and ``send digest`` all deliver through
:func:`distributor.pipeline.run.deliver_due`), :func:`publish` writes the page of every
edition of the last :data:`RECENT_DAYS` days that went out and has none yet, then the
index and the feed. An edition's page shows the stories its email covered (the span of
first sightings its digest row records), extracted, ranked and rendered as the email
was, for no one in particular (:mod:`distributor.compose.archive`).

It is idempotent: a page once written is kept (``rebuild`` writes them all again, after
a change of templates, say), the index and the feed are rebuilt from the pages'
summaries and written only when they change, and every file is replaced whole.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from distributor.channels.files import write_file
from distributor.compose.archive import (
    FEED,
    INDEX,
    ArchivedEdition,
    edition_page,
    feed,
    index_page,
    page_name,
    summary_name,
)
from distributor.models import Article, DeliveryState
from distributor.pipeline import phases
from distributor.schedule.times import local_day
from distributor.settings import Settings
from distributor.store.articles import ArticleStore
from distributor.store.editions import EditionRow, edition_rows, sent_editions

log = logging.getLogger(__name__)

RECENT_DAYS = 7
"""How far back a send looks for editions without a page (one a crash left out)."""


@dataclass
class ArchiveReport:
    folder: Path | None
    pages: list[date] = field(default_factory=list)
    """The editions whose page was written."""
    written: list[str] = field(default_factory=list)
    """Every file written (pages, summaries, index, feed)."""
    editions: int = 0
    """The editions the index lists."""
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder) if self.folder else None,
            "pages": [d.isoformat() for d in self.pages],
            "written": self.written,
            "editions": self.editions,
            "problems": self.problems,
        }


def archive_folder(settings: Settings) -> Path | None:
    """Where the archive is written: ``[archive] dir``, under ``[output] dir`` when it is
    relative; None when it is empty."""
    if not settings.archive.dir:
        return None
    return settings.resolve(settings.output.dir) / settings.archive.dir


def publish(
    settings: Settings, engine: Engine, *, since: date | None = None, rebuild: bool = False
) -> ArchiveReport:
    """Write the page of every edition that went out (since ``since``) and has none
    (``rebuild``: every one again), then the index and the feed."""
    folder = archive_folder(settings)
    report = ArchiveReport(folder)
    if folder is None:
        return report
    for day in reversed(sent_editions(engine, first=since)):
        page, summary = folder / page_name(day), folder / summary_name(day)
        if not rebuild and page.is_file() and summary.is_file():
            continue
        made = _edition(settings, engine, day)
        if made is None:
            report.problems.append(f"the {day} edition: none of its stories is stored any more")
            continue
        html, archived = made
        write_file(page, html)
        write_file(summary, archived.as_json())
        report.pages.append(day)
        report.written += [str(page), str(summary)]
    editions = _archived(folder, report.problems)
    report.editions = len(editions)
    if not editions:
        return report  # no page: no folder, no empty index
    for name, text in ((INDEX, index_page(editions, settings)), (FEED, feed(editions, settings))):
        target = folder / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            write_file(target, text)
            report.written.append(str(target))
    return report


def after_send(settings: Settings, engine: Engine, now: datetime | None = None) -> None:
    """:func:`publish` for the editions of the last :data:`RECENT_DAYS`, after a round
    that sent one. A failure is logged: the archive never holds up a delivery."""
    if not settings.archive.dir:
        return
    since = local_day(now or datetime.now(UTC), settings) - timedelta(days=RECENT_DAYS)
    try:
        report = publish(settings, engine, since=since)
    except Exception:
        log.exception("archive: could not write the pages of the editions sent")
        return
    for problem in report.problems:
        log.warning("archive: %s", problem)
    if report.written:
        log.info("archive: wrote %s", ", ".join(report.written))


def _edition(settings: Settings, engine: Engine, day: date) -> tuple[str, ArchivedEdition] | None:
    rows = edition_rows(engine, day)
    sent = [r for r in rows if r.state == DeliveryState.SENT] or rows
    stories = phases.extract_all(_articles(engine, sent))
    if not stories:
        return None
    roundup = phases.rank(stories, settings, day)
    return edition_page(stories, roundup, settings, day, sent_at=sent[0].sent_at)


def _articles(engine: Engine, rows: list[EditionRow]) -> list[Article]:
    """The articles the edition covered: those first seen in the span its digest row
    records, as when it was planned; for a row planned before spans were recorded, the
    stories it lists."""
    store = ArticleStore(engine)
    for row in rows:
        start, end = row.payload.get("covers_from"), row.payload.get("covers_until")
        if isinstance(start, str) and isinstance(end, str):
            return store.first_seen_between(
                datetime.fromisoformat(start), datetime.fromisoformat(end)
            )
    ids = rows[0].payload.get("story_ids") if rows else None
    return [a for i in ids or () if isinstance(i, str) and (a := store.get(i)) is not None]


def _archived(folder: Path, problems: list[str]) -> list[ArchivedEdition]:
    """Every edition the folder holds a page and a summary of."""
    found: list[ArchivedEdition] = []
    for summary in sorted(folder.glob("????-??-??.json")):
        if not summary.with_suffix(".html").is_file():
            continue
        try:
            found.append(ArchivedEdition.from_json(summary.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            problems.append(f"{summary.name} is not an edition's summary ({exc}); left out")
    return found

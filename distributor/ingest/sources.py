"""Read every configured source into articles; a broken source is reported, never fatal.

A spec is an article file, a folder of article files (searched recursively), a feed
file, or an http(s) feed URL. Each source is read on its own: whatever goes wrong with
one becomes a :class:`SourceError` in the report, and the others are still read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from distributor.errors import SourceError
from distributor.ingest.files import ARTICLE_SUFFIXES, read_article_file
from distributor.models import Article
from distributor.settings import IngestSettings

__all__ = [
    "ARTICLE_SUFFIXES",
    "FeedValidators",
    "IngestReport",
    "read_article_file",
    "read_sources",
]

FeedValidators = tuple[str | None, str | None]


@dataclass
class IngestReport:
    articles: list[Article] = field(default_factory=list)
    problems: list[SourceError] = field(default_factory=list)
    feed_state: dict[str, FeedValidators] = field(default_factory=dict)
    """For each feed URL fetched: the (ETag, Last-Modified) to send next time."""


def read_sources(
    specs: Sequence[str],
    settings: IngestSettings,
    feed_state: Mapping[str, FeedValidators] | None = None,
) -> IngestReport:
    report = IngestReport()
    for spec in specs:
        try:
            _read_path(Path(spec), report)
        except SourceError as exc:
            report.problems.append(exc)
    return report


def _read_path(path: Path, report: IngestReport) -> None:
    if not path.exists():
        raise SourceError(str(path), "no such file or folder; check the path or --source")
    if path.is_dir():
        for file in article_files(path):
            try:
                report.articles.append(read_article_file(file, root=path))
            except SourceError as exc:
                report.problems.append(exc)
        return
    report.articles.append(read_article_file(path))


def article_files(folder: Path) -> list[Path]:
    """Article files below ``folder`` in a stable order; hidden files and folders skipped."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in ARTICLE_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )

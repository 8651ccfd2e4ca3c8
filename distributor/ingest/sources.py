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
from distributor.ingest.feeds import FEED_SUFFIXES, FeedResult, parse_feed
from distributor.ingest.files import ARTICLE_SUFFIXES, read_article_file
from distributor.ingest.http import fetch, is_url
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
    known = feed_state or {}
    for spec in specs:
        try:
            if is_url(spec):
                _read_url(spec, settings, known.get(spec, (None, None)), report)
            else:
                _read_path(Path(spec), settings, report)
        except SourceError as exc:
            report.problems.append(exc)
    return report


def _read_url(
    url: str, settings: IngestSettings, validators: FeedValidators, report: IngestReport
) -> None:
    fetched = fetch(url, settings, validators)
    if fetched.not_modified:
        report.feed_state[url] = validators
        return
    _add(
        report,
        parse_feed(
            fetched.data, url, content_type=fetched.content_type, base_url=fetched.url or url
        ),
    )
    # Validators are saved only once the feed parsed, so a bad answer is fetched again.
    report.feed_state[url] = (fetched.etag, fetched.last_modified)


def _add(report: IngestReport, result: FeedResult) -> None:
    report.articles.extend(result.articles)
    report.problems.extend(result.problems)


def _read_path(path: Path, settings: IngestSettings, report: IngestReport) -> None:
    if not path.exists():
        raise SourceError(str(path), "no such file or folder; check the path or --source")
    if path.is_dir():
        for file in article_files(path):
            try:
                _check_size(file, settings)
                report.articles.append(read_article_file(file, root=path))
            except SourceError as exc:
                report.problems.append(exc)
        return
    _check_size(path, settings)
    if is_feed_file(path):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(str(path), f"cannot read the file: {exc.strerror or exc}") from exc
        _add(report, parse_feed(data, str(path)))
        return
    report.articles.append(read_article_file(path))


def _check_size(path: Path, settings: IngestSettings) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(str(path), f"cannot read the file: {exc.strerror or exc}") from exc
    if size > settings.max_bytes:
        raise SourceError(
            str(path),
            f"the file is larger than ingest.max_bytes ({settings.max_bytes} bytes); "
            "raise the limit if it is genuine",
        )


def is_feed_file(path: Path) -> bool:
    """By suffix; an unknown suffix is a feed if it opens like XML or JSON."""
    suffix = path.suffix.lower()
    if suffix in FEED_SUFFIXES:
        return True
    if suffix in ARTICLE_SUFFIXES:
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    return head[:1] in (b"<", b"{")


def article_files(folder: Path) -> list[Path]:
    """Article files below ``folder`` in a stable order; hidden files and folders skipped."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in ARTICLE_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )

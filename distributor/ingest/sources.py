"""Read every configured source into articles; a broken source is reported, never fatal.

A spec is an article file, a folder of article files (searched recursively), a feed
file, or an http(s) feed URL. Each source is read on its own: whatever goes wrong with
one becomes a :class:`SourceError` in the report, and the others are still read.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from distributor import progress
from distributor.errors import SourceError
from distributor.ingest.feeds import FEED_SUFFIXES, FeedResult, parse_feed
from distributor.ingest.files import ARTICLE_SUFFIXES, read_article_file
from distributor.ingest.http import fetch, is_url
from distributor.ingest.shape import body_from_blocks, squash, storable
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
                path = Path(spec)
                _read_path(path, settings, report, known.get(str(path), (None, None)))
        except SourceError as exc:
            report.problems.append(exc)
        except Exception as exc:
            report.problems.append(SourceError(_printable(spec), f"could not be read: {exc!r}"))
    report.articles = [_storable(a) for a in report.articles]
    return report


def _printable(name: str) -> str:
    """A path as it can be printed and stored: undecodable bytes shown escaped."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def _storable(article: Article) -> Article:
    """Every text field without what a database cannot store (see :func:`storable`)."""
    fields = (article.title, article.body, article.guid, article.url, article.byline, article.html)
    if not any(f and storable(f) != f for f in fields) and all(
        storable(t) == t for t in article.tags
    ):
        return article
    return replace(
        article,
        title=squash(storable(article.title)),
        body=body_from_blocks(storable(article.body).split("\n")),
        guid=storable(article.guid),
        url=storable(article.url) if article.url else article.url,
        byline=storable(article.byline) if article.byline else article.byline,
        html=storable(article.html) if article.html else article.html,
        tags=tuple(storable(t) for t in article.tags),
    )


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


def _read_path(
    path: Path,
    settings: IngestSettings,
    report: IngestReport,
    validators: FeedValidators = (None, None),
) -> None:
    if not path.exists():
        raise SourceError(str(path), "no such file or folder; check the path or --source")
    if path.is_dir():
        files = article_files(path, report)
        for done, file in enumerate(files, 1):
            try:
                _check_size(file, settings)
                report.articles.append(read_article_file(file, root=path))
            except SourceError as exc:
                report.problems.append(exc)
            except Exception as exc:
                report.problems.append(
                    SourceError(_printable(str(file)), f"could not be read: {exc!r}")
                )
            progress.advance(f"reading {path}", done, len(files))
        return
    _check_size(path, settings)
    if is_feed_file(path):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(str(path), f"cannot read the file: {exc.strerror or exc}") from exc
        # A feed file's bytes are its ETag: an unchanged file is not parsed again, as a
        # feed URL that answers 304 is not.
        etag = "sha256:" + hashlib.sha256(data).hexdigest()
        if validators[0] == etag:
            report.feed_state[str(path)] = validators
            return
        _add(report, parse_feed(data, str(path)))
        report.feed_state[str(path)] = (etag, None)
        return
    report.articles.append(read_article_file(path))


def _check_size(path: Path, settings: IngestSettings) -> None:
    try:
        info = path.stat()
    except OSError as exc:
        raise SourceError(str(path), f"cannot read the file: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        # A device or FIFO would be read for ever (a link to /dev/zero, a pipe).
        raise SourceError(str(path), "not a regular file (a device, pipe or socket); not read")
    size = info.st_size
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


def article_files(folder: Path, report: IngestReport | None = None) -> list[Path]:
    """Article files below ``folder`` in a stable order; hidden files and folders skipped.

    A link that leads out of the folder is not followed (a link to a secrets file would
    be published), and a file name that is not UTF-8 is reported, not read."""
    root = folder.resolve()
    found: list[Path] = []
    for p in folder.rglob("*"):
        if p.suffix.lower() not in ARTICLE_SUFFIXES:
            continue
        if any(part.startswith(".") for part in p.relative_to(folder).parts):
            continue
        refused = _refusal(p, root)
        if refused:
            if report is not None:
                report.problems.append(SourceError(_printable(str(p)), refused))
            continue
        if p.is_file():
            found.append(p)
    return sorted(found)


def _refusal(path: Path, root: Path) -> str | None:
    """Why a file in an article folder is not read, or None."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not UTF-8; rename the file"
    if path.is_symlink() or any(parent.is_symlink() for parent in path.parents):
        try:
            target = path.resolve(strict=True)
        except OSError:
            return "a broken link; not read"
        if not target.is_relative_to(root):
            return "a link to a file outside the folder; not followed"
    return None

"""Read every configured source into articles; a broken source is reported, never fatal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from distributor.errors import SourceError
from distributor.models import Article
from distributor.settings import IngestSettings

FeedValidators = tuple[str | None, str | None]
ARTICLE_SUFFIXES = (".txt", ".md")


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
        path = Path(spec)
        if not path.exists():
            report.problems.append(SourceError(spec, "no such file or directory"))
            continue
        files = (
            sorted(p for p in path.iterdir() if p.suffix in ARTICLE_SUFFIXES)
            if path.is_dir()
            else [path]
        )
        for file in files:
            try:
                report.articles.append(read_article_file(file))
            except SourceError as exc:
                report.problems.append(exc)
    return report


def read_article_file(file: Path) -> Article:
    """An article in the publisher's house shape: the title on the first line."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(str(file), f"cannot read the article: {exc}") from exc
    lines = [ln.strip() for ln in text.splitlines()]
    if not lines or not lines[0]:
        raise SourceError(str(file), "the first line must be the article's title", line=1)
    body = "\n".join(ln for ln in lines[1:] if ln)
    return Article(source_id=file.parent.name or "files", guid=file.name, title=lines[0], body=body)

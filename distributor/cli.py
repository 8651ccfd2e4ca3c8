"""The command line: the only module that prints or exits.

Exit codes: 0 ok, 1 a delivery or step failed, 2 bad usage or configuration.
Every command that reports data takes ``--json``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from distributor import __version__, settings
from distributor.compose import browser
from distributor.compose.digest import render_digest
from distributor.compose.lint import lint_digest
from distributor.compose.roundup import RoundupOptions, build_roundup, roundup_json, roundup_rss
from distributor.errors import ConfigError, DistributorError, SourceError
from distributor.models import Article, Story

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Failed(click.ClickException):
    """A step or delivery failed: exit 1 with one clear message."""

    exit_code = EXIT_FAILED


class BadConfig(click.ClickException):
    exit_code = EXIT_USAGE


def boundary(fn: F) -> F:
    """Turn startup and run errors into one clear message and the right exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ConfigError as exc:
            raise BadConfig(str(exc)) from exc
        except DistributorError as exc:
            raise Failed(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def load_settings(ctx: click.Context) -> settings.Settings:
    obj = ctx.ensure_object(dict)
    if "settings" not in obj:
        obj["settings"] = settings.load(obj.get("config"))
    result: settings.Settings = obj["settings"]
    return result


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    envvar=settings.CONFIG_ENV,
    help="Configuration file (default: config/distributor.toml, or $DISTRIBUTOR_CONFIG).",
)
@click.version_option(__version__, prog_name="distributor")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """Turn new articles into an email digest, social threads and a roundup,
    and deliver each on its channel's schedule, exactly once.

    \b
    Example:
      distributor run                 # ingest, compose and deliver what is due
      distributor preview digest --out out/preview
    """
    ctx.ensure_object(dict)["config"] = config_path


# --- email preview ---


def _stories_from_paths(paths: Sequence[Path]) -> list[Story]:
    """Plain article files (title on the first line, body after) as stories.

    A stand-in for the ingest and extract stages: the headline is the title and the
    summary the first paragraph; no figures or quote.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".txt", ".md")))
        else:
            files.append(path)
    stories: list[Story] = []
    for file in files:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(str(file), f"cannot read the article: {exc}") from exc
        lines = [ln.strip() for ln in lines]
        if not lines or not lines[0]:
            raise SourceError(str(file), "the first line must be the article's title", line=1)
        body_lines = [ln for ln in lines[1:] if ln]
        article = Article(
            source_id=file.parent.name or "files",
            guid=file.name,
            title=lines[0],
            body="\n".join(body_lines),
        )
        stories.append(
            Story(article=article, headline=lines[0], summary=body_lines[0] if body_lines else "")
        )
    return stories


@main.group()
def preview() -> None:
    """Preview what would be sent, without sending anything.

    \b
    Example:
      distributor preview digest --out out/preview --screenshot
    """


@preview.command("digest")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for digest.html, digest.txt, digest.json, roundup.json/.xml.",
)
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The digest's day (default: today in the publisher's time zone).",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Article file or directory (repeatable; default: ingest.sources).",
)
@click.option("--screenshot", is_flag=True, help="Also write PNGs at 375 px and 800 px wide.")
@click.option("--open", "open_browser", is_flag=True, help="Open digest.html in the browser.")
@click.option("--json", "as_json", is_flag=True, help="Print digest.json instead of a summary.")
@click.pass_context
@boundary
def preview_digest(
    ctx: click.Context,
    out_dir: Path,
    day: datetime | None,
    sources: tuple[Path, ...],
    screenshot: bool,
    open_browser: bool,
    as_json: bool,
) -> None:
    """Render the day's email digest into a directory for an editor to check.

    Writes digest.html, digest.txt, digest.json (subject, preheader, story count,
    HTML size and lint findings), roundup.json and roundup.xml (RSS 2.0).

    \b
    Example:
      distributor preview digest --out out/preview --date 2026-11-28 \\
          --source examples/articles --screenshot
    """
    cfg = load_settings(ctx)
    the_day = day.date() if day else datetime.now(ZoneInfo(cfg.publisher.timezone)).date()
    paths = list(sources) or [cfg.resolve(s) for s in cfg.ingest.sources]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise SourceError(", ".join(missing), "no such file or directory; pass --source PATH")
    stories = _stories_from_paths(paths)
    roundup = build_roundup(stories, the_day, RoundupOptions.from_settings(cfg))
    digest = render_digest(stories, roundup, cfg, the_day)
    findings = lint_digest(digest, max_bytes=cfg.email.max_html_bytes)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / "digest.html"
    html_path.write_text(digest.html, encoding="utf-8")
    (out_dir / "digest.txt").write_text(digest.text, encoding="utf-8")
    (out_dir / "roundup.json").write_text(roundup_json(roundup), encoding="utf-8")
    (out_dir / "roundup.xml").write_text(roundup_rss(roundup, cfg.publisher), encoding="utf-8")
    report: dict[str, Any] = {
        "date": the_day.isoformat(),
        "subject": digest.subject,
        "preheader": digest.preheader,
        "stories": len(digest.story_ids),
        "featured": len(roundup.featured),
        "html_bytes": len(digest.html.encode("utf-8")),
        "text_bytes": len(digest.text.encode("utf-8")),
        "max_html_bytes": cfg.email.max_html_bytes,
        "findings": [f.as_dict() for f in findings],
        "files": {
            "html": str(html_path),
            "text": str(out_dir / "digest.txt"),
            "roundup_json": str(out_dir / "roundup.json"),
            "roundup_rss": str(out_dir / "roundup.xml"),
        },
    }
    if screenshot:
        try:
            for width in (375, 800):
                height = min(browser.full_height(digest.html, width=width), 16_000)
                png = browser.screenshot(
                    html_path, out_dir / f"digest-{width}.png", width=width, height=height
                )
                report["files"][f"screenshot_{width}"] = str(png)
        except browser.BrowserError as exc:
            raise Failed(f"screenshot: {exc}") from exc
    (out_dir / "digest.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    if as_json:
        emit_json(report)
    else:
        click.echo(f"Subject:   {digest.subject}")
        click.echo(f"Preheader: {digest.preheader}")
        click.echo(f"Stories:   {report['stories']} ({len(roundup.featured)} featured)")
        click.echo(f"HTML:      {report['html_bytes']} bytes (budget {cfg.email.max_html_bytes})")
        for finding in findings:
            click.echo(f"  ! {finding.code}: {finding.message}")
        if not findings:
            click.echo("  no lint findings")
        click.echo(f"Wrote {out_dir}/")
    if open_browser:
        click.launch(str(html_path))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


# --- foundation: ingest, run, check-config ---

SOURCE_OPTION = click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="PATH_OR_URL",
    help="Read this file, folder, feed file or feed URL instead of the configured sources "
    "(repeatable).",
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


def _problem_lines(problems: list[Any]) -> list[str]:
    return [f"  ! {p}" for p in problems]


@main.command()
@SOURCE_OPTION
@JSON_OPTION
@click.pass_context
@boundary
def ingest(ctx: click.Context, sources: tuple[str, ...], as_json: bool) -> None:
    """Read the sources and store what is new; report what changed and what failed.

    \b
    Examples:
      distributor ingest
      distributor ingest --source examples/articles --source https://example.org/feed.xml
    """
    from distributor.pipeline import phases
    from distributor.store import db
    from distributor.store.articles import ArticleStore

    cfg = load_settings(ctx)
    store = ArticleStore(db.open_database(cfg.database.url, base_dir=cfg.base_dir))
    result = phases.ingest(cfg, store, sources or None)
    summary = {
        "new": result.count("new"),
        "updated": result.count("updated"),
        "unchanged": result.count("unchanged"),
        "articles": [
            {"identity": r.article.identity, "title": r.article.title, "change": str(r.change)}
            for r in result.recorded
        ],
        "problems": [str(p) for p in result.problems],
    }
    if as_json:
        emit_json(summary)
    else:
        click.echo(
            f"{summary['new']} new, {summary['updated']} updated, "
            f"{summary['unchanged']} already seen; {len(result.problems)} source(s) failed"
        )
        for line in _problem_lines(result.problems):
            click.echo(line, err=True)
    if result.problems:
        ctx.exit(EXIT_FAILED)


@main.command("check-config")
@JSON_OPTION
@click.pass_context
@boundary
def check_config(ctx: click.Context, as_json: bool) -> None:
    """Validate the configuration, each active channel's section and its secrets.

    Secrets are reported by the name of their environment variable only.

    \b
    Example:
      distributor --config config/production.toml check-config
    """
    from distributor.channels import registry
    from distributor.store import db

    cfg = load_settings(ctx)
    problems: list[str] = []
    channels: dict[str, str] = {}
    for name in cfg.delivery.channels:
        try:
            channel = registry.get(name)(cfg)
            problems.extend(f"channels.{name}: {p}" for p in channel.preflight())
            channels[name] = "ok"
        except ConfigError as exc:
            problems.append(str(exc))
            channels[name] = "error"
    try:
        db.open_database(cfg.database.url, base_dir=cfg.base_dir).dispose()
        database = "ok"
    except Exception as exc:
        database = "error"
        problems.append(f"database.url: cannot open the database: {exc}")
    report = {"config": cfg.path, "database": database, "channels": channels, "problems": problems}
    if as_json:
        emit_json(report)
    else:
        click.echo(f"configuration: {cfg.path}")
        click.echo(f"database: {database}")
        for name, state in channels.items():
            click.echo(f"channel {name}: {state}")
        for p in problems:
            click.echo(f"  ! {p}", err=True)
        click.echo("configuration is valid" if not problems else f"{len(problems)} problem(s)")
    if problems:
        ctx.exit(EXIT_USAGE)

"""Foundation commands: ingest and check-config."""

from __future__ import annotations

import os.path
from typing import TYPE_CHECKING, Any

import click

from distributor.cli.app import (
    EXIT_FAILED,
    EXIT_USAGE,
    JSON_OPTION,
    SOURCE_OPTION,
    boundary,
    emit_json,
    load_settings,
    main,
)
from distributor.errors import ConfigError
from distributor.words import plural

if TYPE_CHECKING:
    from distributor.pipeline.run import RunReport


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
    from distributor.store.articles import ArticleStore, Change

    cfg = load_settings(ctx)
    store = ArticleStore(db.open_database(cfg.database.url, base_dir=cfg.base_dir))
    result = phases.ingest(cfg, store, sources or None)
    summary = {
        "new": result.count(Change.NEW),
        "updated": result.count(Change.UPDATED),
        "unchanged": result.count(Change.UNCHANGED),
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
            f"{summary['unchanged']} already seen; "
            f"{plural(len(result.problems), 'source')} failed"
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

    Also SENDGRID_WEBHOOK_PUBLIC_KEY, when set, which `serve` checks webhook posts with,
    and that [signup], when enabled, has an email channel to send confirmations.
    Secrets are reported by the name of their environment variable only.

    \b
    Example:
      distributor --config config/production.toml check-config
    """
    from distributor.channels import registry
    from distributor.store import db
    from distributor.web.sendgrid_signature import configured_key

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
        # Set but not a key: `serve` would refuse to start.
        configured_key()
    except ConfigError as exc:
        problems.append(str(exc))
    if cfg.signup.enabled:
        from distributor.pipeline.signup import confirmation_channel

        try:
            confirmation_channel(cfg)
        except ConfigError as exc:
            problems.append(str(exc))
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
        click.echo("configuration is valid" if not problems else plural(len(problems), "problem"))
    if problems:
        ctx.exit(EXIT_USAGE)


@main.command("run")
@SOURCE_OPTION
@JSON_OPTION
@click.pass_context
@boundary
def run_cmd(ctx: click.Context, sources: tuple[str, ...], as_json: bool) -> None:
    """Ingest, extract and compose today's news, and hand each channel its share.

    With the embedded default (SQLite and the files channel) this writes the day's
    digest, threads and roundup under the output folder for a person to look at.
    Running it again the same day sends nothing twice.

    \b
    Examples:
      distributor run
      distributor run --source examples/articles --json
    """
    from distributor.pipeline.run import run as run_pipeline
    from distributor.store import db

    cfg = load_settings(ctx)
    engine = db.open_database(cfg.database.url, base_dir=cfg.base_dir)
    try:
        report = run_pipeline(cfg, engine, sources=sources or None)
    finally:
        engine.dispose()
    if as_json:
        emit_json(report.as_dict())
    else:
        _print_run(report)
    if report.failed:
        ctx.exit(EXIT_FAILED)


def _print_run(report: RunReport) -> None:
    click.echo(
        f"{report.day}: {report.new} new, {report.updated} updated, "
        f"{report.unchanged} already seen; {plural(report.stories, 'story', 'stories')} today"
    )
    if report.subject:
        click.echo(
            f"digest of {report.edition} "
            f"({plural(report.digest_stories, 'story', 'stories')}): {report.subject}"
        )
    p = report.planned
    click.echo(
        f"outbox: {len(p.created)} planned, {len(p.updated)} updated, "
        f"{len(p.unchanged)} already planned"
    )
    d = report.dispatched
    click.echo(
        f"delivered now: {len(d.sent)} sent, {len(d.retrying)} to retry, "
        f"{len(d.failed)} failed, {len(d.uncertain)} uncertain"
    )
    if report.written:
        folder = _common_folder(report.written)
        click.echo(f"wrote {plural(len(report.written), 'file')} under {folder}/")
        for path in report.written:
            click.echo(f"  {os.path.relpath(path, folder)}")
    for line in _problem_lines(report.problems):
        click.echo(line, err=True)
    for key in p.too_late:
        click.echo(f"  ! {key}: changed after it was sent; not sent again", err=True)
    for row_id, error in d.errors.items():
        click.echo(f"  ! delivery {row_id}: {error}", err=True)
    for channel, error in d.auth_failed.items():
        click.echo(f"  ! {channel}: {error}", err=True)


def _common_folder(paths: list[str]) -> str:
    return os.path.commonpath([os.path.dirname(p) for p in paths])

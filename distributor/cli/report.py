"""``distributor report``: what was read, per edition and per story."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from distributor.cli.app import DAY_OPTION, JSON_OPTION, boundary, echo, emit_json, main
from distributor.cli.outbox import day_or_today, open_outbox

if TYPE_CHECKING:
    from distributor.schedule.report import EditionFigures


@main.command()
@DAY_OPTION
@click.option(
    "--days",
    type=click.IntRange(1, 366),
    default=None,
    help="The editions of the last N days up to today (default 7).",
)
@click.option(
    "--png",
    "png",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also draw the editions as a chart in this PNG file (needs matplotlib).",
)
@JSON_OPTION
@click.pass_context
@boundary
def report(
    ctx: click.Context, day: datetime | None, days: int | None, png: Path | None, as_json: bool
) -> None:
    """What was read: each edition's delivered, opened, clicked, bounced, complained
    and unsubscribed readers, and each story's clicks beside the networks that posted it.

    Counted from the outbox (what was sent) and SendGrid's events (`distributor serve`
    takes them). An edition whose complaint rate is over 0.1 % or hard-bounce rate
    over 2 % is flagged, as `status` flags it.

    \b
    Example:
      distributor report
      distributor report --date 2026-12-04 --json
      distributor report --days 30 --png out/editions.png
    """
    from distributor.schedule.report import chart_png, mail_report

    if day is not None and days is not None:
        raise click.UsageError("--date is one edition, --days several: give one of them", ctx)
    cfg, box = open_outbox(ctx)
    last = day_or_today(cfg, day)
    first = last if day is not None else last - timedelta(days=(days or 7) - 1)
    found = mail_report(box.engine, cfg, first, last)
    if png is not None:
        chart_png(found, png)
    if as_json:
        emit_json({**found.as_dict(), "png": str(png) if png else None})
        return
    if not found.editions:
        click.echo(f"no edition went out from {first} to {last}")
    for edition in reversed(found.editions):
        _print_edition(edition)
    if png is not None:
        click.echo(f"chart: {png}")


def _count(n: int, rate: float | None = None, base: str = "") -> str:
    """A figure, and its rate over ``base`` when it has one."""
    from distributor.schedule.report import percent

    return f"{n:>9,}" + (f"  {percent(rate)} of {base}" if rate is not None else "")


def _print_edition(e: EditionFigures) -> None:
    click.echo(f"edition {e.day}: {e.sent:,} sent in {e.batches} batch(es)")
    how = "  (sent less bounced and dropped: no delivered events)" if e.delivered_estimated else ""
    click.echo(f"  delivered    {_count(e.delivered)}{how}")
    click.echo(f"  opened       {_count(e.opened, rate=e.open_rate, base='delivered')}")
    click.echo(f"  clicked      {_count(e.clicked, rate=e.click_rate, base='delivered')}")
    click.echo(f"  bounced      {_count(e.bounced, rate=e.hard_bounce_rate, base='sent')}")
    click.echo(f"  dropped      {_count(e.dropped)}")
    click.echo(f"  complained   {_count(e.complained, rate=e.complaint_rate, base='delivered')}")
    click.echo(f"  unsubscribed {_count(e.unsubscribed)}")
    for warning in e.warnings:
        click.echo(f"  warning: {warning}")
    if e.stories:
        click.echo("  stories: clicks, readers who clicked, posted on")
        for s in e.stories:
            posted = ", ".join(s.networks) or "-"
            echo(f"    {s.clicks:>6,} {s.clickers:>6,}  {posted:<24} {s.title[:70]}")
    click.echo("")

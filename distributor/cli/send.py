"""``send digest``: today's (or a given day's) digest edition, now, through the outbox."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from distributor.cli.app import (
    DAY_OPTION,
    EXIT_FAILED,
    JSON_OPTION,
    boundary,
    emit_json,
    load_settings,
    main,
)
from distributor.models import DeliveryKind, DeliveryState
from distributor.schedule.times import local_day


@main.group()
def send() -> None:
    """Send something now instead of at its time.

    \b
    Example:
      distributor send digest
    """


@send.command("digest")
@DAY_OPTION
@JSON_OPTION
@click.pass_context
@boundary
def send_digest(ctx: click.Context, day: datetime | None, as_json: bool) -> None:
    """Send the digest edition of today (or --date) now, to every reader.

    It covers everything first seen since the last edition up to now, and goes through
    the outbox under the edition's own key: an edition already sent is not sent again,
    and the scheduled send of the same edition finds it done.

    \b
    Example:
      distributor send digest
      distributor send digest --date 2026-12-04 --json
    """
    from distributor.pipeline.run import run as run_pipeline
    from distributor.store import db
    from distributor.store.outbox import Outbox

    cfg = load_settings(ctx)
    now = datetime.now(UTC)
    edition = day.date() if day else local_day(now, cfg)
    engine = db.open_database(cfg.database.url, base_dir=cfg.base_dir)
    try:
        report = run_pipeline(cfg, engine, now=now, send_now=edition)
        rows = [
            r
            for r in Outbox(engine, cfg.schedule).records(
                day=edition, kind=str(DeliveryKind.DIGEST)
            )
            if r.delivery.expanded_from is None
        ]
    finally:
        engine.dispose()
    editions = [
        {
            "id": r.delivery.id,
            "channel": r.delivery.channel,
            "variant": r.delivery.subject_id,
            "state": str(r.delivery.state),
            "sent_at": r.sent_at.isoformat() if r.sent_at else None,
        }
        for r in rows
    ]
    if as_json:
        emit_json({"edition": edition.isoformat(), "digests": editions, **report.as_dict()})
    elif not editions:
        click.echo(f"no digest for {edition}: no email channel, or no new story to send")
    for e in editions if not as_json else []:
        when = f" at {e['sent_at']}" if e["sent_at"] else ""
        click.echo(f"digest {edition} ({e['channel']}, {e['variant']}): {e['state']}{when}")
    unsent = [e for e in editions if e["state"] != DeliveryState.SENT]
    if report.failed or unsent:
        ctx.exit(EXIT_FAILED)

"""The outbox from the command line: status, the operator's decisions, approval, the worker."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import click

from distributor import progress
from distributor.cli.app import DAY_OPTION, JSON_OPTION, boundary, emit_json, load_settings, main
from distributor.models import DeliveryState
from distributor.settings import Settings
from distributor.words import plural

if TYPE_CHECKING:
    from distributor.schedule.status import DayStatus
    from distributor.store.outbox import Outbox, Record

JSON = JSON_OPTION
DATE = DAY_OPTION


def open_outbox(ctx: click.Context) -> tuple[Settings, Outbox]:
    from distributor.store import db
    from distributor.store.outbox import Outbox

    cfg = load_settings(ctx)
    engine = db.open_database(cfg.database.url, base_dir=cfg.base_dir)
    return cfg, Outbox(engine, cfg.schedule)


def day_or_today(cfg: Settings, value: datetime | None) -> date:
    from distributor.schedule.times import local_day

    return value.date() if value is not None else local_day(datetime.now(UTC), cfg)


def _line(r: Record, tz: Any) -> str:
    d = r.delivery
    due = d.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    state = str(d.state) + (f" ({r.hold_reason})" if r.hold_reason else "")
    extra = f"  ! {d.last_error}" if d.last_error and d.state != DeliveryState.SENT else ""
    return (
        f"{d.id:>6}  {due}  {d.channel:<10} {d.kind!s:<12} {state:<20} {d.subject_id[:60]}{extra}"
    )


@main.command()
@DATE
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 when anything is failed or uncertain, or a recent edition is over the "
    "complaint or hard-bounce limit (for monitoring).",
)
@JSON
@click.pass_context
@boundary
def status(ctx: click.Context, day: datetime | None, check: bool, as_json: bool) -> None:
    """What is planned, due, sent, failed, uncertain or held today, per channel.

    Also lists every delivery, of any day, that needs a person (failed, uncertain,
    held), what changed in the last 24 hours, and when the next one is due; and warns
    when an edition of the last 7 days has a complaint rate over 0.1 % or a hard-bounce
    rate over 2 % (the mailbox providers' bulk-sender limits; `distributor report`).

    \b
    Example:
      distributor status
      distributor status --date 2026-11-27 --json
      distributor status --check || mail -s "distributor needs you" ops@example.org
    """
    from distributor.schedule.status import day_status
    from distributor.schedule.times import schedule_zone

    cfg, box = open_outbox(ctx)
    report = day_status(box, cfg, day_or_today(cfg, day), datetime.now(UTC))
    if as_json:
        emit_json(report.as_dict())
    else:
        _print_status(report, schedule_zone(cfg))
    if check and report.alarming:
        ctx.exit(1)


def _print_status(report: DayStatus, tz: Any) -> None:
    def at(moment: datetime) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")

    click.echo(f"deliveries for {report.day.isoformat()}:")
    if not report.counts:
        click.echo("  nothing planned")
    for channel, by_state in sorted(report.counts.items()):
        parts = ", ".join(f"{n} {s}" for s, n in sorted(by_state.items()))
        click.echo(f"  {channel}: {parts}")
    click.echo(f"due now: {len(report.due_now)}")
    click.echo(f"next due: {at(report.next_due) if report.next_due else 'nothing'}")
    planning = report.planning
    if planning.last_done is not None:
        by = f" (planning now: {planning.holder})" if planning.holder else ""
        click.echo(f"last planning by a worker: {at(planning.last_done)}{by}")
    if report.stalled:
        click.echo(f"warning: {report.stalled}")
    for warning in report.mail.warnings:
        click.echo(f"warning: {warning}")
    if report.attention:
        click.echo("needs attention (distributor outbox retry|cancel|release|mark-sent ID):")
        for r in report.attention:
            click.echo("  " + _line(r, tz))


@main.group()
def outbox() -> None:
    """Look at and decide about single deliveries in the outbox.

    An uncertain delivery (the provider may have received it) is never sent again
    on its own: check the channel, then `retry` it or `cancel` it.

    \b
    Example:
      distributor outbox list --state uncertain
      distributor outbox show 42
      distributor outbox retry 42
    """


@outbox.command("list")
@DATE
@click.option("--all-days", is_flag=True, help="Every day, not only --date (or today).")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice([str(s) for s in DeliveryState]),
    help="Only rows in this state (repeatable).",
)
@click.option("--channel", default=None, help="Only this channel.")
@click.option("--limit", type=click.IntRange(min=1), default=500, show_default=True)
@JSON
@click.pass_context
@boundary
def outbox_list(
    ctx: click.Context,
    day: datetime | None,
    all_days: bool,
    states: tuple[str, ...],
    channel: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List deliveries, with their time, channel, kind, state and last error.

    \b
    Example:
      distributor outbox list
      distributor outbox list --all-days --state failed --state uncertain --json
    """
    from distributor.schedule.times import schedule_zone

    cfg, box = open_outbox(ctx)
    rows = box.records(
        states=states,
        day=None if all_days else day_or_today(cfg, day),
        channel=channel,
        limit=limit,
    )
    if as_json:
        emit_json([r.as_dict() for r in rows])
        return
    tz = schedule_zone(cfg)
    if not rows:
        click.echo("no deliveries")
    for r in rows:
        click.echo(_line(r, tz))


@outbox.command("show")
@click.argument("delivery_id", type=int)
@click.option(
    "--lookup",
    is_flag=True,
    help="Look on the provider (Mastodon, Bluesky: the account's recent posts) for this "
    "delivery's text, to settle an uncertain one.",
)
@JSON
@click.pass_context
@boundary
def outbox_show(ctx: click.Context, delivery_id: int, lookup: bool, as_json: bool) -> None:
    """Everything about one delivery: payload, provider answer, error, history.

    \b
    Example:
      distributor outbox show 42 --json
      distributor outbox show 42 --lookup    # did the uncertain post go out?
    """
    from distributor.store.outbox import OutboxError

    cfg, box = open_outbox(ctx)
    record = box.get(delivery_id)
    if record is None:
        raise OutboxError(f"no delivery with id {delivery_id}; see `distributor outbox list`")
    data = record.as_dict(with_payload=True)
    if lookup:
        data["lookup"] = _lookup(cfg, record)
    if as_json:
        emit_json(data)
        return
    for key, value in data.items():
        if key in ("payload", "detail", "lookup"):
            continue
        click.echo(f"{key}: {value}")
    click.echo("payload:")
    for key, value in record.delivery.payload.items():
        text = str(value)
        click.echo(f"  {key}: {text[:200]}{'…' if len(text) > 200 else ''}")
    if record.detail:
        click.echo(f"provider answer: {record.detail}")
    if lookup:
        found = data["lookup"]
        if found is None:
            click.echo(
                f"lookup: {record.delivery.channel} offers none; check the account by hand "
                "(README: settling an uncertain delivery)"
            )
        elif not found:
            click.echo(
                "lookup: not among the account's recent posts, so it did not go out: "
                f"`distributor outbox retry {delivery_id}` sends it"
            )
        for match in found or ():
            where = f" {match['url']}" if match.get("url") else ""
            click.echo(
                f"lookup: posted {match['posted_at']}{where}: `distributor outbox mark-sent "
                f"{delivery_id} --provider-id '{match['provider_id']}'`"
            )


def _lookup(cfg: Settings, record: Record) -> list[dict[str, Any]] | None:
    from distributor.pipeline.run import channels_for

    channel = channels_for(cfg).get(record.delivery.channel)
    if channel is None:
        return None
    found = channel.find_sent(record.delivery)
    if found is None:
        return None
    return [{"provider_id": m.provider_id, "posted_at": m.posted_at, "url": m.url} for m in found]


@outbox.command("mark-sent")
@click.argument("delivery_id", type=int)
@click.option(
    "--provider-id",
    default=None,
    help="Its id on the provider (the post's id; needed when replies wait under it).",
)
@JSON
@click.pass_context
@boundary
def outbox_mark_sent(
    ctx: click.Context, delivery_id: int, provider_id: str | None, as_json: bool
) -> None:
    """Record an uncertain, failed or cancelled delivery as sent: it did go out (you saw
    it on the provider), so it is never sent again and a thread goes on replying to it.

    \b
    Example:
      distributor outbox show 42 --lookup
      distributor outbox mark-sent 42 --provider-id 113000000000000002
    """
    _, box = open_outbox(ctx)
    box.settle_sent(delivery_id, provider_id or None)
    record = box.get(delivery_id)
    assert record is not None
    if as_json:
        emit_json(record.as_dict())
    else:
        click.echo(f"delivery {delivery_id} ({record.delivery.idempotency_key}): now sent")


def _decision(verb: str, help_text: str, example: str) -> None:
    @outbox.command(verb, help=f"{help_text}\n\n\b\nExample:\n  {example}")
    @click.argument("ids", type=int, nargs=-1, required=True)
    @JSON
    @click.pass_context
    @boundary
    def command(ctx: click.Context, ids: Sequence[int], as_json: bool) -> None:
        _, box = open_outbox(ctx)
        done: list[dict[str, Any]] = []
        for delivery_id in ids:
            getattr(box, verb)(delivery_id)
            record = box.get(delivery_id)
            assert record is not None
            done.append(record.as_dict())
        if as_json:
            emit_json(done)
        else:
            for d in done:
                click.echo(f"delivery {d['id']} ({d['key']}): now {d['state']}")


_decision(
    "retry",
    "Send a failed, uncertain or cancelled delivery again, now. For an uncertain one, "
    "first check on the provider that it did not arrive.",
    "distributor outbox retry 42 43",
)
_decision(
    "cancel",
    "Never send this delivery (planned, held, failed or uncertain).",
    "distributor outbox cancel 42",
)
_decision(
    "hold",
    "Stop a planned, failed or uncertain delivery from going until it is released.",
    "distributor outbox hold 42",
)
_decision(
    "release",
    "Let a held delivery go (now, if it was held for being late). One waiting for "
    "approval stays held: use `distributor approve`.",
    "distributor outbox release 42",
)


@main.command()
@click.argument("what", type=click.Choice(["digest", "thread", "roundup", "preview", "id", "all"]))
@click.argument("subject", required=False)
@DATE
@click.option("--channel", default=None, help="Only this channel.")
@click.option("--by", "editor", default="", help="Who approves, for the record.")
@JSON
@click.pass_context
@boundary
def approve(
    ctx: click.Context,
    what: str,
    subject: str | None,
    day: datetime | None,
    channel: str | None,
    editor: str,
    as_json: bool,
) -> None:
    """Approve held deliveries so they go at their time.

    The approval is bound to the content: if the article changes afterwards and the
    day is planned again, the delivery waits for a new approval. `thread` takes the
    story's id (its URL); `id` takes an outbox id.

    \b
    Example:
      distributor approve digest --date 2026-11-27 --by "A. Editor"
      distributor approve thread https://news.example.org/budget
      distributor approve id 42
      distributor approve all --json
    """
    from distributor.errors import ConfigError

    cfg, box = open_outbox(ctx)
    the_day = day_or_today(cfg, day)
    kinds = {
        "digest": "digest",
        "thread": "thread_post",
        "roundup": "roundup",
        "preview": "preview",
    }
    if what == "id":
        if not subject or not subject.isdigit():
            raise ConfigError("`approve id` needs the outbox id, e.g. `distributor approve id 42`")
        done = box.approve(ids=[int(subject)], by=editor)
    elif what == "thread":
        if not subject:
            raise ConfigError("`approve thread` needs the story id, as `outbox list` shows it")
        done = box.approve(
            kind="thread_post", subject_id=subject, day=the_day, channel=channel, by=editor
        )
    elif what == "all":
        done = box.approve(day=the_day, channel=channel, by=editor)
    else:
        done = box.approve(kind=kinds[what], day=the_day, channel=channel, by=editor)
    if as_json:
        emit_json([r.as_dict() for r in done])
        return
    if not done:
        click.echo("nothing waiting for approval matched")
    for r in done:
        click.echo(
            f"approved {r.delivery.id} ({r.delivery.idempotency_key}): now {r.delivery.state}"
        )


@main.command()
@click.option("--once", is_flag=True, help="One round (recover, dispatch), then exit: for cron.")
@click.option(
    "--poll-seconds",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds between rounds (default: [schedule] poll_seconds).",
)
@click.option("--worker-id", default=None, help="Name in the outbox (default: host:pid).")
@click.option(
    "--plan/--no-plan",
    "do_plan",
    default=True,
    show_default=True,
    help="Also ingest, compose and plan the day periodically (as `distributor run` does).",
)
@click.option(
    "--plan-minutes",
    type=click.FloatRange(min=0.0),
    default=None,
    help="Minutes between two plannings, across all workers (default: [schedule] plan_minutes).",
)
@click.option(
    "--engine",
    "engine_name",
    type=click.Choice(["huey", "loop"]),
    default=None,
    help="huey: a huey consumer on [queue] url (SQLite file or Redis); loop: a plain "
    "polling loop on the database alone. Default: huey when [queue] url is set.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=1,
    show_default=True,
    help="Consumer threads of the huey engine.",
)
@JSON
@click.pass_context
@boundary
def worker(
    ctx: click.Context,
    once: bool,
    poll_seconds: float | None,
    worker_id: str | None,
    do_plan: bool,
    plan_minutes: float | None,
    engine_name: str | None,
    workers: int,
    as_json: bool,
) -> None:
    """Deliver what is due, on every configured channel, until SIGTERM or Ctrl-C.

    Every --plan-minutes it also reads the sources and plans the day into the
    outbox, as `distributor run` does. Run as many as you like, on one machine or
    several sharing a PostgreSQL database: each delivery is claimed by one worker
    only. SIGTERM finishes the delivery in hand and gives the rest back.

    By default it is a huey consumer on [queue] url: a SQLite file on one
    machine, Redis when workers run on several (--workers threads each); the
    planner runs on one worker at a time. --engine loop polls the database alone.

    \b
    Example:
      distributor worker
      distributor worker --workers 4          # queue.url = "redis://queue:6379/0"
      distributor worker --engine loop --poll-seconds 5 --no-plan
      distributor worker --once --json        # from cron, every minute
    """
    from distributor.pipeline.dispatch import StopFlag, default_worker_id
    from distributor.pipeline.worker import work

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    cfg, box = open_outbox(ctx)
    stop = StopFlag()
    stop.install()
    # A service logs line by line: no progress line drawn between its log records.
    with progress.watching(None):
        summary = work(
            cfg,
            box.engine,
            worker_id=worker_id or default_worker_id(),
            stop=stop,
            engine_name=engine_name or ("huey" if cfg.queue.url else "loop"),
            plan=do_plan,
            plan_minutes=plan_minutes,
            poll_seconds=poll_seconds,
            once=once,
            workers=workers,
        )
    if as_json:
        emit_json(summary.as_dict())
    else:
        d = summary.delivered
        click.echo(
            f"{len(d.sent)} sent, {len(d.retrying)} to retry, {len(d.failed)} failed, "
            f"{len(d.uncertain)} uncertain in {plural(summary.stats.rounds, 'round')}"
        )
    if summary.failed:
        ctx.exit(1)

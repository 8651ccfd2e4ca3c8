"""``subscribers`` (import, export, list, add, unsubscribe, count, sync) and ``send-test``."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from distributor import progress
from distributor.cli.app import (
    DAY_OPTION,
    EXIT_FAILED,
    JSON_OPTION,
    SOURCE_PATHS_OPTION,
    Failed,
    boundary,
    emit_json,
    load_settings,
    main,
)
from distributor.cli.web import HOST_OPTION, PORT_OPTION, serve_web
from distributor.models import Status
from distributor.settings import Settings
from distributor.words import plural

if TYPE_CHECKING:
    from distributor.store.subscribers import SubscriberStore

log = logging.getLogger(__name__)

STATUS_CHOICE = click.Choice([s.value for s in Status])


def _store(cfg: Settings) -> SubscriberStore:
    from distributor.store import db
    from distributor.store.subscribers import SubscriberStore

    return SubscriberStore(db.open_database(cfg.database.url, base_dir=cfg.base_dir))


def _subscriber_dict(s: Any) -> dict[str, Any]:
    return {
        "email": s.email,
        "name": s.name,
        "status": s.status.value,
        "topics": list(s.topics),
        "source": s.source,
        "created_at": s.created_at.isoformat(),
        "updated_at": s.updated_at.isoformat(),
    }


@main.group()
def subscribers() -> None:
    """Manage who receives the email digest.

    \b
    Example:
      distributor subscribers import readers.csv
      distributor subscribers count --json
    """


@subscribers.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", default="", help="Where these addresses came from (default: file name).")
@JSON_OPTION
@click.pass_context
@boundary
def import_(ctx: click.Context, file: Path, source: str, as_json: bool) -> None:
    """Import subscribers from a CSV file with a header row.

    Columns: email (required), name, topics (separated by ';'), status. Bad rows are
    reported by line number and the rest imported. Importing again updates names and
    topics, never duplicates an address, and never re-subscribes someone who
    unsubscribed, bounced, complained or was paused. Exits 1 when any row was rejected.

    \b
    Example:
      distributor subscribers import readers.csv --source website-form
    """
    cfg = load_settings(ctx)
    store = _store(cfg)
    # Bytes that are not UTF-8 are kept (surrogateescape) for the import to report by line.
    with file.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        lines = sum(1 for _ in fh)
    # Rows as they are read, on a terminal; elsewhere (cron, services) the log has one
    # summary line instead.
    step = progress.counter(f"importing {file}", max(lines - 1, 0))
    with file.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        report = store.import_csv(fh, source=source or file.name, progress=step)
    log.info(
        "imported %s: %d added, %d updated, %d unchanged, %d rejected",
        file,
        report.added,
        report.updated,
        report.unchanged,
        len(report.problems),
    )
    if as_json:
        emit_json(report.as_dict())
    else:
        click.echo(
            f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.kept_unsubscribed} kept unsubscribed; "
            f"{plural(len(report.problems), 'row')} rejected"
        )
        for p in report.problems:
            click.echo(f"  ! {file}: {p}", err=True)
    if report.problems:
        ctx.exit(EXIT_FAILED)


@subscribers.command()
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="File to write (default: standard output).",
)
@click.option("--status", type=STATUS_CHOICE, default=None, help="Only this status.")
@click.option(
    "--consents",
    is_flag=True,
    help="Write the sign-up form's consent records instead, one row per sign-up.",
)
@click.pass_context
@boundary
def export(ctx: click.Context, out: str, status: str | None, consents: bool) -> None:
    """Write subscribers as CSV (streamed; the same columns import reads).

    With --consents, the consent records of the sign-up form instead: the address, the
    form it came from, the words agreed to, the name and topics asked for, when it was
    asked and confirmed, and from which network (as [signup] record_ip keeps it).

    \b
    Example:
      distributor subscribers export --out readers.csv --status active
      distributor subscribers export --consents --out consents.csv
    """
    if consents and status:
        raise click.UsageError("--status selects subscribers; --consents writes every consent")
    store = _store(load_settings(ctx))
    wanted = Status(status) if status else None

    def write(fh: TextIO) -> int:
        if consents:
            from distributor.store.consents import ConsentStore
            from distributor.store.outbox import Outbox

            return ConsentStore(Outbox(store.engine)).export_csv(fh)
        return store.export_csv(fh, status=wanted)

    if out == "-":
        write(sys.stdout)
        return
    with open(out, "w", encoding="utf-8", newline="") as fh:
        n = write(fh)
    what = "consent record" if consents else "subscriber"
    click.echo(f"wrote {plural(n, what)} to {out}")


@subscribers.command("list")
@click.option("--status", type=STATUS_CHOICE, default=None, help="Only this status.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@JSON_OPTION
@click.pass_context
@boundary
def list_(ctx: click.Context, status: str | None, limit: int, as_json: bool) -> None:
    """List subscribers, oldest first.

    \b
    Example:
      distributor subscribers list --status unsubscribed --limit 20 --json
    """
    store = _store(load_settings(ctx))
    rows: list[dict[str, Any]] = []
    for page in store.iterate(status=Status(status) if status else None, batch=min(limit, 1000)):
        rows.extend(_subscriber_dict(s) for s in page[: limit - len(rows)])
        if len(rows) >= limit:
            break
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        topics = ",".join(r["topics"]) or "all"
        click.echo(f"{r['email']:<40} {r['status']:<13} {topics:<20} {r['name']}")
    if not rows:
        click.echo("no subscribers")


@subscribers.command()
@click.argument("email")
@click.option(
    "--name", default=None, help="The subscriber's name, used in the greeting (kept if not given)."
)
@click.option(
    "--topics",
    default=None,
    help="Topics separated by ';' (a new reader: every story; kept if not given).",
)
@click.option(
    "--resubscribe", is_flag=True, help="Make an unsubscribed address active again (on request)."
)
@JSON_OPTION
@click.pass_context
@boundary
def add(
    ctx: click.Context,
    email: str,
    name: str | None,
    topics: str | None,
    resubscribe: bool,
    as_json: bool,
) -> None:
    """Add one subscriber, or update their name and topics.

    \b
    Example:
      distributor subscribers add reader@example.org --name "Sam Reader" --topics "health;defence"
    """
    store = _store(load_settings(ctx))
    try:
        s = store.add(email, name, topics, source="cli", resubscribe=resubscribe)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if as_json:
        emit_json(_subscriber_dict(s))
    else:
        click.echo(f"{s.email}: {s.status.value} ({','.join(s.topics) or 'all stories'})")


@subscribers.command()
@click.argument("email")
@JSON_OPTION
@click.pass_context
@boundary
def unsubscribe(ctx: click.Context, email: str, as_json: bool) -> None:
    """Unsubscribe one address; it stays unsubscribed through later imports.

    A reader who complained (a spam report) stays complained: that is the stronger
    reason never to write to them.

    \b
    Example:
      distributor subscribers unsubscribe reader@example.org
    """
    store = _store(load_settings(ctx))
    try:
        found = store.get(email)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if found is None:
        raise Failed(f"{email} is not a subscriber")
    store.unsubscribe(email)
    after = store.get(email)
    status = after.status if after else Status.UNSUBSCRIBED
    if as_json:
        emit_json({"email": found.email, "status": status.value})
    else:
        click.echo(f"{found.email}: {status.value}")


@subscribers.command()
@JSON_OPTION
@click.pass_context
@boundary
def count(ctx: click.Context, as_json: bool) -> None:
    """Count subscribers by status, and active ones by digest variant.

    \b
    Example:
      distributor subscribers count --json
    """
    store = _store(load_settings(ctx))
    counts = store.counts()
    variants = {audience.key: n for audience, n in store.variants().items()}
    report = {"total": sum(counts.values()), **counts, "variants": variants}
    if as_json:
        emit_json(report)
        return
    click.echo(f"total: {report['total']}")
    for status, n in counts.items():
        click.echo(f"{status}: {n}")
    for variant, n in variants.items():
        click.echo(f"  variant {variant}: {n}")


@subscribers.command()
@JSON_OPTION
@click.pass_context
@boundary
def sync(ctx: click.Context, as_json: bool) -> None:
    """Copy SendGrid's unsubscribes, bounces and spam reports into the table.

    Incremental: each list is read from the newest time seen last time. Needs
    SENDGRID_API_KEY (with suppression read access).

    \b
    Example:
      distributor subscribers sync --json
    """
    from distributor.channels.sendgrid import SendGridChannel
    from distributor.pipeline.email_fanout import sync_suppressions

    cfg = load_settings(ctx)
    channel = SendGridChannel(cfg)
    report = sync_suppressions(channel, _store(cfg))
    if as_json:
        emit_json({"changed": report.changed, "warnings": report.warnings})
    else:
        for name, n in report.changed.items():
            click.echo(f"{name}: {plural(n, 'subscriber')} changed")
        for w in report.warnings:
            click.echo(f"  ! {w}", err=True)
    if report.warnings:
        ctx.exit(EXIT_FAILED)


@main.command("send-test")
@click.option("--to", "to", required=True, help="The one address to send the digest to.")
@click.option("--sandbox", is_flag=True, help="SendGrid validates the message but sends nothing.")
@DAY_OPTION
@SOURCE_PATHS_OPTION
@click.option("--topics", default="", help="Render the variant for these topics ('a;b').")
@JSON_OPTION
@click.pass_context
@boundary
def send_test(
    ctx: click.Context,
    to: str,
    sandbox: bool,
    day: datetime | None,
    sources: tuple[Path, ...],
    topics: str,
    as_json: bool,
) -> None:
    """Send the current digest to one address through SendGrid, marked as a test.

    The subject starts with [TEST] and the message carries the "test" category. Needs
    SENDGRID_API_KEY and DISTRIBUTOR_LINK_SECRET in the environment.

    \b
    Example:
      distributor send-test --to editor@example.org --sandbox
    """
    from distributor.channels.sendgrid import SendGridChannel
    from distributor.models import Audience
    from distributor.pipeline import day as assemble_day
    from distributor.pipeline import email_fanout
    from distributor.store.subscribers import normalise_email, normalise_topics

    cfg = load_settings(ctx)
    try:
        address = normalise_email(to)
        audience = Audience(normalise_topics(topics))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    stories, problems = assemble_day.read(cfg, [str(s) for s in sources] or None)
    if problems:
        raise problems[0]
    composed = assemble_day.assemble(
        cfg, stories, now=datetime.now(UTC), asked=day.date() if day else None, networks=()
    )
    roundup, edition = composed.digest_roundup, composed.edition
    if roundup is None or edition is None:
        raise Failed("no usable articles to send")
    digest = email_fanout.render_variants(stories, roundup, cfg, edition.day, [audience])[audience]
    channel = SendGridChannel(cfg)
    result = email_fanout.send_test(channel, digest, cfg, address, sandbox=sandbox)
    report = {
        "to": address,
        "subject": f"[TEST] {digest.subject}",
        "stories": len(digest.story_ids),
        "sandbox": sandbox or channel.options.sandbox_mode,
        "message_id": result.provider_id,
    }
    if as_json:
        emit_json(report)
    else:
        mode = " (sandbox: validated, not delivered)" if report["sandbox"] else ""
        click.echo(f"sent test digest to {address}{mode}; message id {result.provider_id}")


@subscribers.command("serve-unsubscribe")
@HOST_OPTION
@PORT_OPTION
@click.pass_context
@boundary
def serve_unsubscribe(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Another name for `distributor serve` (readers' links and SendGrid's webhook).

    \b
    Example:
      distributor subscribers serve-unsubscribe --host 127.0.0.1 --port 8025
    """
    serve_web(ctx, host, port)

"""``plan``: what will go where and when, as an editor reads it in the morning.

The outbox holds one row per post, per channel; the editor thinks in threads. The text
groups the rows by what they carry (a story's thread, the roundup, the digest edition,
the files preview), headline first, with one line per channel and its time, and names
the digest edition that comes next even when it is tomorrow's. ``--json`` keeps every
row as the outbox has it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from distributor.cli.app import DAY_OPTION, JSON_OPTION, boundary, echo, emit_json, main
from distributor.cli.outbox import day_or_today, open_outbox
from distributor.models import DeliveryKind, DeliveryState
from distributor.settings import Settings
from distributor.words import plural

if TYPE_CHECKING:
    from distributor.pipeline.day import Edition
    from distributor.store.outbox import Outbox, Record

# The sections of the plan, in the order an editor's day runs through them.
_SECTIONS = (
    (DeliveryKind.THREAD_POST, "Threads"),
    (DeliveryKind.ROUNDUP, "Roundup"),
    (DeliveryKind.DIGEST, "Digest"),
    (DeliveryKind.PREVIEW, "Files"),
)


@dataclass(frozen=True)
class NextDigest:
    """The digest edition that goes next, and its rows (none with no email channel)."""

    edition: Edition
    subject: str | None
    rows: list[Record]

    def as_dict(self) -> dict[str, Any]:
        return {
            "edition": self.edition.day.isoformat(),
            "why": self.edition.why,
            "subject": self.subject,
            "deliveries": [r.as_dict() for r in self.rows],
        }


@main.command("plan")
@DAY_OPTION
@click.option(
    "--no-ingest",
    is_flag=True,
    help="Only show what the outbox holds; do not read the sources and plan first.",
)
@JSON_OPTION
@click.pass_context
@boundary
def plan_command(ctx: click.Context, day: datetime | None, no_ingest: bool, as_json: bool) -> None:
    """Show what will go where and when, with each item's state.

    For today it first reads the sources and plans the day into the outbox (what
    `distributor run` does, without sending anything); for another --date it shows
    what the outbox holds for that day. Each story's thread is shown once, headline
    first, with its time and state on every network; the digest edition that goes
    next is shown too, tomorrow's when today's has gone. Times are in the schedule's
    time zone.

    \b
    Example:
      distributor plan
      distributor plan --date 2026-11-27 --json
    """
    from distributor.pipeline import run as pipeline
    from distributor.pipeline.day import edition
    from distributor.schedule.times import schedule_zone

    cfg, box = open_outbox(ctx)
    now = datetime.now(UTC)
    day_shown = day_or_today(cfg, day)
    planned: dict[str, Any] = {}
    next_digest: NextDigest | None = None
    if not no_ingest and day is None:
        result = pipeline.plan(cfg, box.engine, now=now)
        planned = {
            "created": len(result.planned.created),
            "updated": len(result.planned.updated),
            "unchanged": len(result.planned.unchanged),
            "problems": [str(p) for p in result.problems],
            "lint": result.lint,
        }
        why = pipeline.why_this_edition(result.edition, now, cfg)
        next_digest = _next_digest(box, why, result.subject)
    elif day is None:
        next_digest = _next_digest(box, edition(now, cfg), None)
    rows = box.records(day=day_shown)
    if as_json:
        emit_json(
            {
                "day": day_shown.isoformat(),
                "planned": planned,
                "deliveries": [r.as_dict() for r in rows],
                "next_digest": next_digest.as_dict() if next_digest else None,
            }
        )
        return
    if planned:
        _echo_planned(planned)
    tz = schedule_zone(cfg)
    echo(f"deliveries for {day_shown.isoformat()} ({tz.key}):")
    if not rows:
        echo("  nothing planned")
    for kind, title in _SECTIONS:
        _echo_section(title, [r for r in rows if r.delivery.kind == kind], cfg, tz, day_shown)
    if next_digest is not None:
        _echo_next_digest(next_digest, rows, cfg, tz, day_shown)


def _next_digest(box: Outbox, edition: Edition, subject: str | None) -> NextDigest:
    rows = [
        r
        for r in box.records(day=edition.day, kind=str(DeliveryKind.DIGEST))
        if r.delivery.expanded_from is None
    ]
    found = next((str(r.delivery.payload.get("subject")) for r in rows), None)
    return NextDigest(edition, subject or found, rows)


def _echo_planned(planned: dict[str, Any]) -> None:
    echo(
        f"planned {planned['created']} new, {planned['updated']} updated, "
        f"{planned['unchanged']} unchanged"
    )
    for problem in planned["problems"]:
        echo(f"  ! {problem}", err=True)
    for source, findings in planned["lint"].items():
        for finding in findings:
            echo(f"  lint {source}: {finding}")


def _echo_section(
    title: str, rows: Sequence[Record], cfg: Settings, tz: ZoneInfo, day: date
) -> None:
    if not rows:
        return
    echo(f"\n{title}")
    for label, by_channel in _grouped(rows, cfg):
        echo(f"  {label}")
        for channel, group in by_channel:
            echo(f"    {_channel_line(channel, group, tz, day)}")
            for error in {r.delivery.last_error for r in group if _failing(r)}:
                echo(f"      ! {error}")


def _echo_next_digest(
    nxt: NextDigest, rows: Sequence[Record], cfg: Settings, tz: ZoneInfo, day: date
) -> None:
    """The edition that goes next, unless the day's own digest rows already showed it."""
    shown = {r.delivery.id for r in rows}
    echo(f"\nNext digest: the {nxt.edition.day.isoformat()} edition ({nxt.edition.why})")
    if nxt.subject:
        echo(f"  {nxt.subject}")
    unseen = [r for r in nxt.rows if r.delivery.id not in shown]
    for _, by_channel in _grouped(unseen, cfg):
        for channel, group in by_channel:
            echo(f"    {_channel_line(channel, group, tz, day)}")
    if not nxt.rows:
        where = "the files preview carries it; " if "files" in cfg.delivery.channels else ""
        echo(f"    {where}no email to send: no email channel, or no subscriber yet")


def _grouped(
    rows: Iterable[Record], cfg: Settings
) -> list[tuple[str, list[tuple[str, list[Record]]]]]:
    """Rows by what they carry (label), then by channel, both in the order they go."""
    order = {name: i for i, name in enumerate(cfg.delivery.channels)}
    groups: dict[str, dict[str, list[Record]]] = {}
    labels: dict[str, str] = {}
    for r in sorted(rows, key=lambda r: (r.delivery.due_at, order.get(r.delivery.channel, 99))):
        key = _subject(r)
        groups.setdefault(key, {}).setdefault(r.delivery.channel, []).append(r)
        if key not in labels or _position(r) == 0:
            labels[key] = _label(r)
    return [(labels[key], list(by_channel.items())) for key, by_channel in groups.items()]


def _subject(r: Record) -> str:
    d = r.delivery
    if d.kind == DeliveryKind.DIGEST:
        return f"digest:{d.payload.get('variant') or d.subject_id}"
    return f"{d.kind}:{d.subject_id}"


def _position(r: Record) -> int:
    index = r.delivery.payload.get("index", 0)
    return index if isinstance(index, int) else 0


def _label(r: Record) -> str:
    """The headline of a thread (its first post's first line), the roundup's title, a
    digest's subject; the story's full address when there is nothing better."""
    d = r.delivery
    if d.kind == DeliveryKind.DIGEST:
        return str(d.payload.get("subject") or d.subject_id)
    if d.kind == DeliveryKind.PREVIEW:
        files = d.payload.get("files")
        count = len(files) if isinstance(files, dict) else 0
        return f"the day's preview ({plural(count, 'file')})"
    text = d.payload.get("text")
    first = text.split("\n", 1)[0].strip() if isinstance(text, str) else ""
    return first if first and _position(r) == 0 else d.subject_id


def _channel_line(channel: str, group: Sequence[Record], tz: ZoneInfo, day: date) -> str:
    times = sorted({_when(r.delivery.due_at, tz, day) for r in group})
    when = times[0] if len(times) == 1 else f"{times[0]}–{times[-1]}"
    posts = group[0].delivery.kind in (DeliveryKind.THREAD_POST, DeliveryKind.ROUNDUP)
    what = plural(len(group), "post") if posts else ""
    return f"{channel:<10} {when:<11} {what:<9} {_states(group):<20} {_ids(group)}".rstrip()


def _when(moment: datetime, tz: ZoneInfo, day: date) -> str:
    local = moment.astimezone(tz)
    return local.strftime("%H:%M") if local.date() == day else local.strftime("%Y-%m-%d %H:%M")


def _states(group: Sequence[Record]) -> str:
    counts: dict[str, int] = {}
    for r in group:
        state = str(r.delivery.state) + (f" ({r.hold_reason})" if r.hold_reason else "")
        counts[state] = counts.get(state, 0) + 1
    if len(counts) == 1:
        return next(iter(counts))
    return ", ".join(f"{n} {state}" for state, n in counts.items())


def _ids(group: Sequence[Record]) -> str:
    ids = sorted(r.delivery.id for r in group if r.delivery.id is not None)
    if not ids:
        return ""
    if ids == list(range(ids[0], ids[-1] + 1)) and len(ids) > 1:
        return f"#{ids[0]}-{ids[-1]}"
    return "#" + ",".join(map(str, ids))


def _failing(r: Record) -> bool:
    return bool(r.delivery.last_error) and r.delivery.state != DeliveryState.SENT

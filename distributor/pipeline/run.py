"""One run of the main job: ingest, extract, compose, plan into the outbox, deliver what is due.

``run`` is what a cron line calls and what the worker's periodic planner does.
Which articles go where:

- threads and the roundup of day D cover the articles first seen on D (publisher's
  time zone);
- each digest channel's next edition (the first send time still ahead, from
  ``channel_times`` or ``digest_at``) covers the articles first seen from where the
  channel's last planned edition stopped (its ``covers_until``) up to that send time:
  a story is in exactly one email, whatever the schedule;
- the files channel (the embedded default) gets the day's preview at once: digest,
  threads and roundup as files, rewritten whenever the content changes.

Everything is planned into the outbox before any network call, so a second run, or
a second machine, plans nothing new and sends nothing twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from distributor.channels import registry
from distributor.channels.base import Channel
from distributor.errors import PayloadError, SourceError
from distributor.extract.article_lint import lint
from distributor.models import Article, Delivery, DeliveryKind, DeliveryState, Digest, Story
from distributor.payloads import FilesPayload, parse_digest
from distributor.pipeline import archive, phases
from distributor.pipeline.day import Edition, assemble, digest_edition, edition, length_rules
from distributor.pipeline.dispatch import DispatchReport, StopFlag, dispatch_due
from distributor.pipeline.email_fanout import digests_for_audience
from distributor.pipeline.email_outbox import hooks, is_email_channel
from distributor.schedule.planner import FILES_CHANNEL, day_deliveries, idempotency_key
from distributor.schedule.times import (
    day_times,
    local_day,
    next_send,
    previous_send,
    send_time,
)
from distributor.settings import Settings
from distributor.store.articles import ArticleStore, Change
from distributor.store.outbox import Outbox, PlanReport
from distributor.store.subscribers import SubscriberStore

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    day: date
    edition: date
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    stories: int = 0
    digest_stories: int = 0
    subject: str | None = None
    problems: list[SourceError] = field(default_factory=list)
    lint: dict[str, list[str]] = field(default_factory=dict)
    """The article lint of the day's stories, by source file or guid (only those with findings)."""
    planned: PlanReport = field(default_factory=PlanReport)
    dispatched: DispatchReport = field(default_factory=DispatchReport)
    written: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        d = self.dispatched
        return bool(self.problems or d.failed or d.uncertain or d.auth_failed or d.errors)

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "digest_edition": self.edition.isoformat(),
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "stories": self.stories,
            "digest_stories": self.digest_stories,
            "subject": self.subject,
            "planned": {
                "created": len(self.planned.created),
                "updated": len(self.planned.updated),
                "unchanged": len(self.planned.unchanged),
                "too_late": self.planned.too_late,
            },
            "delivered": self.dispatched.as_dict(),
            "written": self.written,
            "problems": [str(p) for p in self.problems],
            "lint": self.lint,
        }


def channels_for(settings: Settings) -> dict[str, Channel]:
    """Every configured channel, built (and its options validated) before anything is read."""
    return {name: registry.get(name)(settings) for name in settings.delivery.channels}


@dataclass(frozen=True)
class EditionPlan:
    """The next digest edition of some channels: its day and the first-seen times it
    covers, ``[start, end)``; ``end`` is its send time."""

    day: date
    start: datetime
    end: datetime
    channels: tuple[str, ...]


def _editions(
    channels: Sequence[str],
    outbox: Outbox,
    now: datetime,
    settings: Settings,
    *,
    send_now: date | None = None,
) -> list[EditionPlan]:
    """The next edition of every channel that sends a digest (the files preview's, on
    ``digest_at``, when none does), grouped where they coincide; with ``send_now``,
    that day's edition, ending now."""
    takers = [c for c in channels if DeliveryKind.DIGEST in registry.get(c).kinds]
    grouped: dict[tuple[date, datetime, datetime], list[str]] = {}
    for channel in takers or [FILES_CHANNEL]:
        # Sent now: what was first seen up to this moment (the run's own ingest included).
        upcoming = (
            (send_now, now + timedelta(microseconds=1))
            if send_now is not None
            else _next_unsent(channel, outbox, now, settings)
        )
        if upcoming is None:
            continue
        day, end = upcoming
        start = _covered_until(channel, day, outbox, settings) or previous_send(
            channel, end, settings
        )
        grouped.setdefault((day, start or end - timedelta(days=1), end), []).append(channel)
    return [
        EditionPlan(day, start, end, tuple(c for c in names if c != FILES_CHANNEL))
        for (day, start, end), names in sorted(grouped.items())
    ]


def _next_unsent(
    channel: str, outbox: Outbox, now: datetime, settings: Settings
) -> tuple[date, datetime] | None:
    """The channel's next scheduled edition, past one already sent early by hand."""
    upcoming = next_send(channel, now, settings)
    if upcoming is not None and channel != FILES_CHANNEL:
        last = outbox.last_edition(channel, upcoming[0] + timedelta(days=1))
        if last is not None and last.day == upcoming[0] and last.state == DeliveryState.SENT:
            return next_send(channel, upcoming[1], settings)
    return upcoming


def _covered_until(channel: str, day: date, outbox: Outbox, settings: Settings) -> datetime | None:
    """Where the last edition planned on ``channel`` before ``day`` stopped: the next
    one starts there, so a story is never in two and never in none."""
    if channel == FILES_CHANNEL:
        return None
    last = outbox.last_edition(channel, day)
    if last is None:
        return None
    try:
        value = parse_digest(last).get("covers_until")
    except PayloadError:
        value = None  # a broken row fails when it is sent; its day still says where it was
    if value is not None:
        return datetime.fromisoformat(value)
    return send_time(channel, last.day, settings) if last.day else None


class _Extracted:
    """Each article extracted once, whichever of the day's parts asks for it first; a
    failure is a problem of the report, and the rest go on."""

    def __init__(self, report: RunReport) -> None:
        self._report = report
        self._done: dict[str, Story] = {}

    def stories(self, articles: Sequence[Article]) -> list[Story]:
        new = [a for a in articles if a.identity not in self._done]
        done, failed = phases.extract_each(new)
        self._report.problems.extend(failed)
        for article, story in done:
            self._done[article.identity] = story
        return [self._done[a.identity] for a in articles if a.identity in self._done]


def plan(
    settings: Settings,
    engine: Engine,
    *,
    sources: Sequence[str] | None = None,
    now: datetime | None = None,
    channels: Mapping[str, Channel] | None = None,
    send_now: date | None = None,
) -> RunReport:
    """Ingest, compose and write every delivery of the day into the outbox; send nothing.

    ``channels``: the live channels, when the caller has them (only asked for their
    length rules). ``send_now``: plan that day's digest edition due now, covering what
    was first seen up to now (``distributor send digest``)."""
    moment = now or datetime.now(UTC)
    today = local_day(moment, settings)
    store = ArticleStore(engine)
    outbox = Outbox(engine, settings.schedule)
    ingested = phases.ingest(settings, store, sources, now=moment)
    report = RunReport(
        day=today,
        edition=digest_edition(moment, settings),
        new=ingested.count(Change.NEW),
        updated=ingested.count(Change.UPDATED),
        unchanged=ingested.count(Change.UNCHANGED),
        problems=ingested.problems,
    )
    extracted = _Extracted(report)
    todays = extracted.stories(store.for_day(today, phases.publisher_tz(settings)))
    report.stories = len(todays)
    for story in todays:
        if findings := lint(story):
            report.lint[story.article.guid] = [str(f) for f in findings]
    social = _social(settings, outbox, todays, moment, channels)
    networked = [c for c in settings.delivery.channels if c != FILES_CHANNEL]
    rows = day_deliveries(
        today,
        digest=None,
        threads=[t for group in social.threads.values() for t in group],
        roundup_posts=list(social.roundup_posts.values()),
        channels=networked,
        settings=settings,
    )
    digest_rows, digest = _digests(
        settings, engine, outbox, extracted, networked, moment, send_now, report
    )
    rows = _not_in_the_past(rows + digest_rows, outbox, moment, settings)
    if FILES_CHANNEL in settings.delivery.channels:
        files = phases.preview_files(
            phases.Composed(
                day=today,
                stories=todays,
                roundup=social.roundup,
                digest=digest,
                threads=social.threads,
                roundup_posts=social.roundup_posts,
                edition=why_this_edition(digest.day, moment, settings, send_now)
                if digest
                else None,
            ),
            settings,
        )
        rows.append(_files_row(files, today, moment))
    report.planned = outbox.plan(rows, now=moment)
    if send_now is not None:
        # Already planned for later: due now. Already sent: the same key, so nothing.
        for row in rows:
            if row.kind == DeliveryKind.DIGEST:
                outbox.bring_forward(row.idempotency_key, moment)
    return report


def _social(
    settings: Settings,
    outbox: Outbox,
    todays: Sequence[Story],
    moment: datetime,
    channels: Mapping[str, Channel] | None,
) -> phases.Composed:
    """Today's threads and roundup posts, within what each network has left to post."""
    today = local_day(moment, settings)
    usage = {
        n: outbox.social_usage(n, today)
        for n in settings.social.networks
        if n in settings.delivery.channels
    }
    return assemble(
        settings,
        list(todays),
        now=moment,
        rules=length_rules(settings, channels),
        posts_used={n: (u.today, u.month) for n, u in usage.items()},
        threaded={n: u.threaded for n, u in usage.items()},
        digest=False,
    )


def _digests(
    settings: Settings,
    engine: Engine,
    outbox: Outbox,
    extracted: _Extracted,
    networked: Sequence[str],
    moment: datetime,
    send_now: date | None,
    report: RunReport,
) -> tuple[list[Delivery], Digest | None]:
    """The digest rows of every channel that sends one, and the digest the files preview
    shows (the first edition's, for everyone).

    Each channel gets its next edition, covering everything first seen since the edition
    it was last planned (so with any schedule, a weekday cron included, a story is in
    exactly one email); channels whose editions match share one rendering."""
    rows: list[Delivery] = []
    digest = None
    for ed in _editions(networked, outbox, moment, settings, send_now=send_now):
        stories = extracted.stories(ArticleStore(engine).first_seen_between(ed.start, ed.end))
        roundup = phases.rank(stories, settings, ed.day)
        email = [c for c in ed.channels if is_email_channel(c)]
        others = [c for c in ed.channels if not is_email_channel(c)]
        audiences = (
            digests_for_audience(SubscriberStore(engine), stories, roundup, settings, ed.day)
            if email and stories
            else []
        )
        everyone = next((d for d in audiences if d.audience.everyone), None)
        shown = everyone or phases.compose_digest(stories, roundup, settings, ed.day)
        for to, variants in ((others, [shown] if shown else []), (email, audiences)):
            for variant in variants if to else []:
                planned = day_deliveries(
                    ed.day,
                    digest=variant,
                    threads=[],
                    roundup_posts=[],
                    channels=to,
                    settings=settings,
                    covers=(ed.start, ed.end),
                )
                for row in planned if send_now is not None else []:
                    row.due_at = moment
                rows += planned
        if digest is None:
            digest = shown
            report.edition = ed.day
            report.digest_stories = len(stories)
            report.subject = shown.subject if shown else None
    return rows, digest


def why_this_edition(
    day: date, now: datetime, settings: Settings, send_now: date | None = None
) -> Edition:
    """Why the files preview shows this edition: sent now by hand, the one ``digest_at``
    names, or the next one a channel's own schedule still has to send."""
    if send_now is not None:
        return Edition(day, "sent now by hand")
    named = edition(now, settings)
    return named if named.day == day else Edition(day, "the next edition still to send")


def run(
    settings: Settings,
    engine: Engine,
    *,
    sources: Sequence[str] | None = None,
    now: datetime | None = None,
    channels: Mapping[str, Channel] | None = None,
    send_now: date | None = None,
) -> RunReport:
    """``plan``, then deliver whatever is due now (``send_now``: see :func:`plan`)."""
    moment = now or datetime.now(UTC)
    live = dict(channels) if channels is not None else channels_for(settings)
    report = plan(settings, engine, sources=sources, now=moment, channels=live, send_now=send_now)
    report.dispatched = deliver_due(settings, engine, live, now=moment)
    outbox = Outbox(engine, settings.schedule)
    report.written = _written(outbox, report.dispatched)
    return report


def deliver_due(
    settings: Settings,
    engine: Engine,
    channels: Mapping[str, Channel],
    *,
    now: datetime | None = None,
    worker_id: str | None = None,
    stop: StopFlag | None = None,
) -> DispatchReport:
    """Everything due on ``channels``, with the email fan-out plugged in. A channel that
    cannot work (its link secret missing) is reported and left out; the others deliver.
    After a round that sent an edition, the web archive is brought up to date."""
    live, expanders, unusable = hooks(settings, engine, channels)
    for name, why in unusable.items():
        log.error("channel %s cannot deliver: %s; its deliveries wait", name, why)
    report = dispatch_due(
        engine,
        settings,
        {n: c for n, c in live.items() if n not in unusable},
        now=now,
        worker_id=worker_id,
        stop=stop,
        outbox=Outbox(engine, settings.schedule),
        expanders=expanders,
    )
    report.auth_failed.update(unusable)
    if report.expanded:
        # An edition went out this round: its page in the web archive.
        archive.after_send(settings, engine, now)
    return report


def _files_row(files: dict[str, str], day: date, now: datetime) -> Delivery:
    # The content's hash is in the key: a changed day is a new preview, written at once.
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode("utf-8") + b"\0" + files[name].encode("utf-8") + b"\0")
    return Delivery(
        channel=FILES_CHANNEL,
        kind=DeliveryKind.PREVIEW,
        idempotency_key=idempotency_key(
            FILES_CHANNEL, DeliveryKind.PREVIEW, h.hexdigest()[:16], day
        ),
        due_at=now,
        payload=FilesPayload(files=files, day=day.isoformat()),
        subject_id="day",
        day=day,
    )


def _not_in_the_past(
    rows: list[Delivery], outbox: Outbox, now: datetime, settings: Settings
) -> list[Delivery]:
    """A thread first planned after its slot went by is spread from now on, not sent stale.

    Spacing is per network (each network's late threads start now, ``thread_gap_minutes``
    apart). One that no longer fits today's posting window goes at the start of the
    next one, or is dropped when ``[schedule] late_threads = "drop"``: never in the
    night. Rows already in the outbox keep their time, so re-planning moves nothing.
    """
    gap = timedelta(minutes=settings.schedule.thread_gap_minutes)
    today = day_times(local_day(now, settings), settings)
    tomorrow = day_times(today.day + timedelta(days=1), settings)
    # Where each network's posting goes on from: after the threads it already has.
    free: dict[str, datetime] = {}
    heads = [r for r in rows if r.kind == DeliveryKind.THREAD_POST and r.parent_key is None]
    stored = {r.idempotency_key: outbox.get_by_key(r.idempotency_key) for r in heads}
    for row in heads:
        known = stored[row.idempotency_key]
        if known is not None:
            after = known.due_at + gap
            free[row.channel] = max(free.get(row.channel, after), after)
    shifted: dict[str, datetime | None] = {}
    for row in rows:
        if row.kind != DeliveryKind.THREAD_POST or row.due_at >= now:
            continue
        if row.parent_key is None:
            if stored[row.idempotency_key] is not None:
                continue
            when: datetime | None = max(now, today.threads_start, free.get(row.channel, now))
            if when is not None and when > today.threads_end:
                # Not tonight: tomorrow's window, or nowhere, as the config says.
                if settings.schedule.late_threads == "drop":
                    when = None
                else:
                    when = max(when, tomorrow.threads_start)
            if when is not None:
                free[row.channel] = when + gap
            shifted[row.idempotency_key] = when
        elif row.parent_key in shifted:
            shifted[row.idempotency_key] = shifted[row.parent_key]
    kept: list[Delivery] = []
    for row in rows:
        if row.idempotency_key in shifted:
            when = shifted[row.idempotency_key]
            if when is None:
                log.info(
                    "%s: %s planned too late for today's window; dropped",
                    row.channel,
                    row.idempotency_key,
                )
                continue
            row.due_at = when
        kept.append(row)
    return kept


def _written(outbox: Outbox, report: DispatchReport) -> list[str]:
    written: list[str] = []
    for row_id in report.sent:
        record = outbox.get(row_id)
        if record is None or record.delivery.channel != FILES_CHANNEL:
            continue
        detail = record.detail or {}
        written.extend(str(p) for p in detail.get("written", []))
    return written

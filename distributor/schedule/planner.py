"""The day's plan: composed output becomes outbox rows, each with its key and time.

Which channel gets what:

- a channel whose class takes ``digest`` (other than ``files``) gets one ``digest``
  row per digest variant, at ``digest_at``; none on a day without new stories;
- each thread goes to the channel named like its network (``x``, ``bluesky``,
  ``mastodon``), one ``thread_post`` row per post; threads are spread through the
  posting window, most important (first given) first, and post *n* carries
  ``parent_key`` = post *n-1*, so it is sent only after, and in reply to, that post;
- the roundup post(s) for a network go at ``roundup_at``, chained the same way;
- ``files`` gets one ``preview`` row with every piece as a file, due with the first
  delivery of the day.

Idempotency keys are ``channel:kind:subject:date`` (a long subject is shortened and
suffixed with its hash), so planning a day again never adds a row.

Payloads, per kind, are the types of :mod:`distributor.payloads`: a ``digest`` row
carries a ``DigestPayload`` (with the span of first sightings it covers when ``run``
plans an edition), each post a ``PostPayload`` (``compose.threads.post_payloads``), the
files preview a ``FilesPayload``.

Rows of a kind or channel named in ``[schedule] require_approval`` are planned
``held`` and wait for ``distributor approve``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from distributor.channels import registry
from distributor.compose.day_files import day_files
from distributor.compose.threads import post_payloads
from distributor.models import Delivery, DeliveryKind, DeliveryState, Digest, Thread
from distributor.payloads import DigestPayload, FilesPayload
from distributor.schedule.times import DayTimes, channel_time, day_times
from distributor.settings import Settings

FILES_CHANNEL = "files"
_MAX_SUBJECT = 160


def idempotency_key(channel: str, kind: DeliveryKind | str, subject: str, day: date) -> str:
    """``channel:kind:subject:date``; stays under the column's 512 characters."""
    if len(subject) > _MAX_SUBJECT:
        digest = hashlib.sha256(subject.encode("utf-8")).hexdigest()[:16]
        subject = f"{subject[:_MAX_SUBJECT]}~{digest}"
    return f"{channel}:{kind}:{subject}:{day.isoformat()}"


def day_deliveries(
    day: date,
    *,
    digest: Digest | None,
    threads: Sequence[Thread],
    roundup_posts: Sequence[Thread],
    channels: Sequence[str],
    settings: Settings,
    kinds: Mapping[str, frozenset[DeliveryKind]] | None = None,
    covers: tuple[datetime, datetime] | None = None,
) -> list[Delivery]:
    """Every delivery of ``day`` for ``channels``, ready for ``Outbox.plan``.

    ``threads`` come most important first; ``kinds`` says which kinds each channel
    takes (default: what each registered channel class declares); ``covers``: the span
    of first sightings the digest's edition covers, kept in its rows.
    """
    times = day_times(day, settings)
    takes = dict(kinds) if kinds is not None else _declared_kinds(channels)
    out: list[Delivery] = []
    for channel in channels:
        if channel == FILES_CHANNEL:
            continue
        accepted = takes.get(channel, frozenset())
        if DeliveryKind.DIGEST in accepted and digest is not None and digest.story_ids:
            when = _channel_time(channel, times.digest_at, times, settings)
            if when is not None:
                out.append(_digest_row(channel, digest, times.day, when, covers))
        if DeliveryKind.THREAD_POST in accepted:
            mine = [t for t in threads if t.network == channel and t.posts]
            for thread, slot in zip(mine, times.thread_slots(len(mine)), strict=True):
                out.extend(_chain(channel, DeliveryKind.THREAD_POST, thread, slot, day))
        if DeliveryKind.ROUNDUP in accepted:
            for thread in roundup_posts:
                if thread.network == channel and thread.posts:
                    when = _channel_time(channel, times.roundup_at, times, settings)
                    if when is not None:
                        out.extend(_chain(channel, DeliveryKind.ROUNDUP, thread, when, day))
    if FILES_CHANNEL in channels:
        first = min([d.due_at for d in out] or [times.digest_at])
        preview = files_preview_delivery(
            day,
            digest=digest,
            threads=threads,
            roundup_posts=roundup_posts,
            due_at=first,
            settings=settings,
        )
        if preview is not None:
            out.append(preview)
    return [_approval(d, settings) for d in out]


def files_preview_delivery(
    day: date,
    *,
    digest: Digest | None,
    threads: Sequence[Thread],
    roundup_posts: Sequence[Thread],
    due_at: datetime,
    settings: Settings | None = None,
) -> Delivery | None:
    """One ``files``-channel row holding the whole day as files under ``<date>/``
    (:func:`distributor.compose.day_files.day_files`; ``run`` adds the roundup files)."""
    files = day_files(
        day,
        digest=digest if digest is not None and digest.story_ids else None,
        threads=_by_network(threads),
        roundup_posts={t.network: t for t in roundup_posts},
        subscribers=settings.subscribers if settings is not None else None,
        email=settings.email if settings is not None else None,
    )
    if not files:
        return None
    return Delivery(
        channel=FILES_CHANNEL,
        kind=DeliveryKind.PREVIEW,
        idempotency_key=idempotency_key(FILES_CHANNEL, DeliveryKind.PREVIEW, "day", day),
        due_at=due_at,
        payload=FilesPayload(files=files, day=day.isoformat()),
        subject_id="day",
        day=day,
    )


def _declared_kinds(channels: Sequence[str]) -> dict[str, frozenset[DeliveryKind]]:
    return {name: registry.get(name).kinds for name in channels if name != FILES_CHANNEL}


def _channel_time(
    channel: str, default: datetime, times: DayTimes, settings: Settings
) -> datetime | None:
    """The channel's own time on this day, if it has one; None: a cron day off."""
    override = settings.schedule.channel_times.get(channel)
    return channel_time(times.day, override, times.zone) if override else default


def _digest_row(
    channel: str,
    digest: Digest,
    day: date,
    due: datetime,
    covers: tuple[datetime, datetime] | None,
) -> Delivery:
    payload: DigestPayload = {
        "subject": digest.subject,
        "preheader": digest.preheader,
        "html": digest.html,
        "text": digest.text,
        "story_ids": list(digest.story_ids),
        "day": digest.day.isoformat(),
        "variant": digest.variant,
    }
    if covers is not None:
        payload["covers_from"] = covers[0].isoformat()
        payload["covers_until"] = covers[1].isoformat()
    return Delivery(
        channel=channel,
        kind=DeliveryKind.DIGEST,
        idempotency_key=idempotency_key(channel, DeliveryKind.DIGEST, digest.variant, day),
        due_at=due,
        payload=payload,
        subject_id=digest.variant,
        day=digest.day,
    )


def _chain(
    channel: str, kind: DeliveryKind, thread: Thread, due: datetime, day: date
) -> list[Delivery]:
    subject = "roundup" if kind == DeliveryKind.ROUNDUP else thread.story_id
    rows: list[Delivery] = []
    for index, payload in enumerate(post_payloads(thread, story_id=subject, day=day)):
        rows.append(
            Delivery(
                channel=channel,
                kind=kind,
                idempotency_key=idempotency_key(channel, kind, f"{subject}#{index}", day),
                due_at=due,
                payload=payload,
                subject_id=subject,
                parent_key=rows[-1].idempotency_key if rows else None,
                day=day,
            )
        )
    return rows


def _approval(d: Delivery, settings: Settings) -> Delivery:
    wanted = settings.schedule.require_approval
    if str(d.kind) in wanted or d.channel in wanted:
        d.state = DeliveryState.HELD
    return d


def _by_network(threads: Sequence[Thread]) -> dict[str, list[Thread]]:
    out: dict[str, list[Thread]] = {}
    for t in threads:
        out.setdefault(t.network, []).append(t)
    return out

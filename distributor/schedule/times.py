"""The publisher's wall-clock schedule, turned into instants.

Times in config are local ``HH:MM`` in the schedule's time zone. Each day's times are
computed from that day's date, so daylight saving moves the instant, not the local
time: 07:00 is 07:00 in summer and winter. Every delivery's idempotency key carries
its date, so a transition can neither skip nor double a send:

- spring forward: a time inside the missing hour (01:30 in London) happens at the
  same offset as just before the change, i.e. one hour later on the new clock
  (02:30 BST);
- fall back: a time that happens twice (01:30) is taken at its first occurrence.

Threads are spread through the posting window in real elapsed time, so a window
that spans a transition keeps its gaps.

A channel's once-a-day time (``channel_times``) may also be a five-field cron
expression such as ``0 7 * * 1-5``. It is matched against the local wall clock: the
day's first matching minute is that day's time, which then goes through :func:`at`
like any ``HH:MM`` (so the same rules hold across transitions), and a day with no
match has no send on that channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from distributor.settings import Settings


def schedule_zone(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.schedule.timezone or settings.publisher.timezone)


def local_day(now: datetime, settings: Settings) -> date:
    """The publisher's date at ``now``: what "today" means for planning."""
    return now.astimezone(schedule_zone(settings)).date()


def at(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``hhmm`` on ``day`` in ``tz`` (see module notes)."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    # fold=0: the first of two occurrences, and the pre-transition offset for a gap.
    local = datetime.combine(day, time(hour, minute), tzinfo=tz).replace(fold=0)
    return local.astimezone(UTC)


def channel_time(day: date, value: str, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of a channel's once-a-day send on ``day``: ``value`` is ``HH:MM``
    or a cron expression; None when the expression does not match ``day``."""
    if " " not in value.strip():
        return at(day, value, tz)
    from croniter import croniter

    # Naive local times: the expression is about the wall clock, not about UTC.
    start = datetime.combine(day, time(0, 0)) - timedelta(minutes=1)
    first: datetime = croniter(value, start).get_next(datetime)
    if first.date() != day:
        return None
    return at(day, first.strftime("%H:%M"), tz)


@dataclass(frozen=True, slots=True)
class DayTimes:
    day: date
    zone: ZoneInfo
    digest_at: datetime
    threads_start: datetime
    threads_end: datetime
    roundup_at: datetime
    gap: timedelta

    def thread_slots(self, count: int) -> list[datetime]:
        """``count`` instants spread evenly through the window, at least ``gap`` apart,
        the first at the window's start. Threads that do not fit go on after the end
        at the same gap rather than being dropped or bunched up."""
        if count <= 0:
            return []
        spacing = max((self.threads_end - self.threads_start) / count, self.gap)
        return [self.threads_start + i * spacing for i in range(count)]


def day_times(day: date, settings: Settings) -> DayTimes:
    s = settings.schedule
    tz = schedule_zone(settings)
    return DayTimes(
        day=day,
        zone=tz,
        digest_at=at(day, s.digest_at, tz),
        threads_start=at(day, s.threads_start, tz),
        threads_end=at(day, s.threads_end, tz),
        roundup_at=at(day, s.roundup_at, tz),
        gap=timedelta(minutes=s.thread_gap_minutes),
    )


# How far to look for a channel's next or previous send: a weekly cron always matches.
_HORIZON = 14


def send_time(channel: str, day: date, settings: Settings) -> datetime | None:
    """When ``channel`` sends ``day``'s digest: its ``channel_times`` entry, else
    ``digest_at``; None on a day its cron expression skips."""
    override = settings.schedule.channel_times.get(channel)
    times = day_times(day, settings)
    return channel_time(day, override, times.zone) if override else times.digest_at


def next_send(channel: str, now: datetime, settings: Settings) -> tuple[date, datetime] | None:
    """The next edition still to go on ``channel``: its day and send time (after ``now``)."""
    today = local_day(now, settings)
    for offset in range(_HORIZON):
        day = today + timedelta(days=offset)
        when = send_time(channel, day, settings)
        if when is not None and when > now:
            return day, when
    return None


def previous_send(channel: str, before: datetime, settings: Settings) -> datetime | None:
    """The channel's last scheduled send before ``before``."""
    day = local_day(before, settings)
    for offset in range(_HORIZON + 1):
        when = send_time(channel, day - timedelta(days=offset), settings)
        if when is not None and when < before:
            return when
    return None

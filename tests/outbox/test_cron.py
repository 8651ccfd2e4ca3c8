"""A channel's once-a-day time as a cron expression, evaluated on the schedule's wall clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from distributor import settings as config
from distributor.errors import ConfigError
from distributor.models import Delivery, DeliveryKind
from distributor.schedule.planner import day_deliveries
from tests.outbox.compose_fixtures import KINDS, digest, roundup, settings

LONDON = ZoneInfo("Europe/London")


def _digests(day: date, when: str, tz: str = "Europe/London") -> list[Delivery]:
    rows = day_deliveries(
        day,
        digest=digest(day),
        threads=[],
        roundup_posts=[],
        channels=["sendgrid"],
        settings=settings(timezone=tz, channel_times={"sendgrid": when}),
        kinds=KINDS,
    )
    return [r for r in rows if r.kind == DeliveryKind.DIGEST]


def test_a_weekday_cron_sends_the_digest_monday_to_friday_at_seven_only() -> None:
    monday = date(2026, 11, 30)
    week = [monday + timedelta(days=i) for i in range(7)]
    planned = {day: _digests(day, "0 7 * * 1-5") for day in week}
    for day in week[:5]:
        (row,) = planned[day]
        assert row.due_at.astimezone(LONDON).strftime("%a %H:%M") == day.strftime("%a 07:00")
    assert planned[week[5]] == [] and planned[week[6]] == []  # no digest at the weekend


def test_a_cron_time_follows_the_local_clock_in_summer_and_winter() -> None:
    summer, winter = (
        _digests(date(2026, 7, 1), "15 6 * * *"),
        _digests(date(2026, 12, 1), "15 6 * * *"),
    )
    assert summer[0].due_at == datetime(2026, 7, 1, 5, 15, tzinfo=UTC)  # BST
    assert winter[0].due_at == datetime(2026, 12, 1, 6, 15, tzinfo=UTC)  # GMT


def test_a_cron_time_in_the_missing_hour_goes_once_just_after_the_change() -> None:
    # 2027-03-28: London's clocks jump from 01:00 GMT to 02:00 BST; 01:30 never happens.
    days = [date(2027, 3, 27), date(2027, 3, 28), date(2027, 3, 29)]
    rows = [_digests(day, "30 1 * * *") for day in days]
    assert [len(r) for r in rows] == [1, 1, 1]
    gap_day = rows[1][0].due_at
    assert gap_day == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 02:30 BST, after the jump
    assert gap_day.astimezone(LONDON).strftime("%H:%M") == "02:30"
    keys = {r[0].idempotency_key for r in rows}
    assert len(keys) == 3  # one send a day, each its own key: neither skipped nor doubled


def test_a_cron_time_in_the_repeated_hour_goes_once_at_its_first_occurrence() -> None:
    # 2026-10-25: 01:00-02:00 happens twice in London (BST, then GMT).
    (row,) = _digests(date(2026, 10, 25), "30 1 * * *")
    assert row.due_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, the first
    every_quarter = _digests(date(2026, 10, 25), "*/15 1 * * *")
    assert [r.due_at for r in every_quarter] == [datetime(2026, 10, 25, 0, 0, tzinfo=UTC)]


def test_a_cron_roundup_goes_only_on_the_days_it_names() -> None:
    def roundups(day: date) -> list[Delivery]:
        rows = day_deliveries(
            day,
            digest=None,
            threads=[],
            roundup_posts=[roundup("x")],
            channels=["x"],
            settings=settings(channel_times={"x": "0 17 * * 6"}),
            kinds=KINDS,
        )
        return [r for r in rows if r.kind == DeliveryKind.ROUNDUP]

    saturday, sunday = date(2026, 12, 5), date(2026, 12, 6)
    assert roundups(sunday) == []
    assert {r.due_at.astimezone(LONDON).strftime("%H:%M") for r in roundups(saturday)} == {"17:00"}


def test_daily_times_and_cron_expressions_mix() -> None:
    s = settings(channel_times={"sendgrid": "06:30", "x": "0 19 * * 1-5"}).schedule
    assert s.channel_times == {"sendgrid": "06:30", "x": "0 19 * * 1-5"}


@pytest.mark.parametrize(
    "value",
    ["0 7 * *", "61 7 * * *", "0 7 * * mon-fri-sat", "0 0 7 * * 1-5", "seven"],
)
def test_a_bad_cron_expression_is_refused_at_load_naming_the_key(
    tmp_path: Path, value: str
) -> None:
    path = tmp_path / "distributor.toml"
    path.write_text(f'[schedule]\nchannel_times = {{ sendgrid = "{value}" }}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        config.load(path)
    message = str(err.value)
    assert str(path) in message and "schedule.channel_times.sendgrid" in message
    assert "cron expression such as '0 7 * * 1-5'" in message and repr(value) in message

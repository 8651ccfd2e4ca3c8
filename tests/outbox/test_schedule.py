"""Times in the publisher's zone across daylight saving, and the day's plan."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from distributor.models import DeliveryKind, DeliveryState, SendResult
from distributor.payloads import parse_post
from distributor.schedule.clock import FakeClock
from distributor.schedule.planner import day_deliveries, idempotency_key
from distributor.schedule.times import at, day_times, local_day
from distributor.store.outbox import Outbox
from tests.outbox.compose_fixtures import DAY, KINDS, digest, roundup, settings, thread

LONDON = ZoneInfo("Europe/London")
SPRING = date(2026, 3, 29)  # clocks go forward at 01:00 GMT
AUTUMN = date(2026, 10, 25)  # clocks go back at 02:00 BST


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_seven_oclock_stays_seven_oclock_local_across_both_changes() -> None:
    assert at(date(2026, 3, 28), "07:00", LONDON) == _utc(2026, 3, 28, 7)
    assert at(SPRING, "07:00", LONDON) == _utc(2026, 3, 29, 6)
    assert at(date(2026, 10, 24), "07:00", LONDON) == _utc(2026, 10, 24, 6)
    assert at(AUTUMN, "07:00", LONDON) == _utc(2026, 10, 25, 7)


def test_a_time_in_the_missing_hour_goes_once_just_after_the_change() -> None:
    assert at(SPRING, "01:30", LONDON) == _utc(2026, 3, 29, 1, 30)  # 02:30 BST


def test_a_time_that_happens_twice_goes_at_the_first() -> None:
    assert at(AUTUMN, "01:30", LONDON) == _utc(2026, 10, 25, 0, 30)  # 01:30 BST


def test_threads_are_spread_through_the_window() -> None:
    times = day_times(DAY, settings(threads_start="08:00", threads_end="20:00"))
    slots = times.thread_slots(3)
    assert [s.astimezone(LONDON).strftime("%H:%M") for s in slots] == ["08:00", "12:00", "16:00"]


def test_threads_keep_the_minimum_gap_when_the_window_is_too_small() -> None:
    times = day_times(
        DAY, settings(threads_start="08:00", threads_end="09:00", thread_gap_minutes=45)
    )
    slots = times.thread_slots(3)
    assert [s.astimezone(LONDON).strftime("%H:%M") for s in slots] == ["08:00", "08:45", "09:30"]


def test_a_window_spanning_the_change_keeps_real_gaps() -> None:
    times = day_times(SPRING, settings(threads_start="00:00", threads_end="04:00"))
    slots = times.thread_slots(3)  # the window is 3 real hours long that night
    assert [b - a for a, b in itertools.pairwise(slots)] == [timedelta(hours=1)] * 2


@given(
    count=st.integers(min_value=1, max_value=60),
    gap=st.integers(min_value=0, max_value=180),
    day=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
)
def test_slots_start_at_the_window_and_are_never_closer_than_the_gap(
    count: int, gap: int, day: date
) -> None:
    times = day_times(day, settings(thread_gap_minutes=gap))
    slots = times.thread_slots(count)
    assert slots[0] == times.threads_start and len(slots) == count
    assert all(b - a >= timedelta(minutes=gap) for a, b in itertools.pairwise(slots))


def test_local_day_is_the_publishers_date() -> None:
    assert local_day(_utc(2026, 6, 30, 23, 30), settings()) == date(2026, 7, 1)


def test_simulated_days_across_both_changes_send_each_digest_once(engine: Engine) -> None:
    cfg = settings(digest_at="01:30", stale_after_minutes=0)
    box = Outbox(engine, cfg.schedule)
    for start in (date(2026, 3, 27), date(2026, 10, 23)):
        clock = FakeClock(at(start, "00:00", LONDON))
        sent_on: list[date] = []
        while local_day(clock.now(), cfg) < start + timedelta(days=4):
            today = local_day(clock.now(), cfg)
            # The planner runs every 15 minutes, as a worker's periodic plan would.
            box.plan(
                day_deliveries(
                    today,
                    digest=digest(today),
                    threads=[],
                    roundup_posts=[],
                    channels=["sendgrid"],
                    settings=cfg,
                    kinds=KINDS,
                ),
                now=clock.now(),
            )
            for row in box.claim_due(clock.now(), 10, "w"):
                box.mark_sent(row.id or 0, SendResult(None), now=clock.now())
                sent_on.append(local_day(clock.now(), cfg))
            clock.advance(timedelta(minutes=15))
        assert sent_on == [start + timedelta(days=i) for i in range(4)]


def test_no_digest_row_without_new_stories() -> None:
    for empty in (None, digest(story_ids=())):
        rows = day_deliveries(
            DAY,
            digest=empty,
            threads=[],
            roundup_posts=[],
            channels=["sendgrid"],
            settings=settings(),
            kinds=KINDS,
        )
        assert rows == []


def test_the_plan_routes_each_piece_to_its_channel_at_its_time() -> None:
    cfg = settings(digest_at="07:00", roundup_at="18:00", thread_gap_minutes=30)
    rows = day_deliveries(
        DAY,
        digest=digest(),
        threads=[thread("x", "budget"), thread("bluesky", "budget"), thread("x", "roads", 2)],
        roundup_posts=[roundup("x")],
        channels=["sendgrid", "x"],
        settings=cfg,
        kinds=KINDS,
    )
    local = {d.idempotency_key: d.due_at.astimezone(LONDON).strftime("%H:%M") for d in rows}
    assert [d.kind for d in rows if d.channel == "sendgrid"] == [DeliveryKind.DIGEST]
    assert local[idempotency_key("sendgrid", "digest", "all", DAY)] == "07:00"
    x_posts = [d for d in rows if d.channel == "x" and d.kind == DeliveryKind.THREAD_POST]
    assert [(d.payload["story_id"], d.payload["index"]) for d in x_posts] == [
        ("https://news.example.org/budget", 0),
        ("https://news.example.org/budget", 1),
        ("https://news.example.org/budget", 2),
        ("https://news.example.org/roads", 0),
        ("https://news.example.org/roads", 1),
    ]
    assert {local[d.idempotency_key] for d in x_posts[:3]} == {"08:00"}
    assert {local[d.idempotency_key] for d in x_posts[3:]} == {"14:00"}
    assert all(d.channel != "bluesky" for d in rows)  # not an active channel
    (roundup_row,) = [d for d in rows if d.kind == DeliveryKind.ROUNDUP]
    assert local[roundup_row.idempotency_key] == "18:00"


def test_each_post_replies_to_the_one_before() -> None:
    rows = day_deliveries(
        DAY,
        digest=None,
        threads=[thread("x", "budget", 4)],
        roundup_posts=[],
        channels=["x"],
        settings=settings(),
        kinds=KINDS,
    )
    assert rows[0].parent_key is None
    assert [d.parent_key for d in rows[1:]] == [d.idempotency_key for d in rows[:-1]]
    assert [d.payload["count"] for d in rows] == [4] * 4


def test_keys_are_stable_and_bounded() -> None:
    def plan() -> list[str]:
        long = thread("x", "a" * 3000, 2)
        rows = day_deliveries(
            DAY,
            digest=digest(),
            threads=[long],
            roundup_posts=[],
            channels=["sendgrid", "x"],
            settings=settings(),
            kinds=KINDS,
        )
        return [d.idempotency_key for d in rows]

    keys = plan()
    assert keys == plan()
    assert len(set(keys)) == len(keys) and max(len(k) for k in keys) < 512


def test_kinds_and_channels_needing_approval_are_planned_held() -> None:
    rows = day_deliveries(
        DAY,
        digest=digest(),
        threads=[thread("x", "budget", 2)],
        roundup_posts=[],
        channels=["sendgrid", "x"],
        settings=settings(require_approval=("digest",)),
        kinds=KINDS,
    )
    states = {(d.channel, d.state) for d in rows}
    assert states == {("sendgrid", DeliveryState.HELD), ("x", DeliveryState.PLANNED)}
    rows = day_deliveries(
        DAY,
        digest=digest(),
        threads=[thread("x", "budget", 2)],
        roundup_posts=[],
        channels=["sendgrid", "x"],
        settings=settings(require_approval=("x",)),
        kinds=KINDS,
    )
    assert {(d.channel, d.state) for d in rows} == {
        ("sendgrid", DeliveryState.PLANNED),
        ("x", DeliveryState.HELD),
    }


def test_the_files_channel_gets_a_preview_of_the_whole_day() -> None:
    rows = day_deliveries(
        DAY,
        digest=digest(),
        threads=[thread("x", "budget", 2), thread("bluesky", "roads", 1)],
        roundup_posts=[roundup("x")],
        channels=["files"],
        settings=settings(),
        kinds=KINDS,
    )
    (preview,) = rows
    assert preview.kind == DeliveryKind.PREVIEW and preview.channel == "files"
    files = preview.payload["files"]
    assert isinstance(files, dict)
    # The same files, named the same, as run writes (compose.day_files).
    assert set(files) == {
        "2026-11-27/digest.html",
        "2026-11-27/digest.txt",
        "2026-11-27/digest.json",
        "2026-11-27/threads/x/01-budget.txt",
        "2026-11-27/threads/bluesky/01-roads.txt",
        "2026-11-27/roundup-post/x.txt",
    }
    assert files["2026-11-27/threads/x/01-budget.txt"] == (
        "--- 1/2\nbudget part 1\n\n--- 2/2\nbudget part 2\n"
    )


def test_a_channel_can_have_its_own_time() -> None:
    rows = day_deliveries(
        DAY,
        digest=digest(),
        threads=[],
        roundup_posts=[roundup("x")],
        channels=["sendgrid", "x"],
        settings=settings(channel_times={"sendgrid": "06:30", "x": "17:15"}),
        kinds=KINDS,
    )
    local = {d.channel: d.due_at.astimezone(LONDON).strftime("%H:%M") for d in rows}
    assert local == {"sendgrid": "06:30", "x": "17:15"}


def test_payloads_keep_the_shape_rows_were_stored_with() -> None:
    # Rows already in a database were written with these keys: planning the day again
    # finds them unchanged (the same content hash), and they are read without a migration.
    start, end = datetime(2026, 11, 26, 7, tzinfo=UTC), datetime(2026, 11, 27, 7, tzinfo=UTC)
    rows = day_deliveries(
        DAY,
        digest=digest(),
        threads=[thread("x", "budget", 2)],
        roundup_posts=[roundup("x")],
        channels=["sendgrid", "x", "files"],
        settings=settings(),
        kinds=KINDS,
        covers=(start, end),
    )
    post = {"text", "link", "network", "story_id", "index", "position", "count", "day"}
    assert [(str(d.kind), set(d.payload)) for d in rows] == [
        (
            "digest",
            {"subject", "preheader", "html", "text", "story_ids", "day", "variant"}
            | {"covers_from", "covers_until"},
        ),
        ("thread_post", post | {"link_title"}),
        ("thread_post", post),
        ("roundup", post),
        ("preview", {"files", "day"}),
    ]
    assert rows[0].payload["covers_until"] == "2026-11-27T07:00:00+00:00"
    # A post planned before posts carried their link card's title is still read.
    older = {k: v for k, v in rows[1].payload.items() if k not in ("link_title", "position")}
    assert parse_post(replace(rows[1], payload=older))["link"] == "https://news.example.org/budget"

"""Every story reaches exactly one digest, whatever the schedule: a simulated week
through ``run`` on a fixed clock, with a story first seen every two hours."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from distributor import settings as config
from distributor.pipeline.run import run
from distributor.store.subscribers import SubscriberStore
from tests.email_delivery.day import site
from tests.email_delivery.sendgrid_server import SendGridServer

MONDAY = datetime(2026, 11, 30, 0, 46, tzinfo=UTC)  # London is on UTC in winter
_STORY = re.compile(r"Story number (\d+) about the budget")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("channel_time", "days", "runs", "expected_sends"),
    [
        # Weekdays at 07:00 only: Saturday's and Sunday's stories go on Monday. A run
        # every two hours, each with a new story.
        ("0 7 * * 1-5", 7, [timedelta(0)], 6),
        # Sent at 06:30 while digest_at says 07:00: the 06:31 run sends, and the story
        # first seen at 06:46 goes in tomorrow's email. Runs at :31 and :46 every hour.
        ("06:30", 3, [timedelta(minutes=-15), timedelta(0)], 4),
    ],
)
def test_a_week_of_stories_each_in_exactly_one_digest(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
    channel_time: str,
    days: int,
    runs: list[timedelta],
    expected_sends: int,
) -> None:
    mapping = site(tmp_path, sendgrid_server, db_url)
    news = tmp_path / "news"
    for old in news.iterdir():
        old.unlink()
    mapping["delivery"] = {"channels": ["sendgrid"]}
    mapping["schedule"] = {"digest_at": "07:00", "channel_times": {"sendgrid": channel_time}}
    cfg = config.from_mapping(mapping, base_dir=tmp_path)
    SubscriberStore(engine).add("reader@example.org")

    step = timedelta(hours=2) if len(runs) == 1 else timedelta(hours=1)
    now, seen = MONDAY, 0
    # The days of stories, then runs until the next email that covers them has gone
    # (the following Monday's, for the weekday cron).
    until = MONDAY + timedelta(days=days + 1, hours=8)
    while now < until:
        for offset in runs:
            if offset == timedelta(0) and now < MONDAY + timedelta(days=days):
                (news / f"s{seen:03d}.txt").write_text(
                    f"Story number {seen} about the budget\n"
                    f"The Treasury set out plan {seen} for £{seen + 1}m of spending.\n",
                    encoding="utf-8",
                )
                seen += 1
            report = run(cfg, engine, now=now + offset)
            assert report.dispatched.failed == [] and report.dispatched.uncertain == []
        now += step

    sends = [r for r in sendgrid_server.sends if r.answered == "202"]
    assert len(sends) == expected_sends
    counts: Counter[int] = Counter()
    for request in sends:
        text = next(c["value"] for c in request.body["content"] if c["type"] == "text/plain")
        counts.update({int(n) for n in _STORY.findall(text)})
    missing = sorted(set(range(seen)) - set(counts))
    twice = sorted(n for n, c in counts.items() if c > 1)
    assert (missing, twice) == ([], [])

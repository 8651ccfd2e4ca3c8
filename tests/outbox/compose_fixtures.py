"""Hand-made composed output for planner tests (wording is our own)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from distributor.models import DeliveryKind, Digest, Post, Thread
from distributor.settings import ScheduleSettings, Settings

DAY = date(2026, 11, 27)
KINDS = {
    "sendgrid": frozenset({DeliveryKind.DIGEST}),
    "x": frozenset({DeliveryKind.THREAD_POST, DeliveryKind.ROUNDUP}),
    "bluesky": frozenset({DeliveryKind.THREAD_POST, DeliveryKind.ROUNDUP}),
}


def settings(**schedule: object) -> Settings:
    return replace(Settings(), schedule=ScheduleSettings(**schedule))  # type: ignore[arg-type]


def digest(day: date = DAY, story_ids: tuple[str, ...] = ("s1", "s2")) -> Digest:
    return Digest(
        day=day,
        subject="Council budget passes",
        preheader="and two more stories",
        html="<p>Council budget passes</p>",
        text="Council budget passes",
        story_ids=story_ids,
    )


def thread(network: str, story: str, posts: int = 3) -> Thread:
    return Thread(
        network=network,
        story_id=f"https://news.example.org/{story}",
        posts=tuple(
            Post(
                text=f"{story} part {i + 1}",
                link=f"https://news.example.org/{story}" if i == 0 else None,
            )
            for i in range(posts)
        ),
    )


def roundup(network: str) -> Thread:
    return Thread(
        network=network,
        story_id="roundup",
        posts=(Post(text="Today's other stories"),),
        kind="roundup",
    )

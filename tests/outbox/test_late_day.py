"""A day planned late (the machine was down until the evening): every network's threads
are spaced on their own and stay inside a posting window, never in the night."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from distributor import settings as config
from distributor.models import DeliveryKind
from distributor.pipeline.run import plan
from distributor.store.outbox import Outbox

# London is on UTC in winter: the window is 08:00-20:00, threads 30 minutes apart.
EVENING = datetime(2026, 11, 30, 18, 10, tzinfo=UTC)
START, END = datetime(2026, 11, 30, 8, 0, tzinfo=UTC), datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
NEXT_START, NEXT_END = START + timedelta(days=1), END + timedelta(days=1)
NETWORKS = ["x", "bluesky", "mastodon"]


def _site(tmp_path: Path, db_url: str, **schedule: Any) -> config.Settings:
    news = tmp_path / "news"
    news.mkdir()
    for i in range(6):
        (news / f"n{i}.txt").write_text(
            f"Council plan number {i} approved\n"
            f"The council approved plan {i}, worth £{i + 2}m, on Monday.\n",
            encoding="utf-8",
        )
    mapping: dict[str, Any] = {
        "ingest": {"sources": [str(news)]},
        "database": {"url": db_url},
        "output": {"dir": str(tmp_path / "out")},
        "delivery": {"channels": ["files", *NETWORKS]},
        # An instance that does not answer: the default Mastodon rule, at once.
        "channels": {"mastodon": {"base_url": "http://127.0.0.1:9", "timeout_seconds": 1.0}},
        "schedule": {"threads_start": "08:00", "threads_end": "20:00", **schedule},
    }
    return config.from_mapping(mapping, base_dir=tmp_path)


def _heads(engine: Engine, network: str) -> list[datetime]:
    rows = Outbox(engine).records(channel=network, kind=str(DeliveryKind.THREAD_POST))
    return sorted(r.delivery.due_at for r in rows if r.delivery.parent_key is None)


@pytest.mark.parametrize("late_threads", ["next_window", "drop"])
def test_late_threads_are_spaced_per_network_and_kept_inside_a_window(
    tmp_path: Path, engine: Engine, db_url: str, late_threads: str
) -> None:
    cfg = _site(tmp_path, db_url, late_threads=late_threads)
    plan(cfg, engine, now=EVENING)
    for network in NETWORKS:
        heads = _heads(engine, network)
        assert heads, network
        # Each network starts now: one network's threads do not push another's back.
        assert heads[0] == EVENING, network
        gaps = [b - a for a, b in itertools.pairwise(heads)]
        assert all(g >= timedelta(minutes=30) for g in gaps), network
        for due in heads:
            assert EVENING <= due <= END or NEXT_START <= due <= NEXT_END, (network, due)
        if late_threads == "drop":
            assert all(due <= END for due in heads), network
        else:
            assert any(due >= NEXT_START for due in heads), network  # 6 do not fit by 20:00
    # Planning again moves nothing.
    before = {n: _heads(engine, n) for n in NETWORKS}
    plan(cfg, engine, now=EVENING + timedelta(minutes=20))
    assert {n: _heads(engine, n) for n in NETWORKS} == before

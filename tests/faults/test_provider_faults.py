"""The provider answering 429, 500, slowly, or not at all for a while, with the real
clients against local servers and a clock moved forward by hand: once it recovers,
everything goes exactly once, before it is stale, and never sooner than it was told."""

from __future__ import annotations

import socket
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from distributor import settings as config
from distributor.channels.sendgrid import SendGridChannel, SendGridOptions
from distributor.models import DeliveryState
from distributor.pipeline.run import channels_for, deliver_due, plan
from distributor.store.outbox import Outbox
from tests.email_delivery.day import AT_SEVEN, BEFORE, EVERYONE, received, site, subscribe
from tests.email_delivery.sendgrid_server import SendGridServer
from tests.faults.test_kill_thread import (  # noqa: F401  (servers is a fixture)
    ARTICLES,
    AT_EIGHT,
    EARLY,
    posted,
    servers,
)
from tests.servers.base import Reply

pytestmark = pytest.mark.slow
TICK = timedelta(minutes=5)


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _delivered_once(box: Outbox, channel: str, start: datetime, cfg: config.Settings) -> None:
    rows = [r for r in box.records() if r.delivery.channel == channel]
    assert rows and {r.delivery.state for r in rows} == {DeliveryState.SENT}
    stale = timedelta(minutes=cfg.schedule.stale_after_minutes)
    assert all(r.sent_at is not None and r.sent_at <= start + stale for r in rows)


@pytest.mark.parametrize("fault", ["429", "500", "slow"])
def test_the_digest_reaches_everyone_once_after_the_provider_struggles(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
    fault: str,
) -> None:
    cfg = config.from_mapping(site(tmp_path, sendgrid_server, db_url), base_dir=tmp_path)
    subscribe(engine)
    plan(cfg, engine, now=BEFORE)
    box = Outbox(engine, cfg.schedule)
    sendgrid = channels_for(cfg)["sendgrid"]
    sendgrid_server.inject(*[fault] * (2 if fault == "slow" else 6))

    now = AT_SEVEN
    while now < AT_SEVEN + timedelta(hours=2):
        before = len(sendgrid_server.sends)
        report = deliver_due(cfg, engine, {"sendgrid": sendgrid}, now=now)
        assert report.failed == [] and report.uncertain == []
        if report.retrying:
            # Backoff is honoured: the same rows are not tried again a moment later.
            deliver_due(cfg, engine, {"sendgrid": sendgrid}, now=now + timedelta(seconds=10))
            assert len(sendgrid_server.sends) == before + len(report.retrying) + len(report.sent)
        now += TICK

    got = received(sendgrid_server)
    assert set(got) == EVERYONE and max(got.values()) == 1
    _delivered_once(box, "sendgrid", AT_SEVEN, cfg)
    if fault != "slow":
        assert Counter(r.answered for r in sendgrid_server.sends)[fault] == 6


def test_the_digest_goes_once_sendgrid_answers_again_after_being_unreachable(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
) -> None:
    cfg = config.from_mapping(site(tmp_path, sendgrid_server, db_url), base_dir=tmp_path)
    subscribe(engine)
    plan(cfg, engine, now=BEFORE)
    box = Outbox(engine, cfg.schedule)
    down = SendGridChannel(
        cfg,
        SendGridOptions(
            api_host=f"http://127.0.0.1:{_dead_port()}",
            from_email="digest@news.example.org",
            asm_group_id=4242,
        ),
    )
    now = AT_SEVEN
    while now < AT_SEVEN + timedelta(minutes=40):  # nothing listening: connection refused
        report = deliver_due(cfg, engine, {"sendgrid": down}, now=now)
        assert report.sent == [] and report.uncertain == [] and report.failed == []
        now += TICK
    assert sendgrid_server.sends == []
    live = channels_for(cfg)["sendgrid"]
    while now < AT_SEVEN + timedelta(hours=3):
        deliver_due(cfg, engine, {"sendgrid": live}, now=now)
        now += TICK
    got = received(sendgrid_server)
    assert set(got) == EVERYONE and max(got.values()) == 1
    _delivered_once(box, "sendgrid", AT_SEVEN, cfg)


@pytest.mark.parametrize("network", ["x", "bluesky", "mastodon"])
@pytest.mark.parametrize("status", [429, 500])
def test_a_thread_goes_once_in_order_after_the_network_fails_for_a_while(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    servers: dict[str, Any],  # noqa: F811
    network: str,
    status: int,
) -> None:
    news = tmp_path / "news"
    news.mkdir()
    for name, text in ARTICLES.items():
        (news / name).write_text(text, encoding="utf-8")
    server = servers[network]
    cfg = config.from_mapping(
        {
            "ingest": {"sources": [str(news)]},
            "database": {"url": db_url},
            "output": {"dir": str(tmp_path / "out")},
            "delivery": {"channels": ["files", network]},
            "channels": {network: {"base_url": server.url}},
        },
        base_dir=tmp_path,
    )
    plan(cfg, engine, now=EARLY)
    box = Outbox(engine, cfg.schedule)
    due = [r for r in box.records() if r.delivery.channel == network]
    first = [r for r in due if r.delivery.due_at <= AT_EIGHT]
    wait = 600  # seconds the provider says to wait
    headers = {
        "x": {"x-rate-limit-reset": str(int(time.time()) + wait)},
        "bluesky": {"ratelimit-reset": str(int(time.time()) + wait)},
        "mastodon": {
            "x-ratelimit-reset": time.strftime(
                "%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + wait)
            )
        },
    }[network]
    reply = Reply(status, {"error": "try later"}, headers if status == 429 else {})
    path = {"x": "/2/tweets", "bluesky": "createRecord", "mastodon": "/api/v1/statuses"}[network]
    server.fail_next(path, reply, times=3)

    channel = channels_for(cfg)[network]
    now, tries = AT_EIGHT, []
    while now < AT_EIGHT + timedelta(hours=2):
        before = len(server.calls(path))
        deliver_due(cfg, engine, {network: channel}, now=now)
        if len(server.calls(path)) > before:
            tries.append(now)
        now += timedelta(minutes=1)

    texts = posted(network, server)
    assert len(texts) == len(first) and max(Counter(texts).values()) == 1
    assert all(
        box.get_by_key(r.delivery.idempotency_key).state == DeliveryState.SENT  # type: ignore[union-attr]
        for r in first
    )
    if status == 429:  # never sooner than the provider asked
        assert tries[1] - tries[0] >= timedelta(seconds=wait - 5)
    assert len(server.calls(path)) == len(first) + 3  # three refusals, then each post once

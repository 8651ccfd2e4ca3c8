"""The digest through the whole job: run plans it, the outbox fans it out at digest time,
the real sendgrid client posts each batch once to a spec-checking server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from distributor import settings as config
from distributor.pipeline.run import run
from distributor.store.outbox import Outbox
from distributor.store.subscribers import SubscriberStore
from tests.email_delivery.day import AT_SEVEN, BEFORE, site, subscribe
from tests.email_delivery.sendgrid_server import SendGridServer


def test_the_digest_goes_once_at_seven_to_every_audience_in_batches(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
) -> None:
    cfg = config.from_mapping(site(tmp_path, sendgrid_server, db_url), base_dir=tmp_path)
    store = SubscriberStore(engine)
    subscribe(engine)

    early = run(cfg, engine, now=BEFORE)
    assert early.new == 2 and early.edition.isoformat() == "2026-11-30"
    assert sendgrid_server.sends == []  # planned, not due before 07:00
    assert list((tmp_path / "out").glob("*/digest.html"))  # the preview is written at once

    store.unsubscribe("all0005@example.org")  # after planning, before sending
    at_seven = run(cfg, engine, now=AT_SEVEN)
    assert at_seven.dispatched.failed == [] and at_seven.dispatched.uncertain == []
    sent = [p["to"][0]["email"] for r in sendgrid_server.sends for p in r.body["personalizations"]]
    assert len(sent) == len(set(sent)) == 1200 - 1 + 30
    assert "all0005@example.org" not in sent
    assert all(len(r.body["personalizations"]) <= 1000 for r in sendgrid_server.sends)
    health = [r for r in sendgrid_server.sends if "health000@example.org" in str(r.body)]
    assert len(health) == 1 and "Health clinics open late" in str(health[0].body)

    again = run(cfg, engine, now=datetime(2026, 11, 30, 7, 30, tzinfo=UTC))
    assert again.dispatched.sent == []
    assert len(sendgrid_server.sends) == 3
    states = Outbox(engine, cfg.schedule).counts()
    assert "uncertain" not in str(states)

"""The digest through the whole job: run plans it, the outbox fans it out at digest time,
the real sendgrid client posts each batch once to a spec-checking server."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from distributor import settings as config
from distributor.pipeline.run import run
from distributor.store.outbox import Outbox
from distributor.store.subscribers import SubscriberStore
from tests.email_delivery.conftest import API_KEY  # noqa: F401  (the server's key)
from tests.email_delivery.sendgrid_server import SendGridServer

BEFORE = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # 05:00 in London: before digest_at
AT_SEVEN = datetime(2026, 11, 30, 7, 1, tzinfo=UTC)


def _site(tmp_path: Path, server: SendGridServer, db: str) -> config.Settings:
    news = tmp_path / "news"
    news.mkdir()
    (news / "buses.txt").write_text(
        "Rural bus routes to get £150m\n"
        "Ministers said on Monday that 300 rural bus routes will be saved.\n",
        encoding="utf-8",
    )
    (news / "clinics.md").write_text(
        "---\ntitle: Health clinics open late\ntags: [health]\n"
        "url: https://news.example.org/health/clinics\n---\n"
        "Forty clinics will open until 9pm from January.\n",
        encoding="utf-8",
    )
    return config.from_mapping(
        {
            "ingest": {"sources": [str(news)]},
            "database": {"url": db},
            "output": {"dir": str(tmp_path / "out")},
            "delivery": {"channels": ["files", "sendgrid"]},
            "channels": {
                "sendgrid": {
                    "api_host": server.url,
                    "from_email": "digest@news.example.org",
                    "asm_group_id": 4242,
                    "timeout_seconds": 20.0,
                }
            },
        },
        base_dir=tmp_path,
    )


def _subscribers(store: SubscriberStore) -> None:
    rows = [f"all{i:04d}@example.org,Reader {i}," for i in range(1200)]
    rows += [f"health{i:03d}@example.org,Nurse {i},health" for i in range(30)]
    store.import_csv(io.StringIO("email,name,topics\n" + "\n".join(rows) + "\n"))


def test_the_digest_goes_once_at_seven_to_every_audience_in_batches(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
) -> None:
    cfg = _site(tmp_path, sendgrid_server, db_url)
    store = SubscriberStore(engine)
    _subscribers(store)

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

"""`distributor report` and `status`'s mail warnings, from an edition recorded in the
outbox and SendGrid's events posted, signed, through the real webhook, on SQLite and
PostgreSQL."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import Engine

from distributor.cli import main
from distributor.models import Article, DeliveryState
from distributor.settings import Settings
from distributor.store.articles import ArticleStore
from distributor.store.subscribers import SubscriberStore
from distributor.web.app import build
from distributor.web.server import Limits
from distributor.web.webhook import MAX_BODY
from tests.config_file import write_config
from tests.email_delivery.conftest import LINK_SECRET
from tests.email_delivery.event_webhook import SendGrid, event
from tests.email_delivery.ledger import posted_thread, sent_edition
from tests.email_delivery.link_server import link_value, serving

EDITION = datetime.now(UTC).date() - timedelta(days=1)
BUSES = "https://news.example.org/transport/rural-buses"
CLINICS = "https://news.example.org/health/clinics"
UNSUBSCRIBE = "https://news.example.org/unsubscribe"
READERS = [f"r{i}@example.org" for i in range(10)]


@pytest.fixture
def app(engine: Engine, sendgrid: SendGrid) -> Iterator[str]:
    web = build(Settings(), engine)
    with serving(web.app, Limits(max_body=MAX_BODY, threads=2)) as base:
        yield base


def _of(day: date, batch: str, kind: str, email: str, **fields: Any) -> dict[str, Any]:
    """An event of the edition of ``day``, from its batch ``batch``."""
    return event(
        kind,
        email,
        digest_date=day.isoformat(),
        batch_key=batch,
        category=["digest", f"digest-{day}", "variant-all"],
        **fields,
    )


def _config(tmp_path: Path, db_url: str) -> Path:
    return write_config(tmp_path / "distributor.toml", {"database": {"url": db_url}})


def _cli(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args])
    return result.exit_code, result.stdout


def test_the_report_counts_each_reader_once_from_the_editions_own_events(
    engine: Engine, app: str, sendgrid: SendGrid, tmp_path: Path, db_url: str
) -> None:
    store = SubscriberStore(engine)
    store.import_csv(io.StringIO("email\n" + "\n".join(READERS)))
    ArticleStore(engine).record(
        [
            Article(source_id="gov", guid="b", title="Rural buses saved", body="x", url=BUSES),
            Article(source_id="gov", guid="c", title="Clinics open late", body="x", url=CLINICS),
        ]
    )
    first, second = sent_edition(engine, EDITION, [6, 4], [BUSES, CLINICS])
    posted_thread(engine, BUSES, "x", EDITION, state=DeliveryState.SENT)
    posted_thread(engine, BUSES, "bluesky", EDITION, state=DeliveryState.SENT)
    posted_thread(engine, BUSES, "mastodon", EDITION, state=DeliveryState.FAILED)
    r = READERS
    events = [_of(EDITION, first if i < 6 else second, "delivered", r[i]) for i in range(9)]
    events += [
        _of(EDITION, first, "open", r[0]),
        _of(EDITION, first, "open", r[0]),  # the same reader again: one opener
        _of(EDITION, first, "open", r[1]),
        _of(EDITION, first, "open", r[2]),
        _of(EDITION, first, "click", r[0], url=f"{BUSES}?utm_source=newsletter"),
        _of(EDITION, first, "click", r[0], url=BUSES),
        _of(EDITION, first, "click", r[1], url=BUSES),
        _of(EDITION, first, "click", r[1], url=CLINICS),
        # A click on the unsubscribe link is no click on the edition's content.
        _of(EDITION, first, "click", r[2], url=f"{UNSUBSCRIBE}?u=abc"),
        _of(EDITION, second, "bounce", r[9], type="bounce", reason="550 no such user"),
        _of(EDITION, first, "bounce", r[5], type="blocked", reason="421 later"),  # soft
        _of(EDITION, first, "spamreport", r[3]),
        _of(EDITION, first, "unsubscribe", r[4]),
        _of(EDITION, first, "group_unsubscribe", r[4], asm_group_id=7),
        # A test send of the same edition carries its own key: never counted.
        _of(EDITION, f"sendgrid:digest:{EDITION}:all:test-1", "click", r[6], url=BUSES),
        _of(EDITION, f"sendgrid:digest:{EDITION}:all:test-1", "spamreport", r[6]),
    ]
    assert sendgrid.post(f"{app}/webhooks/sendgrid", events).status_code == 200
    # r5 leaves through the unsubscribe link of this edition (the one-click POST).
    u = link_value(store, LINK_SECRET.encode(), r[5], EDITION)
    assert requests.post(f"{app}/unsubscribe?u={u}", timeout=10).status_code == 200

    config = _config(tmp_path, db_url)
    code, out = _cli(config, "report", "--date", EDITION.isoformat(), "--json")
    assert code == 0, out
    (edition,) = json.loads(out)["editions"]
    assert {k: edition[k] for k in ("day", "batches", "sent", "delivered")} == {
        "day": EDITION.isoformat(),
        "batches": 2,
        "sent": 10,
        "delivered": 9,
    }
    assert edition["delivered_estimated"] is False
    assert {k: edition[k] for k in ("opened", "clicked", "bounced", "dropped")} == {
        "opened": 3,
        "clicked": 2,
        "bounced": 1,
        "dropped": 0,
    }
    assert (edition["complained"], edition["unsubscribed"]) == (1, 2)
    stories = {s["story_id"]: s for s in edition["stories"]}
    assert list(stories) == [BUSES, CLINICS]  # the edition's own order
    assert (stories[BUSES]["clicks"], stories[BUSES]["clickers"]) == (3, 2)
    assert stories[BUSES]["networks"] == ["bluesky", "x"]  # mastodon's post failed
    assert (stories[CLINICS]["clicks"], stories[CLINICS]["clickers"]) == (1, 1)
    assert stories[CLINICS]["networks"] == []
    # 1 complaint of 9 delivered, 1 hard bounce of 10 sent: both over the limits.
    assert len(edition["warnings"]) == 2
    assert "complaint rate is 11.11 %" in edition["warnings"][0]
    assert "hard-bounce rate is 10 %" in edition["warnings"][1]

    code, text = _cli(config, "report", "--date", EDITION.isoformat())
    assert code == 0
    assert f"edition {EDITION}: 10 sent in 2 batch(es)" in text
    assert "Rural buses saved" in text and "bluesky, x" in text


def test_without_delivered_events_delivered_is_sent_less_bounced_and_dropped(
    engine: Engine, app: str, sendgrid: SendGrid, tmp_path: Path, db_url: str
) -> None:
    (batch,) = sent_edition(engine, EDITION, [50], [BUSES])
    events = [
        _of(EDITION, batch, "bounce", "a@example.org", type="bounce"),
        _of(EDITION, batch, "dropped", "b@example.org", reason="Bounced Address"),
        _of(EDITION, batch, "dropped", "c@example.org", reason="Invalid"),
    ]
    assert sendgrid.post(f"{app}/webhooks/sendgrid", events).status_code == 200
    code, out = _cli(_config(tmp_path, db_url), "report", "--days", "3", "--json")
    assert code == 0, out
    (edition,) = json.loads(out)["editions"]
    assert (edition["delivered"], edition["delivered_estimated"]) == (47, True)
    assert (edition["bounced"], edition["dropped"]) == (1, 2)


def test_status_warns_and_fails_its_check_only_past_the_bulk_sender_limits(
    engine: Engine, app: str, sendgrid: SendGrid, tmp_path: Path, db_url: str
) -> None:
    (batch,) = sent_edition(engine, EDITION, [1000], [BUSES])
    # Exactly at the limits: 1 complaint of 1,000 delivered (0.1 %), 20 hard bounces of
    # 1,000 sent (2 %) is not over them.
    delivered = [_of(EDITION, batch, "delivered", f"d{i}@example.org") for i in range(1000)]
    bounces = [_of(EDITION, batch, "bounce", f"d{i}@example.org", type="bounce") for i in range(20)]
    complaint = [_of(EDITION, batch, "spamreport", "d0@example.org")]
    assert sendgrid.post(f"{app}/webhooks/sendgrid", delivered + bounces + complaint).ok
    config = _config(tmp_path, db_url)
    code, out = _cli(config, "status", "--check", "--json")
    assert code == 0, out
    mail = json.loads(out)["mail"]
    assert mail["warnings"] == []
    assert [e["day"] for e in mail["editions"]] == [EDITION.isoformat()]

    more = [
        _of(EDITION, batch, "spamreport", "d1@example.org"),
        _of(EDITION, batch, "bounce", "d20@example.org", type="bounce"),
    ]
    assert sendgrid.post(f"{app}/webhooks/sendgrid", more).ok
    code, out = _cli(config, "status", "--check", "--json")
    assert code == 1
    warnings = json.loads(out)["mail"]["warnings"]
    assert len(warnings) == 2
    assert "complaint rate is 0.2 % (2 of 1000 delivered)" in warnings[0]
    assert "hard-bounce rate is 2.1 % (21 of 1000 sent)" in warnings[1]
    code, text = _cli(config, "status")
    assert code == 0  # only --check fails on it
    assert f"warning: the {EDITION} edition's complaint rate is 0.2 %" in text


def test_png_draws_the_editions(
    engine: Engine, app: str, sendgrid: SendGrid, tmp_path: Path, db_url: str
) -> None:
    for days_ago in (1, 2, 4):
        sent_edition(engine, EDITION - timedelta(days=days_ago - 1), [100], [BUSES])
    png = tmp_path / "editions.png"
    code, out = _cli(_config(tmp_path, db_url), "report", "--days", "7", "--png", str(png))
    assert code == 0, out
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert f"chart: {png}" in out

"""SendGrid's Event Webhook over real HTTP, on SQLite and PostgreSQL.

The app is the one `distributor serve` builds, on waitress on 127.0.0.1; SendGrid's side
signs with a P-256 key made for the test. Only signed, fresh, first-time posts change
anything; each event acts once; readers only ever move up the status order.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import Engine, select, text

from distributor.models import Article, Status
from distributor.settings import Settings, SubscribersSettings
from distributor.store.articles import ArticleStore
from distributor.store.subscribers import SubscriberStore
from distributor.store.tables import articles, provider_events, webhook_batches
from distributor.web.app import build
from distributor.web.sendgrid_signature import PUBLIC_KEY_ENV
from distributor.web.server import Limits
from distributor.web.webhook import MAX_BODY
from tests.email_delivery.event_webhook import BATCH_KEY, DAY, SendGrid, event
from tests.email_delivery.link_server import serving
from tests.waiting import wait_for

READERS = ["ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal"]
STORY_URL = "https://www.gov.example/news/rural-buses"


@pytest.fixture
def store(engine: Engine) -> SubscriberStore:
    store = SubscriberStore(engine)
    store.import_csv(io.StringIO("email\n" + "\n".join(f"{r}@example.org" for r in READERS)))
    return store


def _serve(engine: Engine, settings: Settings | None = None) -> Iterator[str]:
    web = build(settings or Settings(), engine)
    with serving(web.app, Limits(max_body=MAX_BODY, threads=2)) as base:
        yield f"{base}/webhooks/sendgrid"


@pytest.fixture
def hook(engine: Engine, sendgrid: SendGrid, store: SubscriberStore) -> Iterator[str]:
    yield from _serve(engine)


def _status(store: SubscriberStore, name: str) -> Status:
    reader = store.get(f"{name}@example.org")
    assert reader is not None
    return reader.status


def _statuses(store: SubscriberStore) -> dict[str, Status]:
    return {name: _status(store, name) for name in READERS}


def _events(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(provider_events).order_by(provider_events.c.id)).all()
    return [dict(r._mapping) for r in rows]


def _batches(engine: Engine) -> int:
    with engine.connect() as conn:
        return len(conn.execute(select(webhook_batches.c.id)).all())


def test_a_signed_batch_changes_readers_statuses_and_keeps_opens_and_clicks(
    engine: Engine, hook: str, sendgrid: SendGrid, store: SubscriberStore
) -> None:
    ArticleStore(engine).record(
        [Article(source_id="gov", guid="g1", title="Rural buses", body="x", url=STORY_URL)]
    )
    r = sendgrid.post(
        hook,
        [
            event("processed", "ann@example.org"),
            event("delivered", "ann@example.org"),
            event("open", "ann@example.org", sg_machine_open=False),
            event("click", "ann@example.org", url=f"{STORY_URL}?utm_source=newsletter"),
            event("bounce", "BOB@example.org", type="bounce", reason="550 5.1.1 no such user"),
            event("bounce", "cat@example.org", reason="550 no such user"),  # no type: hard
            event("dropped", "dan@example.org", reason="Bounced Address"),
            event("spamreport", "eve@example.org"),
            event("unsubscribe", "fay@example.org"),
            event("group_unsubscribe", "gus@example.org", asm_group_id=7),
            event("bounce", "hal@example.org", type="blocked", reason="421 try later"),
            event("something_new", "ann@example.org", detail_of_it="kept"),
        ],
    )
    assert r.status_code == 200, r.text
    assert r.json()["events"] == 12 and r.json()["new"] == 12
    assert _statuses(store) == {
        "ann": Status.ACTIVE,
        "bob": Status.BOUNCED,
        "cat": Status.BOUNCED,
        "dan": Status.BOUNCED,
        "eve": Status.COMPLAINED,  # its own status, not a bounce
        "fay": Status.UNSUBSCRIBED,
        "gus": Status.UNSUBSCRIBED,
        "hal": Status.ACTIVE,  # one soft bounce is only counted
    }
    rows = _events(engine)
    assert len(rows) == 12
    stored = {(e["event"], e["email"]): e for e in rows}
    click = stored["click", "ann@example.org"]
    # The digest's custom_args and variant, and the story the link is, for a report.
    assert (click["delivery_key"], click["day"].isoformat(), click["variant"]) == (
        BATCH_KEY,
        DAY,
        "health",
    )
    with engine.connect() as conn:
        story_id = conn.execute(select(articles.c.id).where(articles.c.url == STORY_URL)).scalar()
    assert (click["link"], click["article_id"], click["email"]) == (
        STORY_URL,
        story_id,
        "ann@example.org",
    )
    assert stored["open", "ann@example.org"]["effect"] == "engagement"
    assert stored["bounce", "bob@example.org"]["detail"] == "550 5.1.1 no such user"
    unknown = stored["something_new", "ann@example.org"]
    assert unknown["effect"] == "unknown"
    assert json.loads(unknown["detail"])["detail_of_it"] == "kept"
    # Processed, the raw body is dropped: the events hold what is needed.
    with engine.connect() as conn:
        batch = conn.execute(select(webhook_batches)).one()
    assert batch.body is None and batch.processed_at is not None and batch.events == 12


def test_an_unsigned_tampered_or_stale_post_is_refused_and_changes_nothing(
    engine: Engine, hook: str, sendgrid: SendGrid, store: SubscriberStore
) -> None:
    body = json.dumps([event("bounce", "ann@example.org")]).encode()
    headers = sendgrid.headers(body)
    tampered = body.replace(b"ann@", b"bob@")
    assert requests.post(hook, data=tampered, headers=headers, timeout=10).status_code == 403
    unsigned = {"Content-Type": "application/json"}
    assert requests.post(hook, data=body, headers=unsigned, timeout=10).status_code == 403
    # Signed by someone else's key.
    forged = SendGrid().headers(body)
    assert requests.post(hook, data=body, headers=forged, timeout=10).status_code == 403
    now = int(time.time())
    # More than five minutes off either way, with room for the seconds the posts above took
    # on a loaded machine (a stamp 301 s ahead is only 300 s ahead a second later).
    for stamp in (now - 330, now + 330):
        stale = sendgrid.headers(body, stamp)
        assert requests.post(hook, data=body, headers=stale, timeout=10).status_code == 403
    assert requests.get(hook, timeout=10).status_code == 405
    assert _batches(engine) == 0 and _events(engine) == []
    assert set(_statuses(store).values()) == {Status.ACTIVE}
    # The same post, signed within five minutes, is taken.
    fresh = sendgrid.headers(body, now - 290)
    assert requests.post(hook, data=body, headers=fresh, timeout=10).status_code == 200
    assert _status(store, "ann") is Status.BOUNCED


def test_a_replayed_post_is_refused_and_a_redelivered_event_changes_nothing(
    engine: Engine, hook: str, sendgrid: SendGrid, store: SubscriberStore
) -> None:
    bounce = event("bounce", "ann@example.org")
    body = json.dumps([bounce]).encode()
    headers = sendgrid.headers(body)
    assert requests.post(hook, data=body, headers=headers, timeout=10).status_code == 200
    assert requests.post(hook, data=body, headers=headers, timeout=10).status_code == 403
    assert _status(store, "ann") is Status.BOUNCED
    # The reader asks to come back; the operator resubscribes them. SendGrid then posts
    # the same bounce again (a retry it makes after a timeout, freshly signed): it was
    # recorded once already, and does not undo the resubscription.
    store.add("ann@example.org", resubscribe=True)
    again = sendgrid.post(hook, [bounce, event("open", "bob@example.org")])
    assert again.status_code == 200 and again.json()["new"] == 1
    assert _status(store, "ann") is Status.ACTIVE
    assert sendgrid.post(hook, [bounce]).json()["new"] == 0
    assert _status(store, "ann") is Status.ACTIVE
    assert [e["event"] for e in _events(engine)] == ["bounce", "open"]


def test_a_change_of_status_only_moves_a_reader_up_never_back(
    engine: Engine, hook: str, sendgrid: SendGrid, store: SubscriberStore
) -> None:
    store.unsubscribe("ann@example.org")
    store.set_status("bob@example.org", Status.COMPLAINED)
    store.set_status("cat@example.org", Status.BOUNCED)
    store.set_status("dan@example.org", Status.PAUSED)
    r = sendgrid.post(
        hook,
        [
            event("bounce", "ann@example.org"),  # unsubscribed stays unsubscribed
            event("group_resubscribe", "ann@example.org"),  # and is not reactivated
            event("unsubscribe", "bob@example.org"),  # a complaint is not softened
            event("bounce", "bob@example.org"),
            event("spamreport", "cat@example.org"),  # bounced, then a complaint: complained
            event("bounce", "dan@example.org"),  # paused, then a hard bounce: bounced
            event("delivered", "dan@example.org"),  # and a delivery does not reactivate
        ],
    )
    assert r.status_code == 200
    statuses = _statuses(store)
    assert (statuses["ann"], statuses["bob"], statuses["cat"], statuses["dan"]) == (
        Status.UNSUBSCRIBED,
        Status.COMPLAINED,
        Status.COMPLAINED,
        Status.BOUNCED,
    )


def test_repeated_soft_bounces_pause_a_reader(
    engine: Engine, sendgrid: SendGrid, store: SubscriberStore
) -> None:
    rule = SubscribersSettings(soft_bounce_limit=3, soft_bounce_days=14)
    for hook in _serve(engine, replace(Settings(), subscribers=rule)):
        old = int((datetime.now(UTC) - timedelta(days=20)).timestamp())

        def soft(kind: str, message: str, **fields: Any) -> dict[str, Any]:
            return event(kind, "ann@example.org", sg_message_id=message, **fields)

        batch = [
            soft("bounce", "m-old", type="blocked", timestamp=old),  # outside the window
            soft("deferred", "m1", attempt="1"),
            soft("deferred", "m1", attempt="2"),  # one digest retried: counted once
            soft("deferred", "m2"),
            soft("delivered", "m2"),  # deferred, then taken (greylisting): not counted
            soft("bounce", "m3", type="blocked"),
            event("deferred", "bob@example.org"),
        ]
        assert sendgrid.post(hook, batch).status_code == 200
        assert _status(store, "ann") is Status.ACTIVE  # m1 and m3: two so far
        r = sendgrid.post(hook, [soft("deferred", "m4")])
        assert r.status_code == 200 and r.json()["changed"] == {"paused": 1}
        assert _status(store, "ann") is Status.PAUSED
        assert _status(store, "bob") is Status.ACTIVE
        # A hard bounce later still moves a paused reader on.
        sendgrid.post(hook, [soft("bounce", "m5")])
        assert _status(store, "ann") is Status.BOUNCED


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    """What the server's threads have logged so far (they may log after answering)."""
    return "\n".join(r.getMessage() for r in caplog.records)


def test_one_bad_event_never_stops_the_rest_and_is_logged_by_field_not_address(
    engine: Engine,
    hook: str,
    sendgrid: SendGrid,
    store: SubscriberStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    no_id = event("bounce", "secret-reader@example.org")
    del no_id["sg_event_id"]
    with caplog.at_level(logging.INFO):
        r = sendgrid.post(
            hook,
            [
                no_id,
                event("bounce", "not an address"),
                event("bounce", "ann@example.org", timestamp="yesterday"),
                "not an object",
                event("spamreport", "bob@example.org", digest_date="soon"),
                event("bounce", "cat@example.org"),
            ],
        )
        wait_for(lambda: "digest_date" in _logged(caplog), 5, "the log")
    assert r.status_code == 200 and r.json()["events"] == 2
    assert _status(store, "bob") is Status.COMPLAINED  # a bad optional field is dropped
    assert _status(store, "cat") is Status.BOUNCED
    assert _status(store, "ann") is Status.ACTIVE
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for field in ("sg_event_id missing", "email is not an address", "timestamp", "digest_date"):
        assert field in logged
    assert "secret-reader" not in logged and "not an address" not in logged.replace(
        "email is not an address", ""
    )
    assert sendgrid.public_key not in logged


def test_a_body_over_the_cap_is_refused_unread(
    engine: Engine, hook: str, sendgrid: SendGrid, store: SubscriberStore
) -> None:
    parts = urlsplit(hook)
    assert parts.hostname and parts.port
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(
            f"POST {parts.path} HTTP/1.1\r\nHost: x\r\n"
            f"Content-Length: {MAX_BODY + 1}\r\n\r\n".encode()
        )
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:40]
    # The readers' pages keep their own, smaller cap.
    base = hook.removesuffix("/webhooks/sendgrid")
    r = requests.post(f"{base}/unsubscribe?u=x", data=b"x" * 5000, timeout=10)
    assert r.status_code == 413
    assert _batches(engine) == 0


def test_without_the_key_every_post_is_refused_with_503_and_a_clear_log(
    engine: Engine,
    sendgrid: SendGrid,
    store: SubscriberStore,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.delenv(PUBLIC_KEY_ENV)
    for hook in _serve(engine):
        with caplog.at_level(logging.ERROR):
            r = sendgrid.post(hook, [event("bounce", "ann@example.org")])
            wait_for(lambda: PUBLIC_KEY_ENV in _logged(caplog), 5, "the log")
        assert r.status_code == 503
    assert _status(store, "ann") is Status.ACTIVE and _batches(engine) == 0
    assert any(PUBLIC_KEY_ENV in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


def test_a_batch_that_fails_to_process_is_kept_and_processed_at_the_next_start(
    engine: Engine,
    hook: str,
    sendgrid: SendGrid,
    store: SubscriberStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The events table goes missing between storing the batch and processing it.
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE provider_events RENAME TO provider_events_away"))
    with caplog.at_level(logging.ERROR):
        r = sendgrid.post(hook, [event("spamreport", "ann@example.org")])
        wait_for(lambda: "stored but not processed" in _logged(caplog), 5, "the log")
    assert r.status_code == 500  # SendGrid will post it again
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "stored but not processed" in logged and "ann@" not in logged
    assert _status(store, "ann") is Status.ACTIVE
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE provider_events_away RENAME TO provider_events"))
    # The next start processes what was stored; the one after finds nothing left.
    assert build(Settings(), engine).pending == 1
    assert _status(store, "ann") is Status.COMPLAINED
    assert build(Settings(), engine).pending == 0

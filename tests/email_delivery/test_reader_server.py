"""The reader links' server under attack, and the links' keys and lifetimes.

Idle and slow clients must not hold up anyone's one-click unsubscribe; oversized bodies
are refused unread; tokens never reach the log; a rotated key keeps old links working,
and a link lives ``subscribers.link_days`` (at least 60) after its email.
"""

from __future__ import annotations

import io
import logging
import socket
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import Engine

from distributor.compose import links
from distributor.settings import SubscribersSettings
from distributor.store.subscribers import Status, SubscriberStore
from distributor.web.server import Limits
from distributor.web.unsubscribe import make_app
from tests.email_delivery.link_server import link_value, serving

KEY = b"reader-server-test-key-of-32-chars!"
OLD_KEY = b"the-key-used-before-the-rotation-32"
ONE_CLICK = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def store(engine: Engine) -> SubscriberStore:
    store = SubscriberStore(engine)
    store.import_csv(io.StringIO("email\nann@example.org\nbob@example.org\n"))
    return store


@pytest.fixture
def base(store: SubscriberStore) -> Iterator[str]:
    app = make_app(store, [KEY], unsubscribe_url="https://news.example.org/unsubscribe")
    with serving(app, Limits(idle_seconds=2, threads=2)) as url:
        yield url


def _connect(base: str) -> socket.socket:
    parts = urlsplit(base)
    assert parts.hostname and parts.port
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def _unsubscribe(base: str, link: str) -> requests.Response:
    return requests.post(
        f"{base}/unsubscribe",
        params={"u": link},
        data="List-Unsubscribe=One-Click",
        headers=ONE_CLICK,
        timeout=10,
    )


def _status(store: SubscriberStore, email: str) -> Status:
    reader = store.get(email)
    assert reader is not None
    return reader.status


def test_idle_and_slow_clients_do_not_hold_up_an_unsubscribe(
    base: str, store: SubscriberStore
) -> None:
    # More idle connections than worker threads, and one trickling a body it never ends.
    idle = [_connect(base) for _ in range(5)]
    slow = _connect(base)
    link = link_value(store, KEY, "ann@example.org")
    slow.sendall(
        f"POST /unsubscribe?u={link} HTTP/1.1\r\nHost: x\r\n"
        "Content-Length: 200\r\n\r\nList-".encode()
    )
    try:
        began = time.monotonic()
        r = _unsubscribe(base, link_value(store, KEY, "bob@example.org"))
        assert r.status_code == 200
        assert time.monotonic() - began < 1.0
        assert _status(store, "bob@example.org") is Status.UNSUBSCRIBED
        # The unfinished request was never handed to the app.
        assert _status(store, "ann@example.org") is Status.ACTIVE
    finally:
        for sock in [*idle, slow]:
            sock.close()


def test_an_idle_connection_is_closed_after_the_idle_timeout(base: str) -> None:
    with _connect(base) as sock:
        began = time.monotonic()
        sock.settimeout(15)
        assert sock.recv(1) == b""  # the server hung up
        assert time.monotonic() - began < 8


def test_an_oversized_body_is_refused_unread(base: str, store: SubscriberStore) -> None:
    link = link_value(store, KEY, "ann@example.org")
    with _connect(base) as sock:
        sock.sendall(
            f"POST /unsubscribe?u={link} HTTP/1.1\r\nHost: x\r\n"
            "Content-Length: 300000000\r\n\r\n".encode()
        )
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:40]
    assert _status(store, "ann@example.org") is Status.ACTIVE


def test_a_negative_content_length_is_a_bad_request(base: str, store: SubscriberStore) -> None:
    link = link_value(store, KEY, "ann@example.org")
    with _connect(base) as sock:
        sock.sendall(
            f"POST /unsubscribe?u={link} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n".encode()
        )
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:40]
    assert _status(store, "ann@example.org") is Status.ACTIVE


def test_the_access_log_never_holds_a_token(
    base: str, store: SubscriberStore, caplog: pytest.LogCaptureFixture
) -> None:
    reader = store.get("ann@example.org")
    assert reader is not None
    link = link_value(store, KEY, "ann@example.org", date(2026, 12, 1))
    with caplog.at_level(logging.INFO):
        requests.get(f"{base}/unsubscribe", params={"u": link}, timeout=10)
        _unsubscribe(base, link)
        time.sleep(0.2)
    lines = [r.getMessage() for r in caplog.records if r.name == "distributor.web.access"]
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"GET /unsubscribe u=<{links.key_id(KEY)}.20261201> ")
    assert all(reader.token not in r.getMessage() for r in caplog.records)


def test_a_rotated_key_keeps_old_links_working_and_others_are_refused(
    store: SubscriberStore,
) -> None:
    app = make_app(store, [KEY, OLD_KEY], unsubscribe_url="https://news.example.org/unsubscribe")
    with serving(app) as base:
        forged_key = b"nobody-knows-this-key-of-32-chars!"
        assert (
            _unsubscribe(base, link_value(store, forged_key, "bob@example.org")).status_code == 400
        )
        assert _status(store, "bob@example.org") is Status.ACTIVE
        assert _unsubscribe(base, link_value(store, OLD_KEY, "ann@example.org")).status_code == 200
        assert _status(store, "ann@example.org") is Status.UNSUBSCRIBED
        assert _unsubscribe(base, link_value(store, KEY, "bob@example.org")).status_code == 200


def test_links_work_for_link_days_and_then_say_they_have_expired(
    store: SubscriberStore,
) -> None:
    today = datetime.now(UTC).date()
    app = make_app(store, [KEY], link_days=60, unsubscribe_url="https://x.example/unsubscribe")
    with serving(app) as base:
        old = link_value(store, KEY, "ann@example.org", today - timedelta(days=61))
        r = _unsubscribe(base, old)
        assert r.status_code == 410 and "expired" in r.text
        assert _status(store, "ann@example.org") is Status.ACTIVE
        # A link from a day that has not come yet was never sent: not valid at all.
        future = link_value(store, KEY, "ann@example.org", today + timedelta(days=30))
        assert _unsubscribe(base, future).status_code == 400
        sixty = link_value(store, KEY, "ann@example.org", today - timedelta(days=60))
        assert _unsubscribe(base, sixty).status_code == 200
        assert _status(store, "ann@example.org") is Status.UNSUBSCRIBED


def test_a_link_lifetime_under_60_days_is_refused_at_load() -> None:
    with pytest.raises(ValueError, match="link_days must be between 60"):
        SubscribersSettings(link_days=30)


def test_a_changed_day_or_key_id_breaks_the_signature() -> None:
    value = links.link_value(KEY, "tok", date(2026, 12, 1))
    token, kid, _day, signature = value.split(".")
    assert links.check([KEY], value, today=date(2026, 12, 4), days=90).token == "tok"
    moved = f"{token}.{kid}.20261203.{signature}"
    assert links.check([KEY], moved, today=date(2026, 12, 4), days=90).token is None
    assert links.check([OLD_KEY], value, today=date(2026, 12, 4), days=90).token is None

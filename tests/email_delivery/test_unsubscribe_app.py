"""The unsubscribe endpoint over real HTTP: one-click POST works, GET never unsubscribes."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import Engine

from distributor.store.subscribers import Status, SubscriberStore
from distributor.web.unsubscribe import make_app
from tests.email_delivery.link_server import link_value, serving

KEY = b"unsubscribe-test-key-of-32-characters"


@pytest.fixture
def served(engine: Engine) -> Iterator[tuple[str, SubscriberStore]]:
    store = SubscriberStore(engine)
    store.import_csv(io.StringIO("email\nann@example.org\nbob@example.org\n"))
    with serving(make_app(store, [KEY])) as base:
        yield f"{base}/unsubscribe", store


def _link(store: SubscriberStore, email: str) -> str:
    return link_value(store, KEY, email)


def test_one_click_post_unsubscribes(served: tuple[str, SubscriberStore]) -> None:
    url, store = served
    r = requests.post(
        url,
        params={"u": _link(store, "ann@example.org")},
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert r.status_code == 200
    ann, bob = store.get("ann@example.org"), store.get("bob@example.org")
    assert ann is not None and ann.status is Status.UNSUBSCRIBED
    assert bob is not None and bob.status is Status.ACTIVE


def test_get_shows_a_form_and_changes_nothing(served: tuple[str, SubscriberStore]) -> None:
    url, store = served
    link = _link(store, "ann@example.org")
    r = requests.get(url, params={"u": link}, timeout=10)
    assert r.status_code == 200
    assert "<form method=post" in r.text and f"?u={link}" in r.text
    ann = store.get("ann@example.org")
    assert ann is not None and ann.status is Status.ACTIVE


@pytest.mark.parametrize("value", ["", "nonsense", "tok.0123456789abcdef0123456789abcdef"])
def test_forged_links_are_refused(served: tuple[str, SubscriberStore], value: str) -> None:
    url, store = served
    token = store.get("ann@example.org")
    assert token is not None
    forged = value or f"{token.token}.{'0' * 32}"
    r = requests.post(url, params={"u": forged}, data="List-Unsubscribe=One-Click", timeout=10)
    assert r.status_code == 400
    assert store.counts()["unsubscribed"] == 0

"""The preferences link over real HTTP: readers choose topics, and nothing else changes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import pytest
import requests
from sqlalchemy import Engine

from distributor.compose import links
from distributor.store.subscribers import Status, SubscriberStore
from distributor.web.unsubscribe import make_app
from tests.email_delivery.link_server import link_value, serving

KEY = b"preferences-test-key-of-32-characters"
TOPICS = ("health", "transport")
UNSUBSCRIBE = "https://news.example.org/unsubscribe"


@pytest.fixture
def served(engine: Engine) -> Iterator[tuple[str, SubscriberStore]]:
    store = SubscriberStore(engine)
    store.import_csv(
        io.StringIO("email,topics\nann@example.org,housing\nbob@example.org,\n"),
    )
    app = make_app(
        store,
        [KEY],
        publisher="Gov Daily",
        preferences_path="/preferences",
        topics=TOPICS,
        unsubscribe_url=UNSUBSCRIBE,
    )
    with serving(app) as base:
        yield base, store


def _link(store: SubscriberStore, email: str) -> str:
    return link_value(store, KEY, email)


def test_the_page_shows_the_readers_topics_and_the_way_out(
    served: tuple[str, SubscriberStore],
) -> None:
    base, store = served
    link = _link(store, "ann@example.org")
    r = requests.get(f"{base}/preferences", params={"u": link}, timeout=10)
    assert r.status_code == 200
    assert "a***@example.org" in r.text and "ann@example.org" not in r.text
    # The configured topics and the one Ann already has, hers ticked.
    assert 'value="housing" checked' in r.text
    assert 'value="health">' in r.text and 'value="transport">' in r.text
    assert f'href="{UNSUBSCRIBE}?u={link}"' in r.text
    ann = store.get("ann@example.org")
    assert ann is not None and ann.status is Status.ACTIVE and ann.topics == ("housing",)


def test_saved_topics_put_the_reader_in_that_audience(
    served: tuple[str, SubscriberStore],
) -> None:
    base, store = served
    r = requests.post(
        f"{base}/preferences",
        params={"u": _link(store, "bob@example.org")},
        data={"topic": ["transport", "health", "made-up"]},
        timeout=10,
    )
    assert r.status_code == 200
    assert "full stories on health, transport" in r.text
    bob = store.get("bob@example.org")
    assert bob is not None and bob.topics == ("health", "transport")
    assert bob.status is Status.ACTIVE
    # The next digest is rendered for that topic set too.
    assert {a.key: n for a, n in store.variants().items()} == {"housing": 1, "health,transport": 1}


def test_unticking_everything_means_every_story(served: tuple[str, SubscriberStore]) -> None:
    base, store = served
    r = requests.post(
        f"{base}/preferences", params={"u": _link(store, "ann@example.org")}, timeout=10
    )
    assert r.status_code == 200 and "every story" in r.text
    ann = store.get("ann@example.org")
    assert ann is not None and ann.topics == ()


def test_an_unsubscribed_reader_is_told_and_not_resubscribed(
    served: tuple[str, SubscriberStore],
) -> None:
    base, store = served
    store.unsubscribe("ann@example.org")
    link = _link(store, "ann@example.org")
    page = requests.get(f"{base}/preferences", params={"u": link}, timeout=10)
    assert "No digest is sent to this address now" in page.text
    requests.post(f"{base}/preferences", params={"u": link}, data={"topic": "health"}, timeout=10)
    ann = store.get("ann@example.org")
    assert ann is not None and ann.status is Status.UNSUBSCRIBED and ann.topics == ("health",)


def test_forged_and_unknown_links(served: tuple[str, SubscriberStore]) -> None:
    base, store = served
    ann = store.get("ann@example.org")
    assert ann is not None
    forged = requests.get(
        f"{base}/preferences", params={"u": f"{ann.token}.{'0' * 32}"}, timeout=10
    )
    assert forged.status_code == 400
    unknown_link = links.link_value(KEY, "no-such-token", date.today())
    unknown = requests.get(f"{base}/preferences", params={"u": unknown_link}, timeout=10)
    assert unknown.status_code == 404
    post = requests.post(
        f"{base}/preferences", params={"u": "x.y"}, data={"topic": "health"}, timeout=10
    )
    assert post.status_code == 400
    assert store.get("ann@example.org") == ann


def test_the_unsubscribe_path_still_unsubscribes(served: tuple[str, SubscriberStore]) -> None:
    base, store = served
    link = _link(store, "bob@example.org")
    requests.post(f"{base}/preferences", params={"u": link}, timeout=10)
    bob = store.get("bob@example.org")
    assert bob is not None and bob.status is Status.ACTIVE
    requests.post(
        f"{base}/unsubscribe", params={"u": link}, data="List-Unsubscribe=One-Click", timeout=10
    )
    bob = store.get("bob@example.org")
    assert bob is not None and bob.status is Status.UNSUBSCRIBED


def test_only_the_unsubscribe_path_unsubscribes(served: tuple[str, SubscriberStore]) -> None:
    base, store = served
    link = _link(store, "ann@example.org")
    r = requests.post(f"{base}/anything-else", params={"u": link}, timeout=10)
    assert r.status_code == 404
    ann = store.get("ann@example.org")
    assert ann is not None and ann.status is Status.ACTIVE
    r = requests.post(f"{base}/unsubscribe", params={"u": link}, timeout=10)
    assert r.status_code == 200
    ann = store.get("ann@example.org")
    assert ann is not None and ann.status is Status.UNSUBSCRIBED


@pytest.mark.parametrize("signature", ["é" * 32, "x", "0" * 31 + "€", ""])
def test_a_forged_signature_is_a_400_never_a_500(
    served: tuple[str, SubscriberStore], signature: str
) -> None:
    base, store = served
    token = _link(store, "bob@example.org").rsplit(".", 1)[0]
    r = requests.post(f"{base}/unsubscribe", params={"u": f"{token}.{signature}"}, timeout=10)
    assert r.status_code == 400
    bob = store.get("bob@example.org")
    assert bob is not None and bob.status is Status.ACTIVE


def test_a_negative_content_length_reads_no_body(served: tuple[str, SubscriberStore]) -> None:
    import socket
    from urllib.parse import urlsplit

    base, store = served
    link = _link(store, "bob@example.org")
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(
            f"POST /preferences?u={link} HTTP/1.1\r\nHost: x\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: -1\r\nConnection: close\r\n\r\n".encode()
        )
        sock.settimeout(10)
        answer = sock.recv(65536)  # answered at once: nothing waits for a body
    assert answer.startswith(b"HTTP/1.")

"""The Mastodon channel: Mastodon.py sends real HTTP to a local Mastodon-speaking server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from distributor.channels import registry
from distributor.channels.base import DeliveryContext
from distributor.channels.mastodon import MastodonChannel
from distributor.compose.threads import compose_thread
from distributor.errors import AuthError, Permanent, Retryable, Uncertain
from distributor.models import Post, Thread
from distributor.settings import Settings
from distributor.text import MastodonRule
from tests.servers.base import Reply
from tests.servers.mastodon_api import FakeMastodon
from tests.social.posting import SECRETS, delivery_for, post_thread
from tests.social.stories import make_story


@pytest.fixture
def server() -> Iterator[FakeMastodon]:
    fake = FakeMastodon()
    with fake.running():
        yield fake


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)


def _channel(base_url: str, **options: object) -> MastodonChannel:
    return MastodonChannel(Settings(channels={"mastodon": {"base_url": base_url, **options}}))


def _thread() -> Thread:
    return compose_thread(make_story(), MastodonRule(), Settings())


def test_registered_as_an_entry_point() -> None:
    assert registry.get("mastodon") is MastodonChannel


def test_a_thread_is_posted_in_reply_order_with_idempotency_keys(server: FakeMastodon) -> None:
    thread = _thread()
    ids = post_thread(_channel(server.url), thread, [])
    assert [server.statuses[i]["text"] for i in ids if i] == [p.text for p in thread.posts]
    assert [server.statuses[i]["reply_to"] for i in ids if i] == [None, ids[0], ids[1]]
    posts = server.calls("/api/v1/statuses")
    assert [p.headers["idempotency-key"] for p in posts] == [
        f"mastodon:{thread.story_id}:{i}" for i in range(3)
    ]
    assert posts[0].form()["visibility"] == ["public"]


def test_the_same_delivery_sent_twice_posts_once(server: FakeMastodon) -> None:
    channel = _channel(server.url)
    first = channel.deliver(delivery_for(_thread(), 0)).provider_id
    again = channel.deliver(delivery_for(_thread(), 0)).provider_id
    assert first == again and len(server.statuses) == 1


def test_the_instance_limit_and_url_cost_are_read_from_the_instance() -> None:
    fake = FakeMastodon(max_characters=1000, url_cost=30)
    with fake.running():
        channel = _channel(fake.url, spoiler_text="Politics")
        rule = channel.instance_rule()
        assert (rule.limit, rule.url_length, rule.spoiler_text) == (1000, 30, "Politics")
        text = "a" * 960 + " https://www.gov.uk/x"  # 960 + 1 + 30 + 8 (warning) = 999
        channel.deliver(delivery_for(Thread("mastodon", "s", (Post(text),)), 0))
        assert fake.calls("/api/v1/statuses")[0].form()["spoiler_text"] == ["Politics"]
        with pytest.raises(Permanent, match="allows 1000"):
            channel.deliver(delivery_for(Thread("mastodon", "s", (Post(text + " b"),)), 0))


def test_graphemes_not_code_points_are_what_counts(server: FakeMastodon) -> None:
    family = "👨‍👩‍👧‍👦" * 500  # 500 graphemes, 3500 code points: accepted
    ids = post_thread(_channel(server.url), Thread("mastodon", "s", (Post(family),)), [])
    assert server.statuses[ids[0]]["text"] == family  # type: ignore[index]


def test_429_waits_for_the_reset_the_instance_names(server: FakeMastodon) -> None:
    reset = (datetime.now(UTC) + timedelta(seconds=300)).isoformat()
    headers = {"X-RateLimit-Reset": reset, "X-RateLimit-Remaining": "0", "X-RateLimit-Limit": "300"}
    server.fail_next("/api/v1/statuses", Reply(429, {"error": "Too many requests"}, headers))
    with pytest.raises(Retryable) as info:
        _channel(server.url).deliver(delivery_for(_thread(), 0))
    assert info.value.retry_after is not None and 200 < info.value.retry_after <= 300
    assert info.value.status == 429


def test_errors_are_mapped(server: FakeMastodon, monkeypatch: pytest.MonkeyPatch) -> None:
    server.fail_next("/api/v1/statuses", Reply(502, {"error": "bad gateway"}))
    with pytest.raises(Retryable):
        _channel(server.url).deliver(delivery_for(_thread(), 0))
    server.fail_next("/api/v1/statuses", Reply(422, {"error": "Validation failed"}))
    with pytest.raises(Permanent) as info:
        _channel(server.url).deliver(delivery_for(_thread(), 0))
    assert info.value.status == 422 and "Validation failed" in (info.value.response or "")
    with pytest.raises(Permanent, match="gone"):
        _channel(server.url).deliver(delivery_for(_thread(), 1), DeliveryContext(reply_to="999"))
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "wrong")
    with pytest.raises(AuthError) as auth:
        _channel(server.url).deliver(delivery_for(_thread(), 0))
    assert "wrong" not in f"{auth.value} {auth.value.payload}"


def test_a_timeout_after_sending_is_uncertain(server: FakeMastodon) -> None:
    server.fail_next("/api/v1/statuses", Reply(200, {}, delay=1.5, then_apply=True))
    channel = _channel(server.url, timeout_seconds=0.3)
    channel.instance_rule()
    with pytest.raises(Uncertain):
        channel.deliver(delivery_for(_thread(), 0))
    assert len(server.statuses) == 1


def test_a_server_that_cannot_be_reached_is_retryable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    channel = _channel(f"http://127.0.0.1:{port}")
    with pytest.raises(Retryable):
        channel.deliver(delivery_for(_thread(), 0))


def test_worker_threads_never_share_a_client_or_an_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    # One channel serves every worker thread: each thread gets its own client (and so
    # its own session), and the answer kept for an error is the thread's own.
    import threading
    from types import SimpleNamespace

    from distributor.channels.mastodon import MastodonOptions

    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "token-for-the-thread-test")
    channel = MastodonChannel(Settings(), MastodonOptions(base_url="http://127.0.0.1:9"))
    seen: dict[str, tuple[int, int | None]] = {}

    def work(name: str, status: int) -> None:
        first, again = channel.api(), channel.api()
        assert first is again  # built once per thread
        channel._keep(SimpleNamespace(status_code=status, text=name))  # type: ignore[arg-type]
        barrier.wait()  # both threads have kept an answer before either reads one
        seen[name] = (id(first), channel._answer().get("status"))

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=work, args=(n, s)) for n, s in (("a", 500), ("b", 200))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen["a"][1] == 500 and seen["b"][1] == 200
    assert seen["a"][0] != seen["b"][0]

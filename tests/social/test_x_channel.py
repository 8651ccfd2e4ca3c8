"""The X channel: tweepy sends real HTTP to a local server checked against X's OpenAPI spec."""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from distributor.channels import registry
from distributor.channels.base import DeliveryContext
from distributor.channels.x import XChannel
from distributor.compose.threads import compose_thread
from distributor.errors import AuthError, MissingSecretError, Permanent, Retryable, Uncertain
from distributor.models import Post, Thread
from distributor.settings import Settings
from distributor.text import XRule
from tests.servers.base import Reply
from tests.servers.x_api import FakeX
from tests.social.posting import SECRETS, delivery_for, post_thread
from tests.social.stories import make_story


@pytest.fixture
def server(specs_dir: Path) -> Iterator[FakeX]:
    fake = FakeX(specs_dir)
    with fake.running():
        yield fake


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("X_API_BASE_URL", raising=False)


def _channel(base_url: str, **options: object) -> XChannel:
    settings = Settings(channels={"x": {"base_url": base_url, **options}})
    return XChannel(settings)


def _thread(n: int = 3) -> Thread:
    thread = compose_thread(make_story(), XRule(), Settings())
    assert len(thread.posts) == n
    return thread


def test_registered_as_an_entry_point() -> None:
    assert registry.get("x") is XChannel


def test_a_thread_is_posted_in_reply_order_and_every_request_meets_the_spec(server: FakeX) -> None:
    thread = _thread()
    ids = post_thread(_channel(server.url), thread, [])
    assert all(ids) and len(set(ids)) == 3
    assert [server.tweets[i]["text"] for i in ids if i] == [p.text for p in thread.posts]
    assert [server.tweets[i]["reply_to"] for i in ids if i] == [None, ids[0], ids[1]]
    calls = server.calls("/2/tweets")
    assert len(calls) == 3
    for call in calls:
        assert server.violations(call) is None
        auth = call.headers["authorization"]
        assert auth.startswith("OAuth ") and 'oauth_consumer_key="ck-test-key"' in auth
    assert calls[1].json()["reply"] == {"in_reply_to_tweet_id": ids[0]}
    # The check has teeth: the spec refuses a reply id that is not a number.
    bad = dataclasses.replace(
        calls[1], body=b'{"text": "x", "reply": {"in_reply_to_tweet_id": "abc"}}'
    )
    assert "does not match" in (server.violations(bad) or "")


def test_an_error_mid_thread_resumes_at_the_first_unposted_post(server: FakeX) -> None:
    thread = _thread()
    channel = _channel(server.url)
    ids: list[str | None] = []
    first = channel.deliver(delivery_for(thread, 0)).provider_id
    ids.append(first)
    server.fail_next("/2/tweets", Reply(503, {"title": "Service Unavailable"}), times=2)
    with pytest.raises(Retryable):
        post_thread(channel, thread, ids)
    with pytest.raises(Retryable):
        post_thread(channel, thread, ids)
    assert ids[1:] == [None, None]
    post_thread(channel, thread, ids)
    assert len(server.tweets) == 3  # nothing posted twice
    assert server.tweets[ids[1]]["reply_to"] == first  # type: ignore[index]


def test_429_is_retryable_after_the_reset_the_provider_names(server: FakeX) -> None:
    reset = int(time.time()) + 120
    server.fail_next(
        "/2/tweets",
        Reply(429, {"title": "Too Many Requests"}, headers={"x-rate-limit-reset": str(reset)}),
    )
    with pytest.raises(Retryable) as info:
        _channel(server.url).deliver(delivery_for(_thread(), 0))
    assert info.value.retry_after is not None and 60 < info.value.retry_after <= 120
    assert info.value.status == 429 and info.value.channel == "x"


def test_401_is_an_auth_error_and_a_duplicate_is_permanent(server: FakeX) -> None:
    server.fail_next("/2/tweets", Reply(401, {"title": "Unauthorized", "status": 401}))
    with pytest.raises(AuthError):
        _channel(server.url).deliver(delivery_for(_thread(), 0))
    channel = _channel(server.url)
    channel.deliver(delivery_for(_thread(), 0))
    with pytest.raises(Permanent, match="duplicate") as info:
        channel.deliver(delivery_for(_thread(), 0))
    assert not isinstance(info.value, AuthError)
    assert info.value.payload == {"text": _thread().posts[0].text}


def test_a_reply_to_a_post_that_does_not_exist_is_permanent(server: FakeX) -> None:
    with pytest.raises(Permanent) as info:
        _channel(server.url).deliver(delivery_for(_thread(), 1), DeliveryContext(reply_to="12345"))
    assert info.value.status == 400


def test_a_timeout_after_sending_is_uncertain_and_the_post_did_land(server: FakeX) -> None:
    server.fail_next("/2/tweets", Reply(201, {"data": {}}, delay=1.5, then_apply=True))
    with pytest.raises(Uncertain):
        _channel(server.url, timeout_seconds=0.3).deliver(delivery_for(_thread(), 0))
    assert len(server.tweets) == 1


def test_a_server_that_cannot_be_reached_is_retryable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(Retryable):
        _channel(f"http://127.0.0.1:{port}").deliver(delivery_for(_thread(), 0))


def test_a_post_over_the_limit_is_refused_before_sending(server: FakeX) -> None:
    long = Thread("x", "s", (Post("a" * 281),))
    with pytest.raises(Permanent, match="281 weighted characters"):
        _channel(server.url).deliver(delivery_for(long, 0))
    assert server.requests == []


def test_unicode_emoji_and_urls_at_the_limit_are_accepted(server: FakeX) -> None:
    # 100 emoji (200) + space + URL (23) + space + 27 CJK... kept exactly at 280.
    text = "👍🏽" * 100 + " https://www.gov.uk/" + "a" * 80 + " " + "日" * 27
    assert XRule().length(text) == 279
    thread = Thread("x", "s", (Post(text),))
    ids = post_thread(_channel(server.url), thread, [])
    assert server.tweets[ids[0]]["text"] == text  # type: ignore[index]


def test_the_base_url_can_come_from_the_environment(
    server: FakeX, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("X_API_BASE_URL", server.url)
    XChannel(Settings()).deliver(delivery_for(_thread(), 0))
    assert len(server.tweets) == 1


def test_missing_secrets_are_named_and_errors_never_carry_them(
    server: FakeX, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.fail_next("/2/tweets", Reply(500, {"title": "boom"}))
    with pytest.raises(Retryable) as info:
        _channel(server.url).deliver(delivery_for(_thread(), 0))
    shown = f"{info.value} {info.value.payload} {info.value.response}"
    assert not any(v in shown for v in SECRETS.values())
    monkeypatch.delenv("X_ACCESS_TOKEN")
    channel = _channel(server.url)
    assert channel.preflight() == ["X_ACCESS_TOKEN is not set"]
    with pytest.raises(MissingSecretError, match="X_ACCESS_TOKEN"):
        channel.deliver(delivery_for(_thread(), 0))


def test_a_permanent_error_mid_thread_stops_the_thread(server: FakeX) -> None:
    thread = _thread()
    channel = _channel(server.url)
    ids: list[str | None] = []
    server.fail_next("/2/tweets", Reply(201, {"data": {}}, then_apply=False))  # post 1: no id
    with pytest.raises(Uncertain):
        post_thread(channel, thread, ids)
    assert ids == [None, None, None] and server.tweets == {}
    ids = [None]
    post_thread(channel, Thread("x", thread.story_id, thread.posts[:1]), ids)
    server.fail_next("/2/tweets", Reply(400, {"title": "Invalid Request", "detail": "nope"}))
    with pytest.raises(Permanent):
        post_thread(channel, thread, ids)
    # The rest of the thread is not posted on its own, unthreaded.
    assert len(server.tweets) == 1 and ids[1:] == [None, None]


def test_debug_logging_never_shows_the_keys_whatever_the_library_logs(
    server: FakeX, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    with caplog.at_level(logging.DEBUG):
        # oauthlib and requests log every parameter they sign and send at DEBUG.
        logging.getLogger("oauthlib").setLevel(logging.DEBUG)
        logging.getLogger("requests_oauthlib").setLevel(logging.DEBUG)
        post_thread(_channel(server.url), _thread(), [])
    assert caplog.records, "the libraries log at DEBUG; nothing was captured"
    text = "\n".join(r.getMessage() for r in caplog.records)
    for name in ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET"):
        assert SECRETS[name] not in text, name
    assert "[redacted]" in text  # the keys were there to hide

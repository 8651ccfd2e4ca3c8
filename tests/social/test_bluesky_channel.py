"""The Bluesky channel: the atproto SDK sends real XRPC to a local PDS that checks every
record against the official lexicons."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from distributor.channels import registry
from distributor.channels.base import DeliveryContext
from distributor.channels.bluesky import BlueskyChannel, facets
from distributor.compose.threads import compose_thread, social_text
from distributor.errors import AuthError, Permanent, Retryable, Uncertain
from distributor.models import Post, Thread
from distributor.settings import Settings, SocialSettings
from distributor.text import BlueskyRule
from tests.servers.base import Recorded, Reply
from tests.servers.bluesky_pds import DID, FakePDS
from tests.servers.lexicon import Lexicons
from tests.social.posting import SECRETS, delivery_for, post_thread
from tests.social.stories import LINK, make_story

CREATE = "/xrpc/com.atproto.repo.createRecord"


@pytest.fixture
def server(specs_dir: Path) -> Iterator[FakePDS]:
    fake = FakePDS(specs_dir)
    with fake.running():
        yield fake


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)


def _channel(base_url: str, **options: object) -> BlueskyChannel:
    return BlueskyChannel(Settings(channels={"bluesky": {"base_url": base_url, **options}}))


def _thread(**social: object) -> Thread:
    settings = Settings(social=SocialSettings(**social))  # type: ignore[arg-type]
    return compose_thread(make_story(), BlueskyRule(), settings)


def _refs(reply: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The strong refs without the optional "$type" the SDK adds."""
    return {k: {f: reply[k][f] for f in ("uri", "cid")} for k in ("root", "parent")}


def test_registered_as_an_entry_point() -> None:
    assert registry.get("bluesky") is BlueskyChannel


def test_a_thread_replies_to_its_root_and_parent_and_meets_the_lexicons(server: FakePDS) -> None:
    thread = _thread()
    ids = post_thread(_channel(server.url), thread, [])
    uris = [i.split("|")[0] for i in ids if i]
    records = [server.records[u]["record"] for u in uris]
    assert [r["text"] for r in records] == [p.text for p in thread.posts]
    assert "reply" not in records[0]
    root = {"uri": uris[0], "cid": server.records[uris[0]]["cid"]}
    parent = {"uri": uris[1], "cid": server.records[uris[1]]["cid"]}
    assert _refs(records[1]["reply"]) == {"root": root, "parent": root}
    assert _refs(records[2]["reply"]) == {"root": root, "parent": parent}
    for call in server.calls(CREATE):
        assert server.violations(call) == []
        assert call.json()["repo"] == DID


def test_the_article_link_is_a_link_card_and_a_facet(server: FakePDS) -> None:
    ids = post_thread(_channel(server.url), _thread(), [])
    first = server.records[ids[0].split("|")[0]]["record"]  # type: ignore[union-attr]
    assert first["embed"]["$type"] == "app.bsky.embed.external"
    card = {k: first["embed"]["external"][k] for k in ("uri", "title", "description")}
    assert card == {"uri": LINK, "title": "Rail fares frozen for another year", "description": ""}
    (facet,) = first["facets"]
    text_bytes = first["text"].encode("utf-8")
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert text_bytes[start:end].decode() == LINK
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": LINK}]


def test_facets_use_utf8_byte_offsets_and_article_tags_stay_inert() -> None:
    text = "Café 👨‍👩‍👧‍👦 see https://gov.uk/x #Budget " + social_text("#leaked @someone")
    found = facets(text)
    data = text.encode("utf-8")
    spans = [data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in found]
    assert spans == ["https://gov.uk/x", "#Budget"]
    assert found[0]["features"][0]["uri"] == "https://gov.uk/x"
    assert found[1]["features"][0] == {"$type": "app.bsky.richtext.facet#tag", "tag": "Budget"}


def test_a_bare_domain_in_article_text_never_becomes_a_link() -> None:
    # "claim at refunds.example" reads as plain text in the article; posting it must not
    # turn it into a link the publisher appears to endorse.
    text = "Claim your rebate at refunds-gov.example.com or gov.uk/claim today."
    assert len(facets(text)) == 0
    text = social_text(text)
    start = len(text.encode("utf-8")) + 1
    assert facets(text + " https://news.example.gov/a") == [
        {
            "index": {"byteStart": start, "byteEnd": start + 26},
            "features": [
                {"$type": "app.bsky.richtext.facet#link", "uri": "https://news.example.gov/a"}
            ],
        }
    ]


def test_hashtags_from_settings_become_tag_facets_the_pds_accepts(server: FakePDS) -> None:
    thread = _thread(hashtags=("UKGov",))
    ids = post_thread(_channel(server.url), thread, [])
    first = server.records[ids[0].split("|")[0]]["record"]  # type: ignore[union-attr]
    tags = [f["features"][0] for f in first["facets"] if "tag" in f["features"][0]]
    assert tags == [{"$type": "app.bsky.richtext.facet#tag", "tag": "UKGov"}]


def test_graphemes_and_bytes_at_the_limit(server: FakePDS) -> None:
    text = "é" * 150 + "👍🏽" * 150  # 300 graphemes, 300 + 1200 bytes
    ids = post_thread(_channel(server.url), Thread("bluesky", "s", (Post(text),)), [])
    assert server.records[ids[0].split("|")[0]]["record"]["text"] == text  # type: ignore[union-attr]
    with pytest.raises(Permanent, match="301 graphemes"):
        _channel(server.url).deliver(delivery_for(Thread("bluesky", "s", (Post(text + "a"),)), 0))


def test_the_pds_lexicon_check_refuses_what_the_sdk_lets_through(server: FakePDS) -> None:
    family = "👨‍👩‍👧‍👦" * 300
    body = {
        "repo": DID,
        "collection": "app.bsky.feed.post",
        "record": {
            "$type": "app.bsky.feed.post",
            "text": family,
            "createdAt": "2026-11-28T09:00:00Z",
        },
    }
    call = Recorded("POST", CREATE, {}, {}, json.dumps(body).encode())
    assert any("UTF-8 bytes" in v for v in server.violations(call))


def test_the_lexicon_checker_agrees_with_the_interop_vectors(specs_dir: Path) -> None:
    root = specs_dir / "bluesky" / "interop-tests" / "lexicon"
    lex = Lexicons(root / "catalog")
    valid = json.loads((root / "record-data-valid.json").read_text("utf-8"))
    invalid = json.loads((root / "record-data-invalid.json").read_text("utf-8"))
    for case in valid:
        assert lex.validate_record(case["data"]["$type"], case["data"]) == [], case["name"]
    missed = [c["name"] for c in invalid if not lex.validate_record(c["data"]["$type"], c["data"])]
    assert missed == []


def test_errors_are_mapped(server: FakePDS, monkeypatch: pytest.MonkeyPatch) -> None:
    reset = int(time.time()) + 90
    server.fail_next(
        CREATE,
        Reply(429, {"error": "RateLimitExceeded"}, headers={"ratelimit-reset": str(reset)}),
    )
    with pytest.raises(Retryable) as limited:
        _channel(server.url).deliver(delivery_for(_thread(), 0))
    assert limited.value.retry_after is not None and 30 < limited.value.retry_after <= 90
    server.fail_next(CREATE, Reply(500, {"error": "InternalServerError"}))
    with pytest.raises(Retryable):
        _channel(server.url).deliver(delivery_for(_thread(), 0))
    bogus = "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3m6oj3hxk2zzz|bafyreiabcdefgh"
    with pytest.raises(Permanent, match="400"):
        _channel(server.url).deliver(delivery_for(_thread(), 1), DeliveryContext(reply_to=bogus))
    with pytest.raises(Permanent, match="not a Bluesky post id"):
        _channel(server.url).deliver(delivery_for(_thread(), 1), DeliveryContext(reply_to="123"))
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "wrong-password")
    with pytest.raises(AuthError) as auth:
        _channel(server.url).deliver(delivery_for(_thread(), 0))
    assert "wrong-password" not in f"{auth.value} {auth.value.payload} {auth.value.response}"


def test_a_timeout_after_sending_is_uncertain(server: FakePDS) -> None:
    channel = _channel(server.url, timeout_seconds=0.3)
    channel.client()
    server.fail_next(CREATE, Reply(200, {}, delay=1.5, then_apply=True))
    with pytest.raises(Uncertain):
        channel.deliver(delivery_for(_thread(), 0))
    assert len(server.records) == 1


def test_a_pds_that_cannot_be_reached_is_retryable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(Retryable):
        _channel(f"http://127.0.0.1:{port}").deliver(delivery_for(_thread(), 0))


def test_a_crashed_thread_resumes_with_the_same_root(server: FakePDS) -> None:
    thread = _thread()
    channel = _channel(server.url)
    first = channel.deliver(delivery_for(thread, 0)).provider_id
    assert first is not None
    ids: list[str | None] = [first, None, None]
    server.fail_next(CREATE, Reply(500, {"error": "InternalServerError"}))
    with pytest.raises(Retryable):
        post_thread(channel, thread, ids)
    # A fresh process (new channel, new session) picks up from the recorded ids.
    post_thread(_channel(server.url), thread, ids)
    records = [server.records[i.split("|")[0]]["record"] for i in ids if i]
    assert len(server.records) == 3
    assert all(r["reply"]["root"]["uri"] == first.split("|")[0] for r in records[1:])


def test_a_reply_given_only_its_parent_finds_the_thread_root(server: FakePDS) -> None:
    # The outbox knows each post's parent; the root is read from the parent record.
    thread = _thread()
    channel = _channel(server.url)
    ids: list[str] = []
    for i in range(3):
        context = DeliveryContext(reply_to=ids[-1] if ids else None)
        result = channel.deliver(delivery_for(thread, i), context)
        assert result.provider_id is not None
        ids.append(result.provider_id)
    uris = [i.split("|")[0] for i in ids]
    root = {"uri": uris[0], "cid": server.records[uris[0]]["cid"]}
    parent = {"uri": uris[1], "cid": server.records[uris[1]]["cid"]}
    assert _refs(server.records[uris[2]]["record"]["reply"]) == {"root": root, "parent": parent}
    assert len(server.calls("/xrpc/com.atproto.repo.getRecord")) == 2

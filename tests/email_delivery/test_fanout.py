"""Fan-out of a digest to stored subscribers through the real client and local server."""

from __future__ import annotations

import hashlib
import hmac
import html
import io
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update

from distributor.channels.sendgrid import SendGridChannel, SendGridOptions
from distributor.compose import links
from distributor.compose.digest import render_digest
from distributor.compose.roundup import RoundupOptions, build_roundup
from distributor.errors import PayloadError, Permanent
from distributor.models import EVERYONE, Audience, Delivery, DeliveryKind, DeliveryState
from distributor.pipeline import email_fanout as fo
from distributor.pipeline.dispatch import dispatch_due
from distributor.pipeline.run import deliver_due
from distributor.settings import Settings, SubscribersSettings
from distributor.store.outbox import Outbox
from distributor.store.subscribers import Status, SubscriberStore
from distributor.store.tables import deliveries
from tests.compose.digest_stories import DAY, story
from tests.email_delivery.conftest import LINK_SECRET, make_digest
from tests.email_delivery.outbox_send import SEND_AT, plan_digests, send_digests
from tests.email_delivery.sendgrid_server import SendGridServer

KEY = LINK_SECRET.encode()


def _populate(store: SubscriberStore, n: int, topics: str = "", prefix: str = "r") -> None:
    rows = "\n".join(f"{prefix}{i:05d}@example.org,Reader {i},{topics}" for i in range(n))
    report = store.import_csv(io.StringIO(f"email,name,topics\n{rows}\n"))
    assert report.added == n


def _no_sync() -> SubscribersSettings:
    # The test has just synced by hand; the send's own sync would ask the server again.
    return replace(Settings().subscribers, sync_suppressions=False)


def _sent_addresses(server: SendGridServer) -> list[str]:
    return [p["to"][0]["email"] for r in server.sends for p in r.body["personalizations"]]


def test_2500_subscribers_are_three_batches_each_sent_once(
    engine: Engine, channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    store = SubscriberStore(engine)
    _populate(store, 2500)
    for i in (7, 1500, 2499):
        store.unsubscribe(f"r{i:05d}@example.org")
    store.set_status("r00008@example.org", Status.BOUNCED)
    report = send_digests(engine, channel, {"": make_digest()}, Settings())
    assert list(report.expanded.values()) == [3] and len(report.sent) == 3  # one per batch
    assert [len(r.body["personalizations"]) for r in sendgrid_server.sends] == [1000, 1000, 496]
    sent = _sent_addresses(sendgrid_server)
    assert len(sent) == len(set(sent)) == 2496
    for gone in ("r00007@example.org", "r01500@example.org", "r02499@example.org"):
        assert gone not in sent
    assert "r00008@example.org" not in sent
    keys = {
        r.body["personalizations"][0]["custom_args"]["batch_key"] for r in sendgrid_server.sends
    }
    assert keys == {f"sendgrid:digest:all:2026-11-28:batch-0000{n}" for n in (1, 2, 3)}
    # Planning and delivering again sends nothing: every batch is confirmed in the outbox.
    again = send_digests(engine, channel, {"": make_digest()}, Settings())
    assert again.sent == [] and len(sendgrid_server.sends) == 3


def test_expansion_is_deterministic_and_batches_stay_within_1000(
    engine: Engine, secrets_env: None
) -> None:
    store = SubscriberStore(engine)
    _populate(store, 2500)
    plan_digests(engine, {"": make_digest()}, Settings())
    (row,) = [r.delivery for r in Outbox(engine).records(kind="digest")]
    expand = fo.digest_expander(store, Settings())
    first, second = expand(row), expand(row)
    assert [d.idempotency_key for d in first] == [d.idempotency_key for d in second]
    assert [d.payload for d in first] == [d.payload for d in second]
    assert [d.idempotency_key for d in first] == [
        f"sendgrid:digest:all:2026-11-28:batch-0000{n}" for n in (1, 2, 3)
    ]
    # New subscribers after expansion never swell a planned batch past 1000.
    _populate(store, 10, prefix="late")
    readers = fo.StoreRecipients(store, Settings())
    for d in first:
        recipients = readers(d)
        assert len(recipients) <= 1000
        assert not any(r["email"].startswith("late") for r in recipients)


def test_each_recipient_gets_signed_links_and_one_click_headers(
    engine: Engine, channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    store = SubscriberStore(engine)
    _populate(store, 3)
    send_digests(engine, channel, {"": make_digest()}, Settings())
    [request] = sendgrid_server.sends
    tokens = set()
    for p in request.body["personalizations"]:
        subs = p["substitutions"]
        link = subs[fo.LINK_TAG]
        url = p["headers"]["List-Unsubscribe"][1:-1]
        assert url == f"https://news.example.org/unsubscribe?u={link}"
        assert re.fullmatch(r"[\w-]+\.[0-9a-f]{8}\.20261128\.[0-9a-f]{32}", link), link
        token = _token(KEY, link)
        assert token is not None
        assert _token(KEY, "x" + link) is None
        assert _token(b"another key", link) is None
        subscriber = store.get(p["to"][0]["email"])
        assert subscriber is not None and subscriber.token == token
        assert subs[fo.NAME_TAG] == f" {subscriber.name}"  # "Hello Reader 1,"
        tokens.add(token)
    assert len(tokens) == 3
    assert request.body["headers"] == {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    text_part, html_part = (c["value"] for c in request.body["content"])
    for part in (text_part, html_part):
        assert "{{" not in part
        assert f"https://news.example.org/unsubscribe?u={fo.LINK_TAG}" in part
        assert f"https://news.example.org/preferences?u={fo.LINK_TAG}" in part
    assert fo.NAME_HTML_TAG in html_part and fo.NAME_TAG in text_part


def _apply(template: str, subs: dict[str, str]) -> str:
    # What SendGrid does with substitutions: plain text replacement.
    for k, v in subs.items():
        template = template.replace(k, v)
    return template


@given(st.text(max_size=60))
def test_names_are_escaped_in_html_and_kept_in_text(name: str) -> None:
    content = fo.prepare(make_digest(), Settings())
    subs = fo.substitutions(name, "tok.sig")
    rendered = _apply(content.html, subs)
    # Whatever the name, the only tags are the template's own.
    assert re.findall(r"<(/?\w+)", rendered) == re.findall(
        r"<(/?\w+)", _apply(content.html, fo.substitutions("", "tok.sig"))
    )
    assert html.escape(name.strip(), quote=True) in rendered
    assert 'href="https://news.example.org/unsubscribe?u=tok.sig"' in rendered
    assert name.strip() in _apply(content.text, subs)


@pytest.mark.parametrize(("name", "greeting"), [("Sam", "Hello Sam, here"), ("", "Hello, here")])
def test_the_greeting_reads_right_with_and_without_a_name(name: str, greeting: str) -> None:
    stories = [story(1, title="Hospital waiting lists fall")]
    cfg = Settings()
    digest = render_digest(stories, build_roundup(stories, DAY), cfg, DAY)
    content = fo.prepare(digest, cfg)
    subs = fo.substitutions(name, "tok.sig")
    for part in (_apply(content.text, subs), _apply(content.html, subs)):
        assert greeting in part
        assert "Hello ," not in part and "Hello  " not in part


def test_retry_after_429_and_500_then_success(
    engine: Engine, channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    store = SubscriberStore(engine)
    _populate(store, 5)
    sendgrid_server.inject("429", "500")
    box = Outbox(engine)
    key = "sendgrid:digest:all:2026-11-28:batch-00001"
    first = send_digests(engine, channel, {"": make_digest()}, Settings())
    assert first.retrying and len(sendgrid_server.sends) == 1
    batch = box.get_by_key(key)
    assert batch is not None and batch.state == DeliveryState.PLANNED
    # Not before the X-RateLimit-Reset of the 429 (30 s from the answer).
    assert batch.due_at - SEND_AT >= timedelta(seconds=20)
    deliver_due(Settings(), engine, {"sendgrid": channel}, now=batch.due_at)
    batch = box.get_by_key(key)
    assert batch is not None and batch.state == DeliveryState.PLANNED  # the 500: backoff
    deliver_due(Settings(), engine, {"sendgrid": channel}, now=batch.due_at)
    assert box.get_by_key(key).state == DeliveryState.SENT  # type: ignore[union-attr]
    assert len(sendgrid_server.sends) == 3


def test_rejected_and_uncertain_batches_are_not_resent_and_the_rest_go_on(
    engine: Engine, channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    store = SubscriberStore(engine)
    _populate(store, 3000)
    sendgrid_server.inject("400", "drop", "202")
    send_digests(engine, channel, {"": make_digest()}, Settings())
    box = Outbox(engine)
    states = [
        box.get_by_key(f"sendgrid:digest:all:2026-11-28:batch-0000{n}").state  # type: ignore[union-attr]
        for n in (1, 2, 3)
    ]
    assert states == [DeliveryState.FAILED, DeliveryState.UNCERTAIN, DeliveryState.SENT]
    assert len(sendgrid_server.sends) == 3
    assert "Does not contain a valid address" in str(
        box.records(states=["failed"])[0].delivery.last_error
    )
    # Delivering again later resends neither the refused nor the uncertain batch.
    deliver_due(Settings(), engine, {"sendgrid": channel}, now=SEND_AT + timedelta(hours=1))
    assert len(sendgrid_server.sends) == 3


def test_a_refused_key_stops_the_run(
    engine: Engine, channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    store = SubscriberStore(engine)
    _populate(store, 2500)
    sendgrid_server.inject("401")
    report = send_digests(engine, channel, {"": make_digest()}, Settings())
    assert "sendgrid" in report.auth_failed
    assert len(sendgrid_server.sends) == 1  # the channel is skipped after a refused key


def test_topics_get_their_own_variant_rendered_once(
    engine: Engine, channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    store = SubscriberStore(engine)
    _populate(store, 4)
    _populate(store, 3, topics="health", prefix="h")
    stories = [
        story(1, title="Hospital waiting lists fall", tags=("Health",)),
        story(2, title="New patrol ships ordered", tags=("Defence",)),
    ]
    cfg = Settings()
    roundup = build_roundup(stories, DAY, RoundupOptions.from_settings(cfg))
    variants = store.variants()
    assert variants == {EVERYONE: 4, Audience(("health",)): 3}
    digests = fo.render_variants(stories, roundup, cfg, DAY, variants)
    assert set(digests) == {EVERYONE, Audience(("health",))}
    assert "New patrol ships ordered" in digests[EVERYONE].text
    health = digests[Audience(("health",))]
    assert health.variant == "health"
    assert "Hospital waiting lists fall" in health.text
    send_digests(engine, channel, digests, cfg)
    assert len(sendgrid_server.sends) == 2
    by_variant = {
        next(c for c in r.body["categories"] if c.startswith("variant-")): r
        for r in sendgrid_server.sends
    }
    assert {p["to"][0]["email"] for p in by_variant["variant-health"].body["personalizations"]} == {
        "h00000@example.org",
        "h00001@example.org",
        "h00002@example.org",
    }
    assert len(by_variant["variant-all"].body["personalizations"]) == 4


def test_send_test_reaches_one_address_marked_as_test(
    channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    result = fo.send_test(
        channel, make_digest(), Settings(), "editor@example.org", sandbox=True, key=KEY
    )
    assert result.provider_id == "msg-1"
    [request] = sendgrid_server.sends
    body = request.body
    assert [p["to"][0]["email"] for p in body["personalizations"]] == ["editor@example.org"]
    assert body["subject"].startswith("[TEST] ")
    assert "test" in body["categories"]
    assert body["personalizations"][0]["custom_args"]["test"] == "true"
    assert body["mail_settings"] == {"sandbox_mode": {"enable": True}}


def test_suppressions_are_synced_incrementally_before_sending(
    engine: Engine, channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    store = SubscriberStore(engine)
    _populate(store, 6)
    sendgrid_server.suppressions = {
        "bounces": [{"email": "r00001@example.org", "created": 1_700_000_000}],
        "spam_reports": [{"email": "R00002@example.org", "created": 1_700_000_100}],
        "unsubscribes": [
            {"email": f"other{i}@example.org", "created": 1_700_000_000 + i} for i in range(600)
        ]
        + [{"email": "r00003@example.org", "created": 1_700_000_900}],
    }
    sendgrid_server.group_suppressions = {"4242": ["r00004@example.org"]}
    report = fo.sync_suppressions(channel, store)
    assert report.warnings == []
    assert report.changed == {
        "unsubscribes": 1,
        "bounces": 1,
        "invalid_emails": 0,
        "spam_reports": 1,
        "group:4242": 1,
    }
    assert store.counts() == {
        "active": 2,
        "unsubscribed": 2,
        "bounced": 1,
        "complained": 1,
        "paused": 0,
        "pending": 0,
    }
    assert store.synced_until("unsubscribes") == 1_700_000_900
    # Paged: 601 unsubscribes at 500 a page is two requests.
    pages = [r for r in sendgrid_server.received if r.path.startswith("/v3/suppression/unsub")]
    assert len(pages) == 2 and "offset=500" in pages[1].path
    # The next sync asks only from the newest time seen.
    fo.sync_suppressions(channel, store)
    last = [r.path for r in sendgrid_server.received if "/unsubscribes?" in r.path][-1]
    assert parse_qs(urlsplit(last).query)["start_time"] == ["1700000900"]
    send_digests(engine, channel, {"": make_digest()}, replace(Settings(), subscribers=_no_sync()))
    assert sorted(_sent_addresses(sendgrid_server)) == ["r00000@example.org", "r00005@example.org"]


def test_a_failed_sync_warns_and_does_not_stop(engine: Engine, secrets_env: None) -> None:
    store = SubscriberStore(engine)
    ch = SendGridChannel(
        Settings(), SendGridOptions(api_host="http://127.0.0.1:9", timeout_seconds=0.5)
    )
    report = fo.sync_suppressions(ch, store)
    assert len(report.warnings) == len(ch.suppression_lists())
    assert "could not reach" in report.warnings[0] or "failed" in report.warnings[0]


@pytest.mark.parametrize("answer", [{"unexpected": True}, [{"email": "x@example.org"}], "text"])
def test_a_200_that_is_not_the_documented_list_warns_and_the_rest_syncs(
    engine: Engine, channel: SendGridChannel, sendgrid_server: SendGridServer, answer: object
) -> None:
    store = SubscriberStore(engine)
    _populate(store, 3)
    sendgrid_server.suppressions = {
        "bounces": [{"email": "r00001@example.org", "created": 1_700_000_000}]
    }
    sendgrid_server.group_suppressions = {"4242": answer}  # type: ignore[dict-item]
    report = fo.sync_suppressions(channel, store)
    assert len(report.warnings) == 1 and "group:4242" in report.warnings[0]
    assert "documented" in report.warnings[0]
    assert report.changed["bounces"] == 1  # the other lists still synced
    send_digests(engine, channel, {"": make_digest()}, replace(Settings(), subscribers=_no_sync()))
    assert sorted(_sent_addresses(sendgrid_server)) == ["r00000@example.org", "r00002@example.org"]


def _token(key: bytes, value: str) -> str | None:
    return links.check([key], value, today=date(2026, 11, 28), days=90).token


@given(st.binary(min_size=1, max_size=100), st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True))
def test_link_signature_is_hmac_sha256(key: bytes, token: str) -> None:
    value = links.link_value(key, token, date(2026, 11, 28))
    signed, _, signature = value.rpartition(".")
    expected = hmac.new(key, b"link:" + signed.encode(), hashlib.sha256).hexdigest()[:32]
    assert signature == expected
    assert _token(key, value) == token


def test_sync_before_send_follows_the_setting(
    engine: Engine, channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    store = SubscriberStore(engine)
    _populate(store, 2)
    sendgrid_server.group_suppressions = {"4242": ["r00001@example.org"]}
    off = Settings(subscribers=replace(Settings().subscribers, sync_suppressions=False))
    assert fo.sync_before_send(channel, store, off).changed == {}
    assert store.counts()["unsubscribed"] == 0
    report = fo.sync_before_send(channel, store, Settings())
    assert report.changed["group:4242"] == 1
    assert store.counts()["unsubscribed"] == 1


def _digest_row() -> Delivery:
    # Shaped as the outbox planner writes a digest row.
    digest = make_digest()
    return Delivery(
        channel="sendgrid",
        kind=DeliveryKind.DIGEST,
        idempotency_key="sendgrid:digest:all:2026-11-28",
        due_at=datetime(2026, 11, 28, 7, tzinfo=UTC),
        payload={
            "subject": digest.subject,
            "preheader": digest.preheader,
            "html": digest.html,
            "text": digest.text,
            "story_ids": list(digest.story_ids),
            "day": "2026-11-28",
            "variant": "all",
        },
        subject_id="all",
        day=date(2026, 11, 28),
    )


def test_the_outbox_expands_a_digest_row_and_the_channel_sends_each_batch_once(
    engine: Engine, channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    store = SubscriberStore(engine)
    _populate(store, 2500)
    expand = fo.digest_expander(store, Settings(), channel=channel)
    row = _digest_row()
    children = expand(row)
    assert [c.idempotency_key for c in children] == [
        f"sendgrid:digest:all:2026-11-28:batch-0000{n}" for n in (1, 2, 3)
    ]
    assert [c.idempotency_key for c in expand(row)] == [c.idempotency_key for c in children]
    # Rows hold ranges, not addresses.
    assert all("recipients" not in c.payload for c in children)
    with pytest.raises(Permanent, match="given no recipients"):
        channel.deliver(children[0])
    channel = channel.reading(fo.StoreRecipients(store, Settings(), key=KEY))
    store.unsubscribe("r00000@example.org")
    for child in children:
        result = channel.deliver(replace(child, expanded_from=row.idempotency_key))
        assert result.provider_id is not None
    sent = _sent_addresses(sendgrid_server)
    assert len(sent) == len(set(sent)) == 2499
    assert "r00000@example.org" not in sent
    body = sendgrid_server.sends[0].body
    assert body["subject"] == row.payload["subject"]
    assert body["personalizations"][0]["custom_args"]["batch_key"] == children[0].idempotency_key


def test_a_batch_whose_readers_all_left_sends_nothing(
    engine: Engine, channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    store = SubscriberStore(engine)
    _populate(store, 3)
    [child] = fo.digest_expander(store, Settings())(_digest_row())
    channel = channel.reading(fo.StoreRecipients(store, Settings(), key=KEY))
    for i in range(3):
        store.unsubscribe(f"r{i:05d}@example.org")
    result = channel.deliver(child)
    assert result.detail == {"skipped": "everyone in this batch has left since it was planned"}
    assert sendgrid_server.sends == []


def test_every_audience_variant_gets_a_digest_and_its_readers(
    engine: Engine, channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    store = SubscriberStore(engine)
    _populate(store, 2)
    _populate(store, 2, topics="defence", prefix="d")
    stories = [
        story(1, title="Hospital waiting lists fall", tags=("Health",)),
        story(2, title="New patrol ships ordered", tags=("Defence",)),
    ]
    cfg = Settings()
    roundup = build_roundup(stories, DAY, RoundupOptions.from_settings(cfg))
    digests = fo.digests_for_audience(store, stories, roundup, cfg, DAY)
    assert [d.variant for d in digests] == ["all", "defence"]
    channel = channel.reading(fo.StoreRecipients(store, cfg, key=KEY))
    for d in digests:
        row = _digest_row()
        row.payload.update(variant=d.variant, html=d.html, text=d.text, subject=d.subject)
        row.idempotency_key = f"sendgrid:digest:{d.variant}:2026-11-28"
        for child in fo.digest_expander(store, cfg)(row):
            channel.deliver(child)
    assert sorted(_sent_addresses(sendgrid_server)) == [
        "d00000@example.org",
        "d00001@example.org",
        "r00000@example.org",
        "r00001@example.org",
    ]


def test_topic_readers_get_their_stories_first_and_keep_the_lead() -> None:
    cfg = Settings()
    stories = [
        story(1, title="New patrol ships ordered", tags=("Defence",), figures=("£4bn.",), hour=9),
        *(story(n, title=f"Council story number {n}", tags=("Local",)) for n in range(2, 6)),
        story(10, title="Hospital waiting lists fall", tags=("Health",), hour=2),
    ]
    roundup = build_roundup(stories, DAY, replace(RoundupOptions(), featured_count=3))
    assert roundup.featured[0].headline == "New patrol ships ordered"
    # Ranked low for everyone: not a card in the full digest.
    assert "Hospital waiting lists fall" not in [i.headline for i in roundup.featured]
    readers = Audience.of(["Health"])
    health = fo.render_variants(stories, roundup, cfg, DAY, [readers])[readers].text
    lead, mine = health.find("New patrol ships ordered"), health.find("Hospital waiting lists fall")
    # Their own story comes first, as a card; the day's lead is still there, listed once.
    assert 0 <= mine < lead
    assert health.count("New patrol ships ordered") == 1


def test_an_audience_has_one_slug_rule_and_everyone_one_spelling(engine: Engine) -> None:
    store = SubscriberStore(engine)
    _populate(store, 2)
    _populate(store, 2, topics="Public Health", prefix="p")
    readers = Audience.of(["public health"])
    assert store.variants() == {EVERYONE: 2, readers: 2}
    # A tag written another way is the same topic: one slug rule for readers and tags.
    stories = [
        story(1, title="New patrol ships ordered", tags=("Defence",), hour=9),
        story(2, title="Clinic hours extended", tags=("PUBLIC HEALTH",), hour=2),
    ]
    cfg = Settings()
    roundup = build_roundup(stories, DAY, replace(RoundupOptions(), featured_count=1))
    theirs = fo.render_variants(stories, roundup, cfg, DAY, [readers])[readers]
    assert theirs.text.find("Clinic hours extended") < theirs.text.find("New patrol ships")
    # Everyone is "all" in the row, its batches and the categories, never "".
    for d in fo.digests_for_audience(store, stories, roundup, cfg, DAY):
        row = _digest_row()
        row.payload.update(variant=d.variant, html=d.html, text=d.text, subject=d.subject)
        children = fo.digest_expander(store, cfg)(row)
        assert [c.payload["variant"] for c in children] == [d.variant]
        assert f"variant-{d.variant}" in children[0].payload["categories"]
    assert [d.variant for d in fo.digests_for_audience(store, stories, roundup, cfg, DAY)] == [
        "all",
        "public-health",
    ]
    # A row planned when everyone was spelled "" still reaches everyone.
    legacy = _digest_row()
    legacy.payload["variant"] = ""
    (child,) = fo.digest_expander(store, cfg)(legacy)
    members = fo.StoreRecipients(store, cfg, key=KEY)(child)
    assert sorted(m["email"] for m in members) == ["r00000@example.org", "r00001@example.org"]


def _drop_from_stored_payload(engine: Engine, key: str, field: str) -> None:
    with engine.begin() as conn:
        stored = conn.execute(
            select(deliveries.c.payload).where(deliveries.c.idempotency_key == key)
        ).scalar_one()
        payload = json.loads(stored)
        del payload[field]
        conn.execute(
            update(deliveries)
            .where(deliveries.c.idempotency_key == key)
            .values(payload=json.dumps(payload))
        )


def test_a_stored_batch_lacking_a_field_fails_naming_it_and_the_other_batches_go(
    engine: Engine, channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    store = SubscriberStore(engine)
    _populate(store, 2500)
    plan_digests(engine, {"": make_digest()}, Settings())
    expanders = {("sendgrid", "digest"): fo.digest_expander(store, Settings())}
    first = dispatch_due(
        engine, Settings(), {"sendgrid": channel}, now=SEND_AT, limit=1, expanders=expanders
    )
    assert list(first.expanded.values()) == [3] and sendgrid_server.sends == []
    broken = "sendgrid:digest:all:2026-11-28:batch-00002"
    _drop_from_stored_payload(engine, broken, "last_id")
    report = deliver_due(Settings(), engine, {"sendgrid": channel}, now=SEND_AT)
    row = Outbox(engine).get_by_key(broken)
    assert row is not None and row.state == DeliveryState.FAILED
    assert row.last_error == (
        f"delivery {row.id} ({broken}): the digest batch payload's last_id is missing"
    )
    assert report.failed == [row.id] and report.uncertain == [] and len(report.sent) == 2
    assert [len(r.body["personalizations"]) for r in sendgrid_server.sends] == [1000, 500]


def test_a_batch_is_known_by_its_row_not_by_the_keys_its_payload_holds(
    engine: Engine, channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    store = SubscriberStore(engine)
    _populate(store, 3)
    [batch] = fo.digest_expander(store, Settings())(_digest_row())
    channel = channel.reading(fo.StoreRecipients(store, Settings(), key=KEY))
    # A test send carrying a subscriber range is still a test send: it lists no
    # recipients, so it is refused, and never goes to the subscribers.
    lookalike = replace(batch, kind=DeliveryKind.PREVIEW, expanded_from=None)
    with pytest.raises(PayloadError, match="the email payload's recipients is missing"):
        channel.deliver(lookalike)
    assert sendgrid_server.sends == []
    # The row a digest row was expanded into is a batch: its range's readers get it.
    channel.deliver(batch)
    assert sorted(_sent_addresses(sendgrid_server)) == [f"r{i:05d}@example.org" for i in range(3)]

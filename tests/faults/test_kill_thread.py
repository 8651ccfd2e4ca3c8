"""SIGKILL the worker at each step of posting a thread, with the real tweepy, atproto and
Mastodon.py clients talking to local servers: after a restart no post is posted twice,
the thread goes on in order, and the post in doubt is ``uncertain`` and holds back its
replies rather than being resent."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from distributor import settings as config
from distributor.models import DeliveryState
from distributor.pipeline.run import channels_for, deliver_due, plan
from distributor.store.outbox import Outbox
from tests.config_file import write_config
from tests.faults.child import STEPS
from tests.faults.procs import kill_at_step
from tests.servers.base import Reply
from tests.servers.bluesky_pds import FakePDS
from tests.servers.mastodon_api import FakeMastodon
from tests.servers.x_api import FakeX
from tests.social.posting import SECRETS

pytestmark = pytest.mark.slow

EARLY = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # London is on UTC in winter
AT_EIGHT = datetime(2026, 11, 30, 8, 1, tzinfo=UTC)
RESTART = AT_EIGHT + timedelta(minutes=30)
ARTICLES = {
    "rail.txt": "Rail fares frozen for a year\n"
    "Regulated rail fares will not rise in March, saving commuters £250m.\n"
    "- 1.5 million season tickets are covered by the freeze.\n"
    "“Fares that jump every year push people off trains,” said Minister Ada Lane.\n",
    "parks.txt": "Parks fund reaches 120 councils\n"
    "A £9m fund for park repairs will reach 120 councils this winter.\n",
}


@pytest.fixture
def servers(specs_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("X_API_BASE_URL", raising=False)
    fakes = {"x": FakeX(specs_dir), "bluesky": FakePDS(specs_dir), "mastodon": FakeMastodon()}
    with ExitStack() as stack:
        for fake in fakes.values():
            stack.enter_context(fake.running())
        yield fakes


def _site(tmp_path: Path, db_url: str, network: str, base_url: str) -> dict[str, Any]:
    """The two articles in a folder, and the configuration that posts them to ``network``."""
    news = tmp_path / "news"
    news.mkdir()
    for name, text in ARTICLES.items():
        (news / name).write_text(text, encoding="utf-8")
    return {
        "ingest": {"sources": [str(news)]},
        "database": {"url": db_url},
        "output": {"dir": str(tmp_path / "out")},
        "delivery": {"channels": ["files", network]},
        "channels": {network: {"base_url": base_url}},
    }


def posted(network: str, server: Any) -> list[str]:
    """The text of every post the server holds, in the order it took them."""
    if network == "x":
        return [t["text"] for t in server.tweets.values()]
    if network == "bluesky":
        return [r["record"]["text"] for r in server.records.values()]
    return [s["content"] for s in server.statuses.values()]


@pytest.mark.parametrize("network", ["x", "bluesky", "mastodon"])
@pytest.mark.parametrize("step", STEPS)
def test_a_thread_killed_at_each_step_is_never_posted_twice(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    servers: dict[str, Any],
    network: str,
    step: str,
) -> None:
    mapping = _site(tmp_path, db_url, network, servers[network].url)
    cfg = config.from_mapping(mapping, base_dir=tmp_path)
    plan(cfg, engine, now=EARLY)
    box = Outbox(engine, cfg.schedule)
    due = [
        r for r in box.records() if r.delivery.channel == network and r.delivery.due_at <= AT_EIGHT
    ]
    assert len(due) >= 3  # the first thread: a head and at least two replies

    kill_at_step(mapping, tmp_path, AT_EIGHT.isoformat(), network, step=step, nth=2)
    server = servers[network]
    assert len(posted(network, server)) == (1 if step == "before" else 2)

    doubtful = box.recover_stale_claims(RESTART)
    assert len(doubtful) == (0 if step == "recorded" else 1)
    report = deliver_due(cfg, engine, {network: channels_for(cfg)[network]}, now=RESTART)
    assert report.failed == []

    texts = posted(network, server)
    assert max(Counter(texts).values()) == 1  # nothing posted twice
    keys = [r.delivery.idempotency_key for r in due]
    states = [box.get_by_key(k).state for k in keys]  # type: ignore[union-attr]
    if step == "recorded":
        assert states == [DeliveryState.SENT] * len(keys) and len(texts) == len(keys)
        return
    # The second post may or may not be up: it waits for the operator, and so do its
    # replies, so the thread can never fork or repeat.
    assert states[0] == DeliveryState.SENT and states[1] == DeliveryState.UNCERTAIN
    assert set(states[2:]) == {DeliveryState.PLANNED}
    assert len(texts) == (1 if step == "before" else 2)


PATHS = {"x": "/2/tweets", "bluesky": "createRecord", "mastodon": "/api/v1/statuses"}


@pytest.mark.parametrize("network", ["x", "bluesky", "mastodon"])
def test_a_thread_killed_while_the_network_holds_its_answer_is_not_posted_twice(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    servers: dict[str, Any],
    network: str,
) -> None:
    server = servers[network]
    mapping = _site(tmp_path, db_url, network, server.url)
    cfg = config.from_mapping(mapping, base_dir=tmp_path)
    plan(cfg, engine, now=EARLY)
    path = PATHS[network]
    # The head of the thread is posted, but its answer never comes back.
    server.fail_next(path, Reply(500, delay=30, then_apply=True))
    kill_at_step(
        mapping,
        tmp_path,
        AT_EIGHT.isoformat(),
        network,
        step="mid-request",
        nth=1,
        until=lambda: len(server.calls(path)) >= 1,
    )
    box = Outbox(engine, cfg.schedule)
    assert len(box.recover_stale_claims(RESTART)) == 1
    deliver_due(cfg, engine, {network: channels_for(cfg)[network]}, now=RESTART)
    assert len(posted(network, server)) == 1
    assert len(server.calls(path)) == 1  # the post in doubt was not sent again
    head = next(r for r in box.records() if r.delivery.channel == network)
    assert head.delivery.state == DeliveryState.UNCERTAIN
    replies = [r for r in box.records() if r.delivery.parent_key == head.delivery.idempotency_key]
    assert replies and {r.delivery.state for r in replies} == {DeliveryState.PLANNED}


def _reply_to(network: str, server: Any, text: str) -> str | None:
    """The provider id the post with this text replies to."""
    if network == "x":
        return next(t["reply_to"] for t in server.tweets.values() if t["text"] == text)
    if network == "bluesky":
        record = next(r["record"] for r in server.records.values() if r["record"]["text"] == text)
        parent = record["reply"]["parent"]
        return f"{parent['uri']}|{parent['cid']}"
    return next(s["in_reply_to_id"] for s in server.statuses.values() if text in s["content"])


@pytest.mark.parametrize("network", ["x", "bluesky", "mastodon"])
def test_the_operator_settles_an_uncertain_post_and_the_thread_goes_on_under_it(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    servers: dict[str, Any],
    network: str,
) -> None:
    import json

    from click.testing import CliRunner

    from distributor.cli import main

    server = servers[network]
    mapping = _site(tmp_path, db_url, network, server.url)
    config_file = write_config(tmp_path / "distributor.toml", mapping)
    cfg = config.from_mapping(mapping, base_dir=tmp_path)
    plan(cfg, engine, now=EARLY)
    path = PATHS[network]
    # The head goes out, but the answer never comes back: uncertain after the restart.
    server.fail_next(path, Reply(500, delay=30, then_apply=True))
    kill_at_step(
        mapping,
        tmp_path,
        AT_EIGHT.isoformat(),
        network,
        step="mid-request",
        nth=1,
        until=lambda: len(server.calls(path)) >= 1,
    )
    box = Outbox(engine, cfg.schedule)
    box.recover_stale_claims(RESTART)
    head = next(r for r in box.records() if r.delivery.channel == network)
    assert head.delivery.state == DeliveryState.UNCERTAIN
    head_id = str(head.delivery.id)

    def cli(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["--config", str(config_file), "outbox", *args])
        return result.exit_code, result.output

    code, out = cli("show", head_id, "--lookup", "--json")
    assert code == 0, out
    found = json.loads(out)["lookup"]
    if network == "x":
        assert found is None  # X offers no lookup: the operator reads the profile
        (posted_id,) = server.tweets
    else:
        (match,) = found
        posted_id = match["provider_id"]
    # Replies wait under it, so it cannot be settled without the id they reply to.
    code, out = cli("mark-sent", head_id)
    assert code != 0 and "waiting to be posted under it" in out
    code, out = cli("mark-sent", head_id, "--provider-id", posted_id)
    assert code == 0 and "now sent" in out

    deliver_due(cfg, engine, {network: channels_for(cfg)[network]}, now=RESTART)
    texts = posted(network, server)
    assert max(Counter(texts).values()) == 1  # nothing posted twice
    thread = [r for r in box.records() if r.delivery.channel == network]
    first_reply = next(r for r in thread if r.delivery.parent_key == head.delivery.idempotency_key)
    assert box.get_by_key(first_reply.delivery.idempotency_key).state == DeliveryState.SENT  # type: ignore[union-attr]
    reply_text = str(first_reply.delivery.payload["text"])
    assert _reply_to(network, server, reply_text) == posted_id

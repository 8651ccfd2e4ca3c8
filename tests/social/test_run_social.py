"""A simulated day through ``run``: threads through the posting window and the roundup in
the evening, posted by the real tweepy, atproto and Mastodon.py clients to local
servers, each post in reply to the one before, nothing twice."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from distributor import settings as config
from distributor.pipeline.run import run
from tests.servers.bluesky_pds import FakePDS
from tests.servers.mastodon_api import FakeMastodon
from tests.servers.x_api import FakeX
from tests.social.posting import SECRETS

ARTICLES = {
    "rail.txt": "Rail fares frozen for a year\n"
    "Regulated rail fares in England will not rise in March, saving commuters £250m.\n"
    "- 1.5 million season tickets are covered by the freeze.\n"
    "“Fares that jump every January push people off trains,” said Rail Minister Owen Pritchard.\n",
    "clinics.txt": "Health clinics open late in 40 towns\n"
    "Forty community clinics will stay open until 9pm from January.\n",
    "parks.txt": "Parks fund reaches 120 councils\n"
    "A £9m fund for park repairs will reach 120 councils this winter.\n",
}


@pytest.fixture
def servers(specs_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("X_API_BASE_URL", raising=False)
    x, pds, masto = FakeX(specs_dir), FakePDS(specs_dir), FakeMastodon()
    with ExitStack() as stack:
        for fake in (x, pds, masto):
            stack.enter_context(fake.running())
        yield {"x": x, "bluesky": pds, "mastodon": masto}  # type: ignore[misc]


def _settings(tmp_path: Path, db_url: str, urls: dict[str, str]) -> config.Settings:
    news = tmp_path / "news"
    news.mkdir()
    for name, text in ARTICLES.items():
        (news / name).write_text(text, encoding="utf-8")
    return config.from_mapping(
        {
            "ingest": {"sources": [str(news)]},
            "database": {"url": db_url},
            "output": {"dir": str(tmp_path / "out")},
            "delivery": {"channels": ["files", "x", "bluesky", "mastodon"]},
            "email": {"featured_count": 2},
            "channels": {name: {"base_url": url} for name, url in urls.items()},
        },
        base_dir=tmp_path,
    )


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 30, hour, minute, tzinfo=UTC)  # London is on UTC in winter


def test_a_day_of_threads_and_the_evening_roundup(
    tmp_path: Path, engine: Engine, db_url: str, servers: dict[str, object]
) -> None:
    x: FakeX = servers["x"]  # type: ignore[assignment]
    pds: FakePDS = servers["bluesky"]  # type: ignore[assignment]
    masto: FakeMastodon = servers["mastodon"]  # type: ignore[assignment]
    cfg = _settings(tmp_path, db_url, {"x": x.url, "bluesky": pds.url, "mastodon": masto.url})

    first = run(cfg, engine, now=_at(6))
    assert first.new == 3
    assert not x.tweets and not pds.records and not masto.statuses  # nothing due before 08:00

    for hour in (8, 10, 12, 14, 16, 18, 20):
        report = run(cfg, engine, now=_at(hour, 1))
        assert not report.dispatched.failed and not report.dispatched.uncertain

    tweets = list(x.tweets.values())
    heads = [t for t in tweets if t["reply_to"] is None]
    # Two featured stories get a thread each, and the roundup goes as its own post.
    assert len(heads) == 3
    assert any("Rail fares frozen for a year" in t["text"] for t in heads)
    assert any("More of Today" in t["text"] for t in heads)
    assert len({t["text"] for t in tweets}) == len(tweets)
    for tweet_id, tweet in x.tweets.items():
        if tweet["reply_to"] is not None:
            assert tweet["reply_to"] in x.tweets and int(tweet["reply_to"]) < int(tweet_id)
    quote = [t for t in tweets if "Owen Pritchard" in t["text"]]
    assert len(quote) == 1 and quote[0]["reply_to"] is not None

    assert len([s for s in masto.statuses.values() if s["in_reply_to_id"] is None]) == 3
    replies = [r["record"] for r in pds.records.values() if r["record"].get("reply")]
    roots = [r["record"] for r in pds.records.values() if not r["record"].get("reply")]
    assert len(roots) == 3 and len(replies) == len(pds.records) - 3

    posted = (len(x.tweets), len(pds.records), len(masto.statuses))
    again = run(cfg, engine, now=_at(21))
    assert again.dispatched.sent == []
    assert (len(x.tweets), len(pds.records), len(masto.statuses)) == posted


def test_threads_fit_a_mastodon_instance_with_a_smaller_limit(
    tmp_path: Path, engine: Engine, db_url: str, specs_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    masto = FakeMastodon(max_characters=120)
    with masto.running():
        _settings(tmp_path, db_url, {})  # writes the articles under news/
        cfg = config.from_mapping(
            {
                "ingest": {"sources": [str(tmp_path / "news")]},
                "database": {"url": db_url},
                "output": {"dir": str(tmp_path / "out")},
                "delivery": {"channels": ["mastodon"]},
                "social": {"networks": ["mastodon"]},
                "channels": {"mastodon": {"base_url": masto.url}},
            },
            base_dir=tmp_path,
        )
        for hour in (6, 8, 12, 16, 20):
            report = run(cfg, engine, now=_at(hour, 1))
            assert report.dispatched.failed == [], report.dispatched.errors
    assert masto.statuses
    assert all(len(s["content"]) - len("<p></p>") <= 120 for s in masto.statuses.values())


def test_the_daily_budget_holds_across_runs_when_better_stories_arrive_later(
    tmp_path: Path, engine: Engine, db_url: str, servers: dict[str, object]
) -> None:
    from sqlalchemy import func, select

    from distributor.store.tables import deliveries

    x: FakeX = servers["x"]  # type: ignore[assignment]
    _settings(tmp_path, db_url, {})  # writes the first articles under news/
    cfg = config.from_mapping(
        {
            "ingest": {"sources": [str(tmp_path / "news")]},
            "database": {"url": db_url},
            "delivery": {"channels": ["x"]},
            "social": {"networks": ["x"], "posts_per_day": {"x": 5}},
            "email": {"featured_count": 10},
            "channels": {"x": {"base_url": x.url}},
        },
        base_dir=tmp_path,
    )

    def thread_posts() -> int:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(
                        deliveries.c.channel == "x", deliveries.c.kind == "thread_post"
                    )
                ).scalar_one()
            )

    run(cfg, engine, now=_at(6))
    first = thread_posts()
    assert 0 < first <= 5
    # Later in the day: stories with figures and a quote, which rank above the first ones.
    for n in range(3):
        (tmp_path / "news" / f"late{n}.txt").write_text(
            f"Ministers approve £{n + 2}bn plan number {n}\n"
            f"The plan will fund {n + 5}00 new homes, the department said.\n"
            f"- {40 + n}% of the money goes to the north.\n"
            f"“This matters,” said Housing Minister Dana Lee.\n",
            encoding="utf-8",
        )
    run(cfg, engine, now=_at(9))
    assert thread_posts() <= 5
    for hour in (12, 16, 20):
        run(cfg, engine, now=_at(hour))
    assert len([t for t in x.tweets.values() if t["reply_to"] is None]) >= 1
    assert len(x.tweets) <= 5 + cfg.social.roundup_max_posts

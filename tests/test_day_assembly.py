"""One day assembly: every preview shows what ``run`` would send at the same moment.

The previews once built the day their own way: today in the publisher's zone instead of
the schedule's, the digest of today after that day's edition had gone, and threads counted
against a network's default limit instead of the live instance's. These tests hold the
previews to what ``run`` does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from distributor import settings as config
from distributor.cli import main
from distributor.pipeline import day
from distributor.pipeline.run import run
from tests.config_file import write_config
from tests.servers.mastodon_api import FakeMastodon
from tests.social.posting import SECRETS

ARTICLES = {
    "ferries.txt": "Island ferries get two new boats\n"
    "Two hybrid ferries costing £48m will join the island routes in 2027.\n"
    "- Crossings rise from 12 to 18 a day.\n"
    "“Islanders have waited long enough,” said Transport Minister Ailsa Rennie.\n",
    "libraries.txt": "Libraries stay open on Sundays\n"
    "Sixty libraries will open on Sundays from April, funded by a £3m grant.\n",
    "roads.txt": "Pothole fund doubled\n"
    "The pothole fund has doubled to £200m for the coming year across 150 councils.\n",
}


def _mapping(tmp_path: Path, extra: Mapping[str, Any]) -> dict[str, Any]:
    news = tmp_path / "news"
    news.mkdir(exist_ok=True)
    for name, text in ARTICLES.items():
        (news / name).write_text(text, encoding="utf-8")
    base: dict[str, Any] = {
        "ingest": {"sources": [str(news)]},
        "database": {"url": f"sqlite:///{tmp_path / 'db.sqlite'}"},
        "output": {"dir": str(tmp_path / "out")},
    }
    return base | dict(extra)


def _cli(cfg: Path, *args: str) -> Any:
    result = CliRunner().invoke(main, ["--config", str(cfg), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_preview_digest_builds_the_edition_run_plans_in_the_schedules_zone(
    tmp_path: Path,
) -> None:
    # The schedule keeps Kiritimati's clock (UTC+14) while the publisher is in London:
    # "today" is the schedule's, and at any hour the 00:00 edition has gone, so both
    # commands build tomorrow's (there).
    cfg = write_config(
        tmp_path / "distributor.toml",
        _mapping(
            tmp_path,
            {
                "publisher": {"timezone": "Europe/London"},
                "schedule": {"timezone": "Pacific/Kiritimati", "digest_at": "00:00"},
            },
        ),
    )
    planned = _cli(cfg, "run", "--json")
    previewed = _cli(cfg, "preview", "digest", "--out", str(tmp_path / "p"), "--json")
    there = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    assert planned["digest_edition"] == previewed["day"] == str(there + timedelta(days=1))
    assert previewed["subject"] == planned["subject"]
    assert "tomorrow" in previewed["edition_why"]
    # One digest.json: the files channel writes the same summary as the preview.
    written = json.loads(next((tmp_path / "out").glob("*/digest.json")).read_text(encoding="utf-8"))
    on_disk = json.loads((tmp_path / "p" / "digest.json").read_text(encoding="utf-8"))
    assert written.keys() == on_disk.keys()
    assert written["day"] == on_disk["day"] and written["subject"] == on_disk["subject"]
    assert written["edition_why"] == on_disk["edition_why"]

    # An edition asked for by date is that day's, with the reason said.
    asked = _cli(
        cfg, "preview", "digest", "--out", str(tmp_path / "q"), "--date", "2026-11-30", "--json"
    )
    assert asked["day"] == "2026-11-30"
    assert asked["edition_why"] == "the day asked for"


def test_preview_thread_counts_against_the_live_instance_and_matches_what_run_posts(
    tmp_path: Path, engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    masto = FakeMastodon(max_characters=150)
    with masto.running():
        mapping = _mapping(
            tmp_path,
            {
                "delivery": {"channels": ["mastodon"]},
                "social": {"networks": ["mastodon"]},
                "channels": {"mastodon": {"base_url": masto.url}},
            },
        )
        cfg_file = write_config(tmp_path / "distributor.toml", mapping)
        preview = _cli(cfg_file, "preview", "thread", "--date", "2026-11-30", "--json")
        roundup = _cli(cfg_file, "preview", "roundup", "--date", "2026-11-30", "--json")
        posts = [p for t in preview["threads"] for p in t["posts"]]
        posts += [p for t in roundup["threads"] for p in t["posts"]]
        # The instance's own limit, not Mastodon's default 500.
        assert posts and {p["limit"] for p in posts} == {150}
        assert all(p["length"] <= 150 for p in posts)

        settings = config.from_mapping(mapping | {"database": {"url": db_url}}, base_dir=tmp_path)
        for hour in (6, 8, 12, 16, 20):
            run(settings, engine, now=datetime(2026, 11, 30, hour, 1, tzinfo=UTC))
    # What was posted is what the previews showed: the same posts, no more, no fewer.
    assert len(masto.statuses) == len(posts)
    heads = [s for s in masto.statuses.values() if s["in_reply_to_id"] is None]
    assert len(heads) == len(preview["threads"]) + len(roundup["threads"])


def test_every_preview_and_run_share_one_assembly(tmp_path: Path) -> None:
    settings = config.from_mapping(_mapping(tmp_path, {}), base_dir=tmp_path)
    stories, problems = day.read(settings)
    assert problems == [] and len(stories) == 3
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    once = day.assemble(settings, stories, now=now)
    again = day.assemble(settings, list(reversed(stories)), now=now)
    # The order the files were read in changes nothing an editor sees.
    assert once.digest is not None and again.digest is not None
    assert once.digest.subject == again.digest.subject
    assert [t.story_id for t in once.threads["x"]] == [t.story_id for t in again.threads["x"]]
    # After the digest time the next edition is tomorrow's, and it says so.
    late = day.assemble(settings, stories, now=now.replace(hour=20))
    assert late.edition == day.Edition(
        now.date() + timedelta(days=1), "tomorrow's edition: today's was due at 07:00"
    )

"""``preview thread`` and ``preview roundup`` on article files an editor would pass."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from distributor.cli import main

ARTICLES = {
    "a-rail.txt": "Rail fares frozen for another year\n\nFares will not rise.\n",
    "b-schools.txt": "Schools get 200 new science labs\n\nThe labs open next autumn.\n",
    "c-roads.txt": "Pothole fund doubled for rural councils @roads #fixit\n\nBids open.\n",
}


def _articles(tmp_path: Path) -> Path:
    folder = tmp_path / "today"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_preview_thread_json_counts_every_post_against_the_limit(tmp_path: Path) -> None:
    folder = _articles(tmp_path)
    for network, limit in (("x", 280), ("bluesky", 300), ("mastodon", 500)):
        code, out = _run("preview", "thread", str(folder), "--network", network, "--json")
        assert code == 0, out
        report = json.loads(out)
        assert report["network"] == network
        assert len(report["threads"]) == 3
        for thread in report["threads"]:
            assert Path(thread["source"]).parent == folder  # the file, as it was named
            for post in thread["posts"]:
                assert post["limit"] == limit and 0 < post["length"] <= limit
        texts = [t["posts"][0]["text"] for t in report["threads"]]
        assert not any("@roads" in t or "#fixit" in t for t in texts)


def test_preview_thread_text_and_the_budget_sending_stories_to_the_roundup(tmp_path: Path) -> None:
    folder = _articles(tmp_path)
    config = tmp_path / "distributor.toml"
    config.write_text("[social]\nposts_per_day = { x = 1 }\n", encoding="utf-8")
    code, out = _run("--config", str(config), "preview", "thread", "--source", str(folder))
    assert code == 0, out
    assert "Network: x (limit 280 weighted characters)" in out
    assert "listed in the roundup instead" in out
    code, out = _run("--config", str(config), "preview", "roundup", str(folder), "--json")
    report = json.loads(out)
    (roundup,) = report["threads"]
    text = "\n".join(p["text"] for p in roundup["posts"])
    assert text.startswith("More of Today's Top Breaking Government News")
    assert report["headlines"] == 2 and text.count("• ") == 2


def test_preview_thread_on_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    code, out = _run("preview", "thread", str(tmp_path / "nope"))
    assert code == 2 and "does not exist" in out

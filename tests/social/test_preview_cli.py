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
    config.write_text("[social]\nposts_per_day = { x = 2 }\n", encoding="utf-8")
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


def test_preview_roundup_says_what_each_networks_post_carries_and_drops(tmp_path: Path) -> None:
    # One featured story and a one-post roundup: X's 280 characters cannot list the
    # other seven headlines that Mastodon's 500 can list more of.
    folder = tmp_path / "today"
    folder.mkdir()
    for i, place in enumerate(("Arden", "Bexley", "Carrick", "Dunmore", "Elgin", "Fenwick")):
        (folder / f"{i}-{place.lower()}.md").write_text(
            f"---\ntitle: {place} gets a new lifeboat station and a longer harbour wall\n"
            f"url: https://news.example.org/{place.lower()}\n---\n\n"
            f"The station at {place} opens in the spring.\n",
            encoding="utf-8",
        )
    config = tmp_path / "distributor.toml"
    config.write_text(
        f"[email]\nfeatured_count = 1\n[social]\nroundup_max_posts = 1\n"
        f'[database]\nurl = "sqlite:///{tmp_path / "d.db"}"\n'
        f'[output]\ndir = "{tmp_path / "out"}"\n[ingest]\nsources = ["{folder}"]\n',
        encoding="utf-8",
    )
    code, out = _run("--config", str(config), "preview", "roundup", "--json")
    assert code == 0, out
    report = json.loads(out)
    networks = report["networks"]
    assert list(networks) == ["x", "bluesky", "mastodon"]
    x, mastodon = networks["x"], networks["mastodon"]
    assert x["headlines"] == mastodon["headlines"] == 5
    assert x["dropped"], "a 280-character post cannot carry five headlines with links"
    assert len(mastodon["carried"]) > len(x["carried"])
    for network in networks.values():
        (thread,) = network["threads"]
        text = "\n".join(p["text"] for p in thread["posts"])
        carried = [h["headline"] for h in network["carried"]]
        dropped = [h["headline"] for h in network["dropped"]]
        assert len(carried) + len(dropped) == network["headlines"]
        assert all(h in text for h in carried) and not any(h in text for h in dropped)
    # The top level is the first network's post, as it was before `networks`.
    assert report["network"] == "x" and report["threads"] == x["threads"]

    # What `run` posts is what the preview showed: the same day assembly.
    code, _ = _run("--config", str(config), "run")
    assert code == 0
    (posted,) = (tmp_path / "out").glob("*/roundup-post/x.txt")
    posted_text = posted.read_text(encoding="utf-8")
    assert all(h["headline"] in posted_text for h in x["carried"])
    assert not any(h["headline"] in posted_text for h in x["dropped"])

    code, out = _run("--config", str(config), "preview", "roundup", "--network", "x")
    assert code == 0
    assert f"carries {len(x['carried'])} of 5 headlines" in out
    for h in x["dropped"]:
        assert f"    - {h['headline']}" in out
    assert "Network: mastodon" not in out

"""``run`` and ``preview`` end to end on the embedded default: real files, real SQLite."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from distributor.cli import main

RAIL = """Ministers confirm £2bn for northern rail upgrades
The Department for Transport said on Monday that £2bn will go to rail upgrades across the north.
What changes
- 40 new trains will enter service by 2028.
"The north deserves better trains," said Transport Secretary Ana Ruiz.
Sources: Department for Transport
By Sam Lee
"""

HOSTILE = """Council <script>alert(1)</script> budget & "reform" approved
Councils will keep 5% more of business rates from April.
"""


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with two articles and no configuration: the embedded default."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISTRIBUTOR_CONFIG", raising=False)
    articles = tmp_path / "news"
    articles.mkdir()
    (articles / "rail.txt").write_text(RAIL, encoding="utf-8")
    (articles / "council.txt").write_text(HOSTILE, encoding="utf-8")
    return tmp_path


def test_run_writes_the_days_digest_and_roundup_then_sends_nothing_twice(site: Path) -> None:
    code, out, _ = _run("run", "--source", "news", "--json")
    assert code == 0
    first = json.loads(out)
    assert (first["new"], first["stories"]) == (2, 2)
    day_dir = site / "out" / first["day"]
    # The email under its edition's date: today's before digest_at, tomorrow's after.
    edition_dir = site / "out" / first["digest_edition"]
    html = (edition_dir / "digest.html").read_text(encoding="utf-8")
    text = (edition_dir / "digest.txt").read_text(encoding="utf-8")
    assert "Ministers confirm £2bn for northern rail upgrades" in html
    assert "Ministers confirm £2bn for northern rail upgrades" in text
    roundup = json.loads((day_dir / "roundup.json").read_text(encoding="utf-8"))
    assert roundup["title"] == "More of Today's Top Breaking Government News"
    assert (site / "var" / "distributor.db").exists()
    for network in ("x", "bluesky", "mastodon"):
        # Numbered in posting order: NN-<story>.txt
        (path,) = (day_dir / "threads" / network).glob("[0-9][0-9]-rail.txt")
        thread = path.read_text(encoding="utf-8")
        assert "Ministers confirm £2bn for northern rail upgrades" in thread

    code, out, _ = _run("run", "--source", "news", "--json")
    second = json.loads(out)
    assert code == 0
    assert (second["new"], second["unchanged"]) == (0, 2)
    assert second["planned"]["created"] == 0
    assert second["delivered"]["sent"] == []


def test_article_markup_is_stripped_escaped_and_linted(site: Path) -> None:
    code, out, _ = _run("run", "--source", "news", "--json")
    assert code == 0
    report = json.loads(out)
    html = (site / "out" / report["digest_edition"] / "digest.html").read_text(encoding="utf-8")
    # Markup pasted into a plain-text article is stripped at ingest (a script with its
    # content), what is left is escaped, and the article lint names the file.
    assert "<script>" not in html and "alert(1)" not in html
    assert "Council budget &amp;" in html
    assert any("markup" in finding for findings in report["lint"].values() for finding in findings)


def test_a_broken_source_is_reported_and_the_rest_still_runs(site: Path) -> None:
    code, out, err = _run("run", "--source", "news", "--source", "missing-folder")
    assert code == 1
    assert "missing-folder" in err
    assert "2 new" in out
    assert "delivered now: 1 sent" in out
    assert list((site / "out").glob("*/digest.html"))


def test_preview_composes_without_storing(site: Path) -> None:
    code, out, _ = _run("preview", "--source", "news", "--json")
    assert code == 0
    report = json.loads(out)
    assert len(report["stories"]) == 2
    assert any(p.endswith("digest.html") for p in report["written"])
    assert all(Path(p).is_relative_to(site / "out" / "preview") for p in report["written"])
    # Nothing was recorded: a later ingest still sees both articles as new.
    code, out, _ = _run("ingest", "--source", "news", "--json")
    assert json.loads(out)["new"] == 2


def test_preview_digest_writes_the_good_sources_and_names_the_broken_one(site: Path) -> None:
    (site / "broken.md").write_text("---\ntitle: [unclosed\n---\nBody\n", encoding="utf-8")
    code, _, err = _run(
        "preview", "digest", "--out", "pd", "--source", "news", "--source", "broken.md"
    )
    assert code == 1
    assert "broken.md" in err
    assert "Ministers confirm" in (site / "pd" / "digest.html").read_text(encoding="utf-8")


def test_files_are_written_with_the_users_umask_not_0600(site: Path) -> None:
    # The process umask is what this run has (022 on a usual system): roundup.xml is meant
    # to be served, so it must be readable by the web server's user.
    code, out, _ = _run("run", "--source", "news", "--json")
    assert code == 0
    mask = os.umask(0o022)
    os.umask(mask)
    report = json.loads(out)
    for path in (
        site / "out" / report["day"] / "roundup.xml",
        site / "out" / report["digest_edition"] / "digest.html",
    ):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask

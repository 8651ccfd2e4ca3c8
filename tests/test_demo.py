"""The README's demo: the embedded default over the bundled examples, from a clean folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from distributor.cli import main
from tests.conftest import EXAMPLES, ROOT


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository's config and examples, nothing else: what a fresh clone has."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    shutil.copytree(EXAMPLES, tmp_path / "examples" / "articles")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISTRIBUTOR_CONFIG", raising=False)
    return tmp_path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_examples_are_enough_for_a_real_day() -> None:
    files = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".md"))
    assert len(files) >= 10
    assert any(p.suffix == ".md" for p in files)


def test_demo_writes_digest_threads_and_roundup_and_says_where(checkout: Path) -> None:
    code, out, err = _run("run")
    assert code == 0, err
    assert "12 new" in out
    assert "wrote " in out and "out/" in out
    # The day's threads under the day's folder; the email under its edition's date, the
    # same folder before digest_at, tomorrow's after it.
    day_dir = next((checkout / "out").glob("*/roundup-post")).parent
    digest_dir = next((checkout / "out").glob("*/digest.json")).parent
    # The folder once, then each file below it (not the folder again on every line).
    folder, rest = out.split(" files under ", 1)[1].split("/\n", 1)
    listed = [line.strip() for line in rest.splitlines() if line.startswith("  ")]
    assert any(line.endswith("digest.html") for line in listed)
    assert any(line.endswith("roundup-post/x.txt") for line in listed)
    assert not any(folder in line for line in listed)
    digest = json.loads((digest_dir / "digest.json").read_text(encoding="utf-8"))
    assert len(digest["stories"]) == 12
    html = (digest_dir / "digest.html").read_text(encoding="utf-8")
    assert "More of Today&#39;s Top Breaking Government News" in html or (
        "More of Today's Top Breaking Government News" in html
    )
    assert "{{unsubscribe_url}}" in html or "unsubscribe" in html.lower()
    assert (digest_dir / "digest.txt").read_text(encoding="utf-8").strip()
    roundup = json.loads((day_dir / "roundup.json").read_text(encoding="utf-8"))
    featured = roundup["featured"]
    for network in ("x", "bluesky", "mastodon"):
        threads = sorted((day_dir / "threads" / network).glob("*.txt"))
        assert len(threads) == len(featured)
        assert (day_dir / "roundup-post" / f"{network}.txt").read_text(encoding="utf-8")
    # Every headline the roundup featured opens a thread on X.
    x_text = "\n".join(p.read_text(encoding="utf-8") for p in (day_dir / "threads" / "x").iterdir())
    for item in featured:
        assert item["headline"] in x_text


def test_demo_run_twice_sends_nothing_twice(checkout: Path) -> None:
    assert _run("run")[0] == 0
    code, out, _ = _run("run", "--json")
    assert code == 0
    again = json.loads(out)
    assert again["new"] == 0
    assert again["delivered"]["sent"] == []


def test_after_digest_at_the_demo_writes_tomorrows_edition_under_tomorrows_folder(
    checkout: Path,
) -> None:
    # What the README says the demo's dates mean: one date per edition, in its folder,
    # subject and page; today's threads stay under today's folder.
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from distributor.compose.digest import long_date

    config = checkout / "config" / "distributor.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[schedule]\ndigest_at = "00:00"\n',
        encoding="utf-8",
    )
    today = datetime.now(ZoneInfo("Europe/London")).date()
    tomorrow = today + timedelta(days=1)
    code, out, err = _run("run")
    assert code == 0, err
    assert f"digest of {tomorrow.isoformat()} (12 stories)" in out
    assert (checkout / "out" / today.isoformat() / "threads" / "x").is_dir()
    assert not (checkout / "out" / today.isoformat() / "digest.html").exists()
    folder = checkout / "out" / tomorrow.isoformat()
    digest = json.loads((folder / "digest.json").read_text(encoding="utf-8"))
    assert digest["day"] == tomorrow.isoformat()
    assert digest["edition_why"] == "tomorrow's edition: today's was due at 00:00"
    assert long_date(tomorrow) in (folder / "digest.html").read_text(encoding="utf-8")

"""No `{{…}}` placeholder (or SendGrid `{%…%}` tag) reaches anything an editor previews:
the day's files, `preview digest`, `preview thread`, `preview roundup` and the served
page all show the email as a reader without a name would see it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from distributor.cli import main
from tests.conftest import EXAMPLES
from tests.preview.day import news_day, serving


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _no_placeholder(text: str, where: str) -> None:
    for mark in ("{{", "}}", "{%", "%}"):
        assert mark not in text, f"{mark} in {where}"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISTRIBUTOR_CONFIG", raising=False)
    return tmp_path


def test_no_placeholder_in_the_day_preview_files(here: Path) -> None:
    report = json.loads(_cli("preview", "--source", str(EXAMPLES), "--json"))
    assert report["written"]
    for path in map(Path, report["written"]):
        _no_placeholder(path.read_text(encoding="utf-8"), str(path))


def test_no_placeholder_in_preview_digest(here: Path) -> None:
    _cli("preview", "digest", "--source", str(EXAMPLES), "--out", "pd")
    for path in (here / "pd").iterdir():
        _no_placeholder(path.read_text(encoding="utf-8"), str(path))


@pytest.mark.parametrize("command", ["thread", "roundup"])
def test_no_placeholder_in_the_social_previews(here: Path, command: str) -> None:
    _no_placeholder(_cli("preview", command, "--source", str(EXAMPLES)), command)
    _no_placeholder(_cli("preview", command, "--source", str(EXAMPLES), "--json"), command)


def test_no_placeholder_in_the_served_page(tmp_path: Path) -> None:
    day = news_day(tmp_path)
    with serving(day) as url:
        for path in ("", "email.html"):
            _no_placeholder(requests.get(url + path, timeout=30).text, path or "the page")

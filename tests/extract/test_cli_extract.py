"""`distributor extract`: files and folders, the JSON shape, and the editors' view."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from distributor.cli import main

ARTICLE = (
    "Bus fares capped at £3 | GOV.UK\n"
    "Single bus fares in England will be capped at £3 until December 2026.\n"
    "About 2.5 million journeys a day will be cheaper.\n"
    "“Buses are a lifeline,” said Transport Secretary Heidi Alexander.\n"
)


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


def test_json_has_one_object_per_article_in_the_documented_shape(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text("Short note\nNothing to report today at all.\n")
    code, out = _run("extract", str(tmp_path), "--json")
    assert code == 0
    data = json.loads(out)
    assert [Path(d["source"]).name for d in data] == ["a.txt", "b.txt"]
    first = data[0]
    assert set(first) == {
        "source",
        "headline",
        "summary",
        "key_figures",
        "quote",
        "other_quotes",
        "voice",
        "lint",
    }
    assert first["headline"] == "Bus fares capped at £3"
    assert all(
        set(f) == {"text", "value", "start", "end", "confidence"} for f in first["key_figures"]
    )
    assert set(first["quote"]) == {"text", "speaker", "role", "confidence", "segments"}
    assert first["quote"]["speaker"] == "Heidi Alexander"
    assert first["quote"]["role"] == "Transport Secretary"
    body = "\n".join(ARTICLE.splitlines()[1:])
    for f in first["key_figures"]:
        assert body[f["start"] : f["end"]] == f["text"]
    for s in first["quote"]["segments"]:
        assert body[s["start"] : s["end"]] == s["text"]
    assert data[1]["quote"] is None
    assert first["voice"] is None  # a news story: the publisher's own narrative


def test_a_statements_voice_is_shown_in_json_and_in_the_readable_view(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text(
        "Statement from President Ada Marsh on the Flood\n"
        "Today we remember the 1,200 families who lost their homes a year ago.\n",
        encoding="utf-8",
    )
    code, out = _run("extract", str(path), "--json")
    assert code == 0 and json.loads(out)[0]["voice"] == {
        "speaker": "Ada Marsh",
        "role": "President",
    }
    code, out = _run("extract", str(path))
    assert "voice:   Ada Marsh, President (the body is their words)" in out


def test_readable_view_marks_figures_and_quote_in_place(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    code, out = _run("extract", str(path))
    assert code == 0
    assert "[[About 2.5 million journeys a day will be cheaper.]]" in out
    assert "«Buses are a lifeline,»" in out


def test_a_missing_file_fails_with_exit_1_naming_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert "nope.txt" in result.stderr


def test_no_path_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["extract"])
    assert result.exit_code == 2

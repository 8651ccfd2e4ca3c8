"""`distributor preview digest`: what an editor runs before the send."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from distributor.cli import main
from distributor.compose import browser


def articles(tmp_path: Path) -> Path:
    src = tmp_path / "articles"
    src.mkdir()
    (src / "a.txt").write_text(
        "Harbour repairs approved for three fishing towns\n"
        "The works start in May and will take two years.\n\nA second paragraph.\n",
        encoding="utf-8",
    )
    (src / "b.txt").write_text(
        "Night buses return <b>after</b> five years\n"
        "Routes 4 and 9 will run until 2am at weekends.\n",
        encoding="utf-8",
    )
    return src


def run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.output


def test_preview_digest_writes_every_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = run(
        [
            "preview",
            "digest",
            "--out",
            str(out),
            "--date",
            "2026-11-28",
            "--source",
            str(articles(tmp_path)),
        ]
    )
    assert code == 0, output
    for name in ("digest.html", "digest.txt", "digest.json", "roundup.json", "roundup.xml"):
        assert (out / name).is_file(), name
    report = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    assert len(report["stories"]) == 2
    assert (report["day"], report["edition_why"]) == ("2026-11-28", "the day asked for")
    # The email's own size; the file shows it as a reader without a name sees it, the
    # placeholders filled with the configured links.
    html = (out / "digest.html").read_text(encoding="utf-8")
    assert 0 < report["html_bytes"] <= len(html.encode("utf-8"))
    assert "{{" not in html and "Hello, here" in html
    assert "https://news.example.org/unsubscribe?u=preview" in html
    assert "Hello, here" in (out / "digest.txt").read_text(encoding="utf-8")
    assert report["findings"] == []
    assert report["subject"].endswith("28 November 2026")
    assert "Subject:" in output and "bytes" in output
    html = (out / "digest.html").read_text(encoding="utf-8")
    # Markup pasted into a plain-text article is stripped at ingest (and linted), never
    # passed on as HTML.
    assert "Night buses return after five years" in html and "<b>after" not in html
    roundup = json.loads((out / "roundup.json").read_text(encoding="utf-8"))
    assert roundup["day"] == "2026-11-28" and len(roundup["featured"]) == 2


def test_preview_digest_json_and_findings(tmp_path: Path) -> None:
    config = tmp_path / "d.toml"
    config.write_text("[email]\nmax_html_bytes = 1000\n", encoding="utf-8")
    code, output = run(
        [
            "--config",
            str(config),
            "preview",
            "digest",
            "--json",
            "--out",
            str(tmp_path / "o"),
            "--source",
            str(articles(tmp_path)),
        ]
    )
    assert code == 0
    report = json.loads(output)
    assert [f["code"] for f in report["findings"]] == ["size-over-budget"]


def test_preview_digest_bad_source_and_config(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\nbody without a title\n", encoding="utf-8")
    code, output = run(["preview", "digest", "--out", str(tmp_path / "o"), "--source", str(empty)])
    assert code == 1
    assert "empty.txt:1" in output and "title" in output
    config = tmp_path / "bad.toml"
    config.write_text('[email]\nfont_family = "x; } body { display:none"\n', encoding="utf-8")
    code, output = run(
        [
            "--config",
            str(config),
            "preview",
            "digest",
            "--out",
            str(tmp_path / "o"),
            "--source",
            str(articles(tmp_path)),
        ]
    )
    assert code == 2
    assert "bad.toml" in output and "font_family" in output


def test_help_has_an_example() -> None:
    code, output = run(["preview", "digest", "--help"])
    assert code == 0 and "Example:" in output and "--screenshot" in output


@pytest.mark.browser
@pytest.mark.skipif(browser.find_chromium() is None, reason="Chromium is not installed")
def test_preview_digest_screenshots(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = run(
        [
            "preview",
            "digest",
            "--out",
            str(out),
            "--screenshot",
            "--source",
            str(articles(tmp_path)),
        ]
    )
    assert code == 0, output
    for width in (375, 800):
        png = (out / f"digest-{width}.png").read_bytes()
        assert int.from_bytes(png[16:20], "big") == width

"""The article lint and the promise that one unusable article never stops a folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from distributor.cli import main
from distributor.extract import extract
from distributor.extract.article_lint import lint
from distributor.ingest.sources import read_article_file

# The seed's shape, in our own words: the lede on the first line, no title, no URL.
SEED_SHAPE = (
    "The government is stepping up its work with neighbouring countries to stop the "
    "smuggling gangs that move people across the channel.\n"
    "During a visit to the coast, the minister announced a £40 million fund for patrols.\n"
    "Border Security Minister Dana Rees said: “We will stop the gangs at the source.”\n"
)
GOOD = (
    "Coastal patrol fund doubled to £80 million\n"
    "URL: https://news.example.org/patrols\n\n"
    "The coastal patrol fund will double to £80 million from April.\n"
    "Border Security Minister Dana Rees said: “We will stop the gangs at the source.”\n"
)


def _codes(tmp_path: Path, name: str, text: str) -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [f.code for f in lint(extract(read_article_file(path)))]


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_seed_shape_is_flagged_not_passed_silently(tmp_path: Path) -> None:
    codes = _codes(tmp_path, "seed.txt", SEED_SHAPE)
    assert "no-title" in codes and "no-url" in codes


def test_a_well_formed_article_has_no_findings(tmp_path: Path) -> None:
    assert _codes(tmp_path, "good.txt", GOOD) == []


def test_a_title_in_the_first_person_is_flagged(tmp_path: Path) -> None:
    text = GOOD.replace(
        "Coastal patrol fund doubled to £80 million", "We are doubling the patrol fund"
    )
    assert _codes(tmp_path, "we.txt", text) == ["first-person-title"]
    quoted = GOOD.replace(
        "Coastal patrol fund doubled to £80 million", "Minister: “We will stop the gangs”"
    )
    assert _codes(tmp_path, "quoted.txt", quoted) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://staging.police.example.uk/news/swan-appeal",
        "http://localhost:8000/news/patrols",
        "http://10.0.0.7/news/patrols",
        "https://preview.news.example.org/patrols",
    ],
)
def test_a_link_to_a_staging_copy_or_a_private_address_is_flagged(tmp_path: Path, url: str) -> None:
    text = GOOD.replace("https://news.example.org/patrols", url)
    assert _codes(tmp_path, "staging.txt", text) == ["non-public-url"]


def test_markup_is_stripped_before_extraction_and_flagged(tmp_path: Path) -> None:
    text = GOOD.replace(
        "The coastal patrol fund will double to £80 million from April.",
        "<p>The coastal patrol fund will double to &pound;80 million from "
        "<b>April</b>.</p><script>alert(1)</script>",
    )
    path = tmp_path / "markup.txt"
    path.write_text(text, encoding="utf-8")
    story = extract(read_article_file(path))
    assert "<" not in story.article.body and "&pound;" not in story.article.body
    assert story.key_figures[0].text == (
        "The coastal patrol fund will double to £80 million from April."
    )
    assert [f.code for f in lint(story)] == ["markup"]


def test_unattributed_and_first_person_quotes_are_named(tmp_path: Path) -> None:
    codes = _codes(
        tmp_path,
        "statement.txt",
        "Statement from the Home Secretary on coastal patrols\n"
        "URL: https://news.example.org/statement\n\n"
        "Today we are doubling the fund for coastal patrols to £80 million.\n"
        "“This is the biggest step in a decade against the people smugglers,” a source "
        "close to the talks told us last night.\n",
    )
    assert "first-person" in codes
    assert "unattributed-quote" in codes


def test_a_statement_quoting_a_named_speaker_says_whose_quote_is_posted(tmp_path: Path) -> None:
    path = tmp_path / "statement.txt"
    path.write_text(
        "Statement from the Secretary of State on the coastal report\n"
        "URL: https://news.example.org/statement\n\n"
        "The report was published on Monday.\n"
        "Coastal Secretary, Dana Rees, said:\n"
        "We will read the report closely and act on it.\n",
        encoding="utf-8",
    )
    found = {f.code: f.message for f in lint(extract(read_article_file(path)))}
    assert "the quote is posted as Dana Rees's" in found["first-person"]
    assert "not posted as anyone's quote" not in found["first-person"]


def test_a_media_advisory_is_flagged_and_a_release_is_not(tmp_path: Path) -> None:
    advisory = (
        "Harbour agencies to make announcement on port settlements\n"
        "URL: https://news.example.org/advisory\n\n"
        "The Harbour Agency will hold a press call on Tuesday to announce two settlements.\n"
        "Members of the media may join by dial-in: 555-0100, passcode 1234.\n"
    )
    assert "media-advisory" in _codes(tmp_path, "advisory.txt", advisory)
    assert "media-advisory" in _codes(
        tmp_path,
        "titled.txt",
        "MEDIA ADVISORY: Minister to visit the port\n\nThe visit is on Friday.\n",
    )
    headed = (
        "Agencies to make announcement on port settlements\n\n"
        "The agencies will announce two settlements on Tuesday.\n\nWHO:\n\n- Jane Roe\n\n"
        "WHEN:\n\n- Tuesday, 11am\n\nNOTE: All media must dial into the conference line.\n"
    )
    assert "media-advisory" in _codes(tmp_path, "headed.txt", headed)
    release = GOOD.replace("The coastal", "At a press conference, the minister said the coastal")
    assert "media-advisory" not in _codes(tmp_path, "release.txt", release)


def test_a_headline_only_article_gives_a_one_post_thread(tmp_path: Path) -> None:
    folder = tmp_path / "today"
    folder.mkdir()
    (folder / "bridge.txt").write_text(
        "Minister opens the new Wend bridge\nURL: https://news.example.org/bridge\n",
        encoding="utf-8",
    )
    result = _run("preview", "thread", str(folder), "--json")
    assert result.exit_code == 0, result.output
    (thread,) = json.loads(result.stdout)["threads"]
    assert [p["text"] for p in thread["posts"]] == [
        "Minister opens the new Wend bridge\nhttps://news.example.org/bridge"
    ]
    assert [f["code"] for f in thread["lint"]] == ["no-body"]


def test_one_unreadable_file_never_stops_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "today"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"\xff\xfe\x00 not text")
    for args in (
        ("preview", "thread", str(folder), "--json"),
        ("preview", "roundup", str(folder), "--json"),
        ("extract", str(folder), "--json"),
        ("preview", "digest", "--source", str(folder), "--out", str(tmp_path / "out"), "--json"),
    ):
        result = _run(*args)
        assert result.exit_code == 1, (args, result.output)  # reported, not silent
        assert "broken.txt" in result.stderr
        report = json.loads(result.stdout)  # the rest of the folder still came out whole
        if args[1] != "roundup":  # (a single featured story leaves the roundup post bare)
            assert "patrol" in json.dumps(report).lower(), args


def test_extract_json_carries_confidence_and_lint(tmp_path: Path) -> None:
    path = tmp_path / "seed.txt"
    path.write_text(SEED_SHAPE, encoding="utf-8")
    (story,) = json.loads(_run("extract", str(path), "--json").stdout)
    assert 0 < story["quote"]["confidence"] <= 1
    assert all(0 < f["confidence"] <= 1 for f in story["key_figures"])
    assert {"no-title", "no-url"} <= {f["code"] for f in story["lint"]}


def test_terminal_escapes_in_articles_never_reach_the_terminal(tmp_path: Path) -> None:
    folder = tmp_path / "today"
    folder.mkdir()
    (folder / "evil.txt").write_text(
        "Bridge \x1b]0;owned\x07 reopens \x9b2J today\n"
        "URL: https://news.example.org/bridge\n\n"
        "The bridge reopened with \x1b]8;;https://evil.example\x1b\\\\a link\x1b]8;;\x1b\\\\ "
        "after a £12 million repair.\n",
        encoding="utf-8",
    )
    for args in (
        ("extract", str(folder)),
        ("preview", "thread", str(folder)),
        ("preview", "digest", "--source", str(folder), "--out", str(tmp_path / "out")),
    ):
        result = _run(*args)
        shown = result.stdout + result.stderr
        assert "Bridge" in shown, args
        assert not any(c in shown for c in "\x1b\x07\x9b"), args


def test_counts_are_written_with_the_right_plural(tmp_path: Path) -> None:
    folder = tmp_path / "today"
    folder.mkdir()
    (folder / "bridge.txt").write_text(
        "Minister opens the new Wend bridge\nURL: https://news.example.org/bridge\n",
        encoding="utf-8",
    )
    out = _run("preview", "thread", str(folder)).stdout
    assert "today/bridge.txt: 1 post\n" in out and "1 posts" not in out

"""Hostile sources: one bad item, file or source is reported by name and costs nothing else.

Runs through the real readers and the real store, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import Engine

from distributor.ingest.sources import read_sources
from distributor.settings import IngestSettings
from distributor.store.articles import ArticleStore

GOOD = (
    "Ferry timetable extended\nURL: https://news.example.org/ferry\n\n"
    "Ferries will run until 11pm.\n"
)


def test_lone_surrogates_and_nul_bytes_are_removed_and_every_item_stored(
    engine: Engine, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.json"
    # Written by hand: json.dumps would not keep a lone surrogate escape as it is.
    feed.write_text(
        '{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": ['
        '{"id": "1", "url": "https://news.example.org/1", "title": "Broken \\ud800 title",'
        ' "content_text": "Text with a NUL \\u0000 inside."},'
        '{"id": "2", "url": "https://news.example.org/2", "title": "Fine title",'
        ' "content_text": "Plain text."}]}',
        encoding="utf-8",
    )
    rss = tmp_path / "feed.xml"
    rss.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>Odd &#xD800; entity</title><link>https://news.example.org/3</link>"
        "<description>Body.</description></item></channel></rss>",
        encoding="utf-8",
    )
    report = read_sources([str(feed), str(rss)], IngestSettings())
    assert report.problems == []
    ArticleStore(engine).record(report.articles)  # PostgreSQL refuses NUL: never reaches it
    store = ArticleStore(engine)
    first = store.get("https://news.example.org/1")
    assert first is not None and first.title == "Broken title"
    assert first.body == "Text with a NUL inside."
    assert store.get("https://news.example.org/2") is not None
    third = store.get("https://news.example.org/3")
    assert third is not None and "\ud800" not in third.title


def test_a_json_feed_nested_too_deep_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"version": "https://jsonfeed.org/version/1.1", "items": ' + "[" * 200_000)
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "ferry.txt").write_text(GOOD, encoding="utf-8")
    report = read_sources([str(deep), str(folder)], IngestSettings())
    assert [a.title for a in report.articles] == ["Ferry timetable extended"]
    assert len(report.problems) == 1 and "deep.json" in str(report.problems[0])


def test_a_file_name_that_is_not_utf8_is_reported_and_the_folder_read(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "ferry.txt").write_text(GOOD, encoding="utf-8")
    latin1 = os.fsencode(folder) + b"/caf\xe9.txt"
    with open(latin1, "wb") as handle:
        handle.write(b"Cafe opens\n\nIt opens today.\n")
    report = read_sources([str(folder)], IngestSettings())
    assert [a.title for a in report.articles] == ["Ferry timetable extended"]
    (problem,) = report.problems
    assert "not UTF-8" in str(problem)
    str(problem).encode("utf-8")  # printable and storable


def test_links_out_of_the_folder_are_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secrets.txt"
    secret.write_text("Database password\n\nhunter2\n", encoding="utf-8")
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "ferry.txt").write_text(GOOD, encoding="utf-8")
    (folder / "leak.txt").symlink_to(secret)
    (folder / "inside.txt").symlink_to(folder / "ferry.txt")  # a link inside is fine
    report = read_sources([str(folder)], IngestSettings())
    assert not any("hunter2" in a.body for a in report.articles)
    assert "leak.txt" in str(report.problems) and "outside the folder" in str(report.problems)
    assert len(report.articles) == 2


def test_devices_and_pipes_are_never_read(tmp_path: Path) -> None:
    zero = tmp_path / "zero.xml"
    zero.symlink_to("/dev/zero")
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    folder = tmp_path / "news"
    folder.mkdir()
    os.mkfifo(folder / "waiting.txt")
    (folder / "ferry.txt").write_text(GOOD, encoding="utf-8")
    started = time.monotonic()
    report = read_sources([str(zero), str(fifo), str(folder)], IngestSettings())
    assert time.monotonic() - started < 5
    assert [a.title for a in report.articles] == ["Ferry timetable extended"]
    refused = " ".join(str(p) for p in report.problems)
    assert "zero.xml" in refused and "pipe.xml" in refused and "not a regular file" in refused


def test_a_lone_surrogate_in_markdown_front_matter_is_removed(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "grants.md").write_text(
        '---\ntitle: "Grants \\ud800 open"\nurl: https://news.example.org/g\n---\n\n'
        "Councils can bid from Monday.\n",
        encoding="utf-8",
    )
    (folder / "ferry.txt").write_text(GOOD, encoding="utf-8")
    report = read_sources([str(folder)], IngestSettings())
    assert sorted(a.title for a in report.articles) == ["Ferry timetable extended", "Grants open"]

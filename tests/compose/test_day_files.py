"""The day as files: one per thread, in posting order, none overwriting another."""

from __future__ import annotations

from datetime import date

from distributor.compose.day_files import day_files
from distributor.models import Post, Thread

DAY = date(2026, 11, 27)


def thread(story_id: str, text: str) -> Thread:
    return Thread(network="x", story_id=story_id, posts=(Post(text=text),))


def test_threads_whose_addresses_end_alike_keep_a_file_each() -> None:
    files = day_files(
        DAY,
        digest=None,
        threads={
            "x": [
                thread("https://news.example.org/health/index", "Clinics open late"),
                thread("https://news.example.org/transport/index", "Bus fares frozen"),
                thread("https://news.example.org/housing/grants.html", "Retrofit grants"),
            ]
        },
        roundup_posts={},
    )
    names = sorted(files)
    assert names[0] == "2026-11-27/threads/x/01-index.txt"
    assert names[1] == "2026-11-27/threads/x/02-index.txt"
    assert names[2] == "2026-11-27/threads/x/03-grants.txt"
    assert "Clinics open late" in files[names[0]] and "Bus fares frozen" in files[names[1]]

"""Fetching feeds over HTTP from a real local server: conditional GET and every failure."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from distributor.ingest.sources import read_sources
from distributor.settings import IngestSettings
from tests.ingest.feed_server import ETAG, LAST_MODIFIED, FeedServer, feed_server

FAST = IngestSettings(timeout_seconds=0.5, max_bytes=200_000, user_agent="distributor-test/1")
# For everything not about time: a loaded machine may take longer than 0.5 s to stream a
# 200 kB bomb or even a good feed, and the test would see the time limit instead.
ROOMY = dataclasses.replace(FAST, timeout_seconds=10.0)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as running:
        yield running


def test_fetch_parses_and_remembers_validators(server: FeedServer) -> None:
    url = f"{server.url}/feed"
    report = read_sources([url], ROOMY)

    assert report.problems == []
    assert [a.guid for a in report.articles] == ["gnd-2026-11-28-libraries", "gnd-2026-11-27-levy"]
    assert {a.source_id for a in report.articles} == {url}
    assert report.feed_state == {url: (ETAG, LAST_MODIFIED)}
    path, headers = server.requests[0]
    assert path == "/feed"
    assert headers["User-Agent"] == "distributor-test/1"
    assert "If-None-Match" not in headers


def test_not_modified_gives_no_articles_and_no_problem(server: FeedServer) -> None:
    url = f"{server.url}/feed"
    report = read_sources([url], ROOMY, feed_state={url: (ETAG, LAST_MODIFIED)})

    assert report.articles == [] and report.problems == []
    assert report.feed_state == {url: (ETAG, LAST_MODIFIED)}
    _, headers = server.requests[0]
    assert headers["If-None-Match"] == ETAG
    assert headers["If-Modified-Since"] == LAST_MODIFIED


def test_changed_feed_is_fetched_despite_old_validators(server: FeedServer) -> None:
    url = f"{server.url}/feed"
    report = read_sources([url], ROOMY, feed_state={url: ('"v0"', None)})
    assert len(report.articles) == 2
    assert report.feed_state[url] == (ETAG, LAST_MODIFIED)


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/broken", "HTTP 500"),
        ("/gone", "HTTP 404"),
        ("/slow", "no complete answer within 0.5 s"),
        ("/trickle", "no complete answer within 0.5 s"),
        ("/trickle-headers", "no complete answer within 0.5 s"),
        ("/huge", "larger than ingest.max_bytes (200000 bytes)"),
        ("/declared-huge", "larger than ingest.max_bytes"),
        ("/bomb", "larger than ingest.max_bytes (200000 bytes)"),
        ("/loop", "too many redirects"),
        ("/page", "not an RSS, Atom or JSON feed"),
    ],
)
def test_failures_name_the_url_and_the_reason(server: FeedServer, path: str, words: str) -> None:
    url = f"{server.url}{path}"
    report = read_sources([url], FAST if "within 0.5 s" in words else ROOMY)

    assert report.articles == []
    (problem,) = report.problems
    assert problem.source == url
    assert words in problem.reason
    assert str(problem).startswith(url + ": ")
    assert url not in report.feed_state


def test_compressed_feed_is_decoded(server: FeedServer) -> None:
    report = read_sources([f"{server.url}/gzipped"], ROOMY)
    assert report.problems == []
    assert len(report.articles) == 2


def test_redirect_is_followed_and_state_kept_under_the_configured_url(server: FeedServer) -> None:
    url = f"{server.url}/moved"
    report = read_sources([url], ROOMY)
    assert len(report.articles) == 2
    assert report.feed_state == {url: (ETAG, LAST_MODIFIED)}
    assert [p for p, _ in server.requests] == ["/moved", "/feed"]


def test_connection_refused_is_reported() -> None:
    with feed_server() as stopped:
        url = f"{stopped.url}/feed"
    report = read_sources([url], ROOMY)
    (problem,) = report.problems
    assert problem.source == url and "cannot connect" in problem.reason


def test_one_broken_feed_among_good_sources(server: FeedServer) -> None:
    from tests.conftest import EXAMPLES

    report = read_sources(
        [f"{server.url}/broken", str(EXAMPLES), f"{server.url}/feed", f"{server.url}/json"], ROOMY
    )
    assert len(report.articles) == 12 + 2
    assert [p.source for p in report.problems] == [f"{server.url}/broken"]
    assert set(report.feed_state) == {f"{server.url}/feed", f"{server.url}/json"}


def test_relative_links_are_resolved_against_where_the_feed_was_found(
    server: FeedServer,
) -> None:
    report = read_sources([f"{server.url}/to-relative"], ROOMY)
    assert report.problems == []
    (article,) = report.articles
    # After the redirect the feed is at /relative, so "news/bridge" is beside it.
    assert article.url == f"{server.url}/news/bridge"
    assert article.image is not None and article.image.url == f"{server.url}/img/bridge.jpg"

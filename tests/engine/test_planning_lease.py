"""A worker killed while it plans does not stop planning for good (real workers, huey on
SQLite and on Redis with PostgreSQL): its lease expires and the next worker plans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from distributor.schedule.planning import PLAN
from distributor.store import db
from distributor.store.leases import Leases
from tests.engine.test_several_workers import ROOT
from tests.waiting import wait_for

pytestmark = pytest.mark.slow

FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Gov</title>'
    "<item><title>Rail fares frozen</title><link>https://gov.example/rail</link>"
    "<guid>rail</guid><description>Rail fares are frozen for 2027.</description></item>"
    "</channel></rss>"
)


@pytest.fixture
def slow_feed() -> Iterator[tuple[str, threading.Event]]:
    """A feed that hangs until the event is set: a planning stuck reading its sources."""
    release = threading.Event()

    class Feed(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            release.wait(60)
            body = FEED.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml", release
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def _worker(config: Path, name: str, log: Path) -> subprocess.Popen[str]:
    args = ["worker", "--engine", "huey", "--plan-minutes", "0.1", "--worker-id", name]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.engine.launch", "--config", str(config), *args],
        cwd=ROOT,
        env={**os.environ, "DISTRIBUTOR_TEST_RECORD": str(log)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_worker_killed_while_planning_leaves_no_lease_behind(
    tmp_path: Path, db_url: str, queue_url: str, slow_feed: tuple[str, threading.Event]
) -> None:
    feed_url, release = slow_feed
    config = tmp_path / "distributor.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n'
        f'[queue]\nurl = "{queue_url}"\n'
        f'[ingest]\nsources = ["{feed_url}"]\ntimeout_seconds = 120\n'
        f'[output]\ndir = "{tmp_path / "out"}"\n'
        '[delivery]\nchannels = ["recorder"]\n'
        "[schedule]\npoll_seconds = 0.5\nplan_minutes = 0.1\n",
        encoding="utf-8",
    )
    leases = Leases(db.open_database(db_url))
    first = _worker(config, "first", tmp_path / "sent-1.log")
    try:
        wait_for(lambda: leases.state(PLAN).holder == "first", 90)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    stuck = leases.state(PLAN)
    assert stuck.holder == "first" and stuck.last_done is None  # killed mid-planning

    release.set()  # the feed answers from now on
    second = _worker(config, "second", tmp_path / "sent-2.log")
    try:
        wait_for(lambda: leases.state(PLAN).last_done is not None, 90)
    finally:
        second.send_signal(signal.SIGTERM)
        _, err = second.communicate(timeout=30)
    done = leases.state(PLAN)
    assert done.holder is None and done.last_done is not None
    # While the dead worker's lease lasted, the second said so, once.
    assert err.count("another worker (first) is planning") == 1, err


def test_status_warns_when_no_planning_has_finished_for_two_intervals(
    tmp_path: Path, db_url: str
) -> None:
    import json
    from datetime import UTC, datetime, timedelta

    from click.testing import CliRunner

    from distributor.cli import main

    config = tmp_path / "distributor.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n[schedule]\nplan_minutes = 15\n', encoding="utf-8"
    )
    leases = Leases(db.open_database(db_url))
    now = datetime.now(UTC)

    def status(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["--config", str(config), "status", *args])
        return result.exit_code, result.stdout

    assert leases.acquire(PLAN, "w1", now=now - timedelta(minutes=20), ttl=timedelta(minutes=1))
    leases.release(PLAN, "w1", done=now - timedelta(minutes=20))
    code, out = status("--check")
    assert code == 0 and "warning" not in out and "last planning by a worker" in out
    # 40 minutes: more than two 15-minute intervals, and a dead worker's lease still there.
    assert leases.acquire(PLAN, "w1", now=now - timedelta(minutes=40), ttl=timedelta(minutes=1))
    leases.release(PLAN, "w1", done=now - timedelta(minutes=40))
    assert leases.acquire(PLAN, "dead", now=now - timedelta(minutes=39), ttl=timedelta(minutes=1))
    code, out = status("--check")
    assert code == 1
    assert "warning: no planning has finished for 40 minutes" in out
    assert "held by dead" in out
    _, out = status("--json")
    assert json.loads(out)["planning"]["warning"].startswith("no planning has finished")

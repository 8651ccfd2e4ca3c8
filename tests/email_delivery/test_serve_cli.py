"""`distributor serve`: one process answering readers' links and SendGrid's webhook."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from distributor.cli import main
from distributor.compose.links import link_value
from distributor.store import db
from distributor.store.subscribers import Status, SubscriberStore
from distributor.web.sendgrid_signature import PUBLIC_KEY_ENV
from tests.email_delivery.conftest import LINK_SECRET
from tests.email_delivery.event_webhook import SendGrid, event


@pytest.fixture
def config(tmp_path: Path) -> Path:
    cfg = tmp_path / "distributor.toml"
    cfg.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "db.sqlite"}"\n'
        '[subscribers]\nunsubscribe_url = "https://news.example.org/u/unsubscribe"\n'
        'preferences_url = "https://news.example.org/u/preferences"\n'
        '[web]\nbase_url = "https://news.example.org/u"\n',
        encoding="utf-8",
    )
    return cfg


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_serve_answers_the_links_and_the_webhook_under_base_url(
    config: Path, tmp_path: Path
) -> None:
    store = SubscriberStore(db.open_database(f"sqlite:///{tmp_path / 'db.sqlite'}"))
    store.add("ann@example.org")
    store.add("bob@example.org")
    sendgrid = SendGrid()
    port = _free_port()
    env = {
        **os.environ,
        "DISTRIBUTOR_LINK_SECRET": LINK_SECRET,
        PUBLIC_KEY_ENV: sendgrid.public_key,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "distributor", "--config", str(config), "serve",
         "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        assert f"serving on http://127.0.0.1:{port}" in lines[0]
        assert "https://news.example.org/u/webhooks/sendgrid" in lines[3]
        base = f"http://127.0.0.1:{port}/u"
        r = sendgrid.post(f"{base}/webhooks/sendgrid", [event("spamreport", "bob@example.org")])
        assert r.status_code == 200, r.text
        ann = store.get("ann@example.org")
        assert ann is not None
        link = link_value(LINK_SECRET.encode(), ann.token, datetime.now(UTC).date())
        r = requests.post(f"{base}/unsubscribe", params={"u": link}, timeout=10)
        assert r.status_code == 200
        statuses = {s.email: s.status for page in store.iterate() for s in page}
        assert statuses == {
            "ann@example.org": Status.UNSUBSCRIBED,
            "bob@example.org": Status.COMPLAINED,
        }
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert sendgrid.public_key not in out + err and LINK_SECRET not in out + err


def test_a_malformed_webhook_key_or_a_busy_port_stops_serve_with_one_clear_message(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISTRIBUTOR_LINK_SECRET", LINK_SECRET)
    monkeypatch.setenv(PUBLIC_KEY_ENV, "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEnot-a-real-key")
    result = CliRunner().invoke(main, ["--config", str(config), "serve"])
    assert result.exit_code == 2
    assert PUBLIC_KEY_ENV in result.stderr and "does not hold a public key" in result.stderr
    assert "not-a-real-key" not in result.output + result.stderr
    assert "Traceback" not in result.output + result.stderr
    # check-config finds it before a restart of the server does.
    result = CliRunner().invoke(main, ["--config", str(config), "check-config"])
    assert result.exit_code == 2 and PUBLIC_KEY_ENV in result.stderr
    assert "not-a-real-key" not in result.output + result.stderr

    monkeypatch.setenv(PUBLIC_KEY_ENV, SendGrid().public_key)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["--config", str(config), "serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr

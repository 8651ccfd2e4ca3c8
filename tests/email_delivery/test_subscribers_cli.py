"""The subscribers and send-test commands, end to end on SQLite and the local server."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from distributor.cli import main
from tests.email_delivery.conftest import API_KEY
from tests.email_delivery.sendgrid_server import SendGridServer


@pytest.fixture
def config(tmp_path: Path) -> Path:
    cfg = tmp_path / "distributor.toml"
    cfg.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "db.sqlite"}"\n'
        '[channels.sendgrid]\nfrom_email = "digest@news.example.org"\nasm_group_id = 7\n'
        "timeout_seconds = 5.0\n",
        encoding="utf-8",
    )
    return cfg


def _run(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_import_reports_bad_lines_exits_1_and_keeps_the_rest(config: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "readers.csv"
    csv_file.write_text(
        "email,name,topics\nann@example.org,Ann,health\nnope,Bad,\nbob@example.org,Bob,\n",
        encoding="utf-8",
    )
    code, out, err = _run(config, "subscribers", "import", str(csv_file))
    assert code == 1
    assert "2 added" in out
    assert f"{csv_file}: line 3:" in err
    code, out, _ = _run(config, "subscribers", "count", "--json")
    assert code == 0
    counts = json.loads(out)
    assert counts["active"] == 2 and counts["total"] == 2
    assert counts["variants"] == {"all": 1, "health": 1}


def test_unsubscribed_stays_unsubscribed_through_reimport(config: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "readers.csv"
    csv_file.write_text("email\nann@example.org\n", encoding="utf-8")
    assert _run(config, "subscribers", "import", str(csv_file))[0] == 0
    code, out, _ = _run(config, "subscribers", "unsubscribe", "ANN@example.org", "--json")
    assert code == 0 and json.loads(out)["status"] == "unsubscribed"
    code, out, _ = _run(config, "subscribers", "import", str(csv_file), "--json")
    assert code == 0 and json.loads(out)["kept_unsubscribed"] == 1
    code, out, _ = _run(config, "subscribers", "list", "--json")
    assert [(r["email"], r["status"]) for r in json.loads(out)] == [
        ("ann@example.org", "unsubscribed")
    ]


def test_add_list_and_export(config: Path, tmp_path: Path) -> None:
    code, out, _ = _run(
        config, "subscribers", "add", "Sam@Example.org", "--name", "Sam", "--topics", "Health"
    )
    assert code == 0 and "sam@example.org: active (health)" in out
    code, _, err = _run(config, "subscribers", "add", "not-an-address")
    assert code == 2 and "exactly one @" in err
    out_file = tmp_path / "export.csv"
    code, out, _ = _run(config, "subscribers", "export", "--out", str(out_file))
    assert code == 0 and "wrote 1" in out
    lines = out_file.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("sam@example.org,Sam,active,health,cli,")
    code, _, err = _run(config, "subscribers", "unsubscribe", "nobody@example.org")
    assert code == 1 and "not a subscriber" in err


def test_add_without_name_or_topics_keeps_what_is_stored(config: Path) -> None:
    _run(config, "subscribers", "add", "sam@example.org", "--name", "Sam", "--topics", "Health")
    code, out, _ = _run(config, "subscribers", "add", "sam@example.org", "--json")
    assert code == 0
    reader = json.loads(out)
    assert reader["name"] == "Sam" and reader["topics"] == ["health"]
    code, out, _ = _run(config, "subscribers", "add", "sam@example.org", "--topics", "", "--json")
    assert json.loads(out)["topics"] == []  # an explicit empty list still clears them


def test_export_never_hands_a_spreadsheet_a_formula(config: Path, tmp_path: Path) -> None:
    rows = [
        ["email", "name"],
        ["ann@example.org", '=HYPERLINK("http://evil.example","x")'],
        ["bob@example.org", "+1 cmd"],
        ["cat@example.org", "@SUM(A1)"],
        ["dan@example.org", "-2+3"],
    ]
    csv_file = tmp_path / "readers.csv"
    with csv_file.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    assert _run(config, "subscribers", "import", str(csv_file))[0] == 0
    out_file = tmp_path / "export.csv"
    assert _run(config, "subscribers", "export", "--out", str(out_file))[0] == 0
    with out_file.open(encoding="utf-8", newline="") as fh:
        names = [row["name"] for row in csv.DictReader(fh)]
    assert len(names) == 4 and all(n[:1] not in "=+-@" for n in names)
    assert '\'=HYPERLINK("http://evil.example","x")' in names


def _articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "buses.txt").write_text(
        "Rural bus plan published\n\nEvery village will keep at least one bus an hour.\n",
        encoding="utf-8",
    )
    return folder


def test_send_test_sends_one_marked_message(
    config: Path,
    tmp_path: Path,
    sendgrid_server: SendGridServer,
    secrets_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SENDGRID_API_HOST", sendgrid_server.url)
    code, out, _ = _run(
        config,
        "send-test",
        "--to",
        "editor@example.org",
        "--source",
        str(_articles(tmp_path)),
        "--date",
        "2026-11-28",
        "--sandbox",
        "--json",
    )
    assert code == 0, out
    report = json.loads(out)
    assert report["to"] == "editor@example.org" and report["sandbox"] is True
    [request] = sendgrid_server.sends
    body = request.body
    assert body["subject"].startswith("[TEST] ")
    assert body["mail_settings"] == {"sandbox_mode": {"enable": True}}
    assert body["asm"] == {"group_id": 7}
    assert "Rural bus plan published" in body["content"][0]["value"]
    assert body["content"][1]["type"] == "text/html"


def test_send_test_with_a_refused_key_exits_1_without_showing_it(
    config: Path,
    tmp_path: Path,
    sendgrid_server: SendGridServer,
    secrets_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SENDGRID_API_HOST", sendgrid_server.url)
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.revoked-key")
    code, out, err = _run(
        config, "send-test", "--to", "editor@example.org", "--source", str(_articles(tmp_path))
    )
    assert code == 1
    assert "SENDGRID_API_KEY" in err
    assert "SG.revoked-key" not in out + err and API_KEY not in out + err


def test_send_test_without_a_key_is_a_usage_error(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SENDGRID_API_KEY", raising=False)
    monkeypatch.setenv("DISTRIBUTOR_LINK_SECRET", "x" * 40)
    code, _, err = _run(
        config, "send-test", "--to", "editor@example.org", "--source", str(_articles(tmp_path))
    )
    assert code == 2
    assert "SENDGRID_API_KEY is not set" in err


def test_import_reports_an_oversized_field_and_bad_bytes_by_line_and_keeps_the_rest(
    config: Path, tmp_path: Path
) -> None:
    csv_file = tmp_path / "readers.csv"
    huge = "x" * (200 * 1024)
    csv_file.write_bytes(
        b"email,name\n"
        b"ann@example.org,Ann\n"
        + f'big@example.org,"{huge}"\n'.encode()
        + b"bad@example.org,Caf\xe9\n"
        b"bob@example.org,Bob\n"
    )
    code, out, err = _run(config, "subscribers", "import", str(csv_file), "--json")
    assert code == 1
    assert "Traceback" not in out + err
    problems = {p["line"]: p["message"] for p in json.loads(out)["problems"]}
    assert "field larger" in problems[3] and "not UTF-8" in problems[4]
    code, out, _ = _run(config, "subscribers", "list", "--json")
    assert sorted(r["email"] for r in json.loads(out)) == ["ann@example.org", "bob@example.org"]


def test_serve_unsubscribe_answers_a_one_click_unsubscribe(config: Path, tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys
    from datetime import UTC, datetime

    import requests

    from distributor.compose.links import link_value

    secret = "serve-unsubscribe-cli-test-key-0123456789"
    _run(config, "subscribers", "add", "ann@example.org")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DISTRIBUTOR_LINK_SECRET": secret}
    proc = subprocess.Popen(
        [sys.executable, "-m", "distributor", "--config", str(config), "subscribers",
         "serve-unsubscribe", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        assert f"serving on http://127.0.0.1:{port}" in proc.stdout.readline()
        from distributor.store import db
        from distributor.store.subscribers import Status, SubscriberStore

        store = SubscriberStore(db.connect(f"sqlite:///{tmp_path / 'db.sqlite'}"))
        reader = store.get("ann@example.org")
        assert reader is not None
        link = link_value(secret.encode(), reader.token, datetime.now(UTC).date())
        r = requests.post(
            f"http://127.0.0.1:{port}/unsubscribe",
            params={"u": link},
            data="List-Unsubscribe=One-Click",
            timeout=10,
        )
        assert r.status_code == 200
        reader = store.get("ann@example.org")
        assert reader is not None and reader.status is Status.UNSUBSCRIBED
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert secret not in err and reader.token not in err

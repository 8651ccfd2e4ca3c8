"""The operator's commands: status, outbox decisions, approve, worker --once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from distributor.cli import main
from distributor.models import Delivery, DeliveryKind, DeliveryState
from distributor.store import db
from distributor.store.outbox import Outbox


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "distributor.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "d.db"}"\n'
        f'[output]\ndir = "{tmp_path / "out"}"\n'
        '[delivery]\nchannels = ["files"]\n'
        "[schedule]\nstale_after_minutes = 0\n",
        encoding="utf-8",
    )
    return path


def _box(tmp_path: Path) -> Outbox:
    return Outbox(db.open_database(f"sqlite:///{tmp_path / 'd.db'}"))


def _files_row(name: str, *, held: bool = False, text: str = "hello") -> Delivery:
    today = datetime.now(UTC).date().isoformat()
    return Delivery(
        channel="files",
        kind=DeliveryKind.PREVIEW,
        idempotency_key=f"files:preview:{name}:{today}",
        due_at=datetime.now(UTC) - timedelta(minutes=1),
        payload={"files": {f"{name}.txt": text}, "day": today},
        subject_id=name,
        state=DeliveryState.HELD if held else DeliveryState.PLANNED,
    )


def _run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=False)
    return result.exit_code, result.stdout


def test_worker_once_delivers_what_is_due_and_status_shows_it(config: Path, tmp_path: Path) -> None:
    box = _box(tmp_path)
    box.plan([_files_row("a"), _files_row("b", held=True)])
    code, out = _run(config, "worker", "--once", "--no-plan", "--json")
    assert code == 0, out
    assert len(json.loads(out)["sent"]) == 1
    assert (tmp_path / "out" / "a.txt").read_text() == "hello"
    assert not (tmp_path / "out" / "b.txt").exists()
    code, out = _run(config, "status", "--json")
    report = json.loads(out)
    assert report["channels"] == {"files": {"sent": 1, "held": 1}}
    assert [r["subject_id"] for r in report["needs_attention"]] == ["b"]
    code, out = _run(config, "status")
    assert "files: 1 held, 1 sent" in out


def test_approve_lets_a_held_delivery_go(config: Path, tmp_path: Path) -> None:
    _box(tmp_path).plan([_files_row("b", held=True)])
    code, out = _run(config, "approve", "preview", "--by", "editor", "--json")
    assert code == 0 and json.loads(out)[0]["state"] == "planned"
    _run(config, "worker", "--once", "--no-plan")
    assert (tmp_path / "out" / "b.txt").exists()
    code, out = _run(config, "approve", "digest")
    assert "nothing waiting for approval" in out


def test_uncertain_needs_an_explicit_retry_or_cancel(config: Path, tmp_path: Path) -> None:
    box = _box(tmp_path)
    box.plan([_files_row("a")])
    (row,) = box.claim_due(datetime.now(UTC), 1, "gone")
    box.mark_uncertain(row.id or 0, "connection reset after sending")
    code, out = _run(config, "status", "--check")
    assert code == 1 and "connection reset" in out
    code, out = _run(config, "outbox", "list", "--state", "uncertain", "--json")
    assert [r["id"] for r in json.loads(out)] == [row.id]
    code, out = _run(config, "outbox", "retry", str(row.id))
    assert code == 0 and "now planned" in out
    _run(config, "worker", "--once", "--no-plan")
    assert (tmp_path / "out" / "a.txt").exists()
    code, out = _run(config, "outbox", "show", str(row.id), "--json")
    assert json.loads(out)["state"] == "sent"


def test_an_impossible_decision_exits_1_with_the_reason(config: Path, tmp_path: Path) -> None:
    box = _box(tmp_path)
    box.plan([_files_row("a")])
    (rec,) = box.records()
    result = CliRunner().invoke(
        main, ["--config", str(config), "outbox", "release", str(rec.delivery.id)]
    )
    assert result.exit_code == 1
    assert "is planned, not held" in result.stderr
    result = CliRunner().invoke(main, ["--config", str(config), "outbox", "show", "999"])
    assert result.exit_code == 1 and "no delivery with id 999" in result.stderr
    code, out = _run(config, "outbox", "hold", str(rec.delivery.id))
    assert code == 0 and "now held" in out
    code, out = _run(config, "outbox", "cancel", str(rec.delivery.id))
    assert "now cancelled" in out


def test_a_failed_delivery_makes_the_worker_exit_1(config: Path, tmp_path: Path) -> None:
    bad = _files_row("x")
    bad.payload = {"files": {"../escape.txt": "no"}, "day": bad.payload["day"]}
    _box(tmp_path).plan([bad])
    code, out = _run(config, "worker", "--once", "--no-plan", "--json")
    assert code == 1
    errors = json.loads(out)["errors"]
    assert any("outside the output folder" in e for e in errors.values())


def test_the_worker_plans_the_day_from_the_sources_and_writes_the_preview(
    tmp_path: Path,
) -> None:
    from tests.conftest import EXAMPLES

    config = tmp_path / "distributor.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "d.db"}"\n'
        f'[ingest]\nsources = ["{EXAMPLES}"]\n'
        f'[output]\ndir = "{tmp_path / "out"}"\n'
        '[delivery]\nchannels = ["files"]\n',
        encoding="utf-8",
    )
    code, out = _run(config, "worker", "--once", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["plannings"] == 1 and len(report["sent"]) == 1
    assert list((tmp_path / "out").rglob("*.txt"))
    code, out = _run(config, "worker", "--once", "--json")
    assert json.loads(out)["sent"] == []  # the same day planned again sends nothing new


def test_plan_shows_where_and_when_with_states(tmp_path: Path) -> None:
    from tests.conftest import EXAMPLES

    config = tmp_path / "distributor.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "d.db"}"\n'
        f'[ingest]\nsources = ["{EXAMPLES}"]\n'
        f'[output]\ndir = "{tmp_path / "out"}"\n'
        '[delivery]\nchannels = ["files"]\n',
        encoding="utf-8",
    )
    code, out = _run(config, "plan", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["planned"]["created"] == 1
    assert [(d["channel"], d["kind"], d["state"]) for d in report["deliveries"]] == [
        ("files", "preview", "planned")
    ]
    assert not (tmp_path / "out").exists()  # planning sends nothing
    code, out = _run(config, "plan", "--date", "2020-01-01")
    assert code == 0 and "nothing planned" in out


def test_mark_sent_settles_what_did_go_out_and_nothing_else(config: Path, tmp_path: Path) -> None:
    box = _box(tmp_path)
    box.plan([_files_row("a"), _files_row("b")])
    (a, b) = box.claim_due(datetime.now(UTC), 2, "gone")
    box.mark_uncertain(a.id or 0, "connection reset after sending")
    code, out = _run(config, "outbox", "mark-sent", str(a.id))  # no replies wait: no id needed
    assert code == 0 and "now sent" in out
    # Nothing sends it again, and status no longer asks for a decision.
    _run(config, "worker", "--once", "--no-plan")
    assert not (tmp_path / "out" / "a.txt").exists()
    code, out = _run(config, "status", "--json")
    assert a.id not in [r["id"] for r in json.loads(out)["needs_attention"]]
    code, out = _run(config, "outbox", "show", str(a.id), "--json")
    shown = json.loads(out)
    assert shown["state"] == "sent" and shown["detail"]["settled_by"] == "operator"
    # A cancelled delivery that did go out shows as sent once settled.
    box.mark_failed(b.id or 0, "refused", retryable=False)
    _run(config, "outbox", "cancel", str(b.id))
    code, out = _run(config, "outbox", "mark-sent", str(b.id), "--provider-id", "msg-1")
    assert code == 0
    code, out = _run(config, "outbox", "show", str(b.id), "--json")
    assert json.loads(out)["state"] == "sent" and json.loads(out)["provider_id"] == "msg-1"
    # A planned (or already sent) delivery is not the operator's to settle.
    box.plan([_files_row("c")])
    c = next(r for r in box.records() if r.delivery.subject_id == "c")
    result = CliRunner().invoke(
        main, ["--config", str(config), "outbox", "mark-sent", str(c.delivery.id)]
    )
    assert result.exit_code == 1 and "it is planned" in result.stderr
    code, out = _run(config, "outbox", "show", str(a.id), "--lookup")
    assert "files offers none" in out


def test_plan_reads_by_thread_headline_first_with_each_networks_time_and_the_next_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.social.posting import SECRETS

    for key, value in {
        **SECRETS,
        "SENDGRID_API_KEY": "SG.test-key",
        "DISTRIBUTOR_LINK_SECRET": "s" * 40,
    }.items():
        monkeypatch.setenv(key, value)
    news = tmp_path / "news"
    news.mkdir()
    headlines = {
        "ferries": "Island ferries get two new boats",
        "libraries": "Libraries stay open on Sundays",
    }
    for slug, headline in headlines.items():
        (news / f"{slug}.md").write_text(
            f"---\ntitle: {headline}\nurl: https://news.example.org/a-long-section-name/"
            f"another-section/{slug}-announcement-with-a-long-address\n---\n\n"
            f"The {slug} plan costs £{len(slug)}m and starts in April.\n",
            encoding="utf-8",
        )
    config = tmp_path / "distributor.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "d.db"}"\n'
        f'[ingest]\nsources = ["{news}"]\n'
        '[publisher]\ntimezone = "UTC"\n'
        '[delivery]\nchannels = ["x", "bluesky", "sendgrid"]\n'
        '[social]\nnetworks = ["x", "bluesky"]\n'
        # Today's edition is always due by now: the next one is tomorrow's.
        '[schedule]\ntimezone = "UTC"\ndigest_at = "00:00"\n',
        encoding="utf-8",
    )
    assert _run(config, "subscribers", "add", "sam@example.org")[0] == 0
    today = datetime.now(UTC).date()
    tomorrow = (today + timedelta(days=1)).isoformat()

    code, out = _run(config, "plan", "--json")
    assert code == 0, out
    report = json.loads(out)
    # Every row of the day, as the outbox has it (the keys scripts read are kept).
    rows = report["deliveries"]
    assert rows and {r["day"] for r in rows} == {today.isoformat()}
    assert {"id", "key", "channel", "kind", "subject_id", "state", "due_at"} <= rows[0].keys()
    assert {r["channel"] for r in rows} == {"x", "bluesky"}
    nxt = report["next_digest"]
    assert nxt["edition"] == tomorrow and "tomorrow" in nxt["why"]
    assert [(d["channel"], d["kind"], d["day"]) for d in nxt["deliveries"]] == [
        ("sendgrid", "digest", tomorrow)
    ]

    code, out = _run(config, "plan", "--no-ingest")
    assert code == 0, out
    lines = out.splitlines()
    for headline in headlines.values():
        # The thread once, headline first (not its address cut at 60 characters),
        # then one line per network with its own time and posts.
        (at,) = [i for i, line in enumerate(lines) if line.strip() == headline]
        below = [line.split() for line in lines[at + 1 : at + 3]]
        assert [words[0] for words in below] == ["x", "bluesky"]
        assert all(":" in words[1] and words[3].startswith("post") for words in below)
    assert "https://news.example.org/a-long-section-name/another-section" not in out
    assert f"Next digest: the {tomorrow} edition (tomorrow's edition" in out
    (digest_line,) = [line for line in lines if line.strip().startswith("sendgrid")]
    assert f"{tomorrow} 00:00" in digest_line and "planned" in digest_line

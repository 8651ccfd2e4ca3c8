"""The digest through the whole job: run plans it, the outbox fans it out at digest time,
the real sendgrid client posts each batch once to a spec-checking server."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from distributor import settings as config
from distributor.pipeline.run import run
from distributor.store.outbox import Outbox
from distributor.store.subscribers import SubscriberStore
from tests.config_file import write_config
from tests.email_delivery.day import AT_SEVEN, BEFORE, site, subscribe
from tests.email_delivery.sendgrid_server import SendGridServer


def test_the_digest_goes_once_at_seven_to_every_audience_in_batches(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
) -> None:
    cfg = config.from_mapping(site(tmp_path, sendgrid_server, db_url), base_dir=tmp_path)
    store = SubscriberStore(engine)
    subscribe(engine)

    early = run(cfg, engine, now=BEFORE)
    assert early.new == 2 and early.edition.isoformat() == "2026-11-30"
    assert sendgrid_server.sends == []  # planned, not due before 07:00
    assert list((tmp_path / "out").glob("*/digest.html"))  # the preview is written at once

    store.unsubscribe("all0005@example.org")  # after planning, before sending
    at_seven = run(cfg, engine, now=AT_SEVEN)
    assert at_seven.dispatched.failed == [] and at_seven.dispatched.uncertain == []
    sent = [p["to"][0]["email"] for r in sendgrid_server.sends for p in r.body["personalizations"]]
    assert len(sent) == len(set(sent)) == 1200 - 1 + 30
    assert "all0005@example.org" not in sent
    assert all(len(r.body["personalizations"]) <= 1000 for r in sendgrid_server.sends)
    health = [r for r in sendgrid_server.sends if "health000@example.org" in str(r.body)]
    assert len(health) == 1 and "Health clinics open late" in str(health[0].body)

    again = run(cfg, engine, now=datetime(2026, 11, 30, 7, 30, tzinfo=UTC))
    assert again.dispatched.sent == []
    assert len(sendgrid_server.sends) == 3
    states = Outbox(engine, cfg.schedule).counts()
    assert "uncertain" not in str(states)


def test_a_missing_link_secret_stops_only_the_email_channel(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DISTRIBUTOR_LINK_SECRET")
    cfg = config.from_mapping(site(tmp_path, sendgrid_server, db_url), base_dir=tmp_path)
    subscribe(engine)
    run(cfg, engine, now=BEFORE)
    at_seven = run(cfg, engine, now=AT_SEVEN)
    # The email channel is reported and skipped; nothing was sent half-signed...
    assert "DISTRIBUTOR_LINK_SECRET" in at_seven.dispatched.auth_failed["sendgrid"]
    assert sendgrid_server.sends == [] and at_seven.failed
    # ...and the other channels delivered: the day's files are written.
    assert list((tmp_path / "out").glob("*/digest.html"))
    # Once the secret is there, the waiting digest goes out.
    monkeypatch.setenv("DISTRIBUTOR_LINK_SECRET", "a" * 40)
    later = run(cfg, engine, now=datetime(2026, 11, 30, 7, 5, tzinfo=UTC))
    assert later.dispatched.failed == [] and sendgrid_server.sends


def test_check_config_refuses_a_missing_or_weak_link_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from distributor.cli import main

    path = tmp_path / "d.toml"
    path.write_text(
        '[delivery]\nchannels = ["files", "sendgrid"]\n'
        '[channels.sendgrid]\nfrom_email = "digest@news.example.org"\nasm_group_id = 7\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.a-key-for-the-check")
    for value, expected in (
        (None, "is not set"),
        ("x", "is too short (1 character)"),
        ("a" * 31, "is too short (31 characters)"),
    ):
        if value is None:
            monkeypatch.delenv("DISTRIBUTOR_LINK_SECRET", raising=False)
        else:
            monkeypatch.setenv("DISTRIBUTOR_LINK_SECRET", value)
        result = CliRunner().invoke(main, ["--config", str(path), "check-config"])
        assert result.exit_code == 2
        assert f"DISTRIBUTOR_LINK_SECRET {expected}" in result.output
        assert "configuration is valid" not in result.output


def test_article_text_can_never_form_a_substitution_tag(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
) -> None:
    cfg = site(tmp_path, sendgrid_server, db_url)
    (tmp_path / "news" / "hostile.txt").write_text(
        "Budget {%q%} and {{unsubscribe_url}} announced\n"
        "The {%n%} budget gives {{name}} £2bn for roads.\n",
        encoding="utf-8",
    )
    settings = config.from_mapping(cfg, base_dir=tmp_path)
    subscribe(engine)
    run(settings, engine, now=BEFORE)
    run(settings, engine, now=AT_SEVEN)
    assert sendgrid_server.sends
    seen = 0
    for request in sendgrid_server.sends:
        body = request.body
        subjects = [body.get("subject", "")] + [
            p.get("subject", "") for p in body["personalizations"]
        ]
        assert not any("{%" in s or "{{" in s for s in subjects)
        text = next(c["value"] for c in body["content"] if c["type"] == "text/plain")
        story_lines = [line for line in text.splitlines() if "udget" in line]
        seen += bool(story_lines)
        for line in story_lines:
            assert "{%" not in line and "%}" not in line and "{{" not in line
        # In the HTML part, only our own tags (in the links and the greeting) remain.
        html_part = next(c["value"] for c in body["content"] if c["type"] == "text/html")
        tags = set(re.findall(r"\{%\w+%\}", html_part))
        assert tags <= {"{%q%}", "{%nh%}"}, tags
        assert "Budget {%q%}" not in html_part and "The {%n%}" not in html_part
        assert not re.search(r"udget[^<]*\{%", html_part)
    assert seen, "the hostile story went out in the everyone variant"


def test_an_uncertain_batch_is_looked_up_by_its_key_and_settled(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
) -> None:
    import json

    from click.testing import CliRunner

    from distributor.cli import main

    mapping = site(tmp_path, sendgrid_server, db_url)
    mapping["channels"]["sendgrid"]["timeout_seconds"] = 1.0
    path = write_config(tmp_path / "distributor.toml", mapping)
    cfg = config.from_mapping(mapping, base_dir=tmp_path)
    SubscriberStore(engine).add("reader@example.org")
    run(cfg, engine, now=BEFORE)
    sendgrid_server.inject("slow")  # accepted, but answered after the client gave up
    report = run(cfg, engine, now=AT_SEVEN)
    (batch_id,) = report.dispatched.uncertain

    def cli(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["--config", str(path), "outbox", *args])
        return result.exit_code, result.output

    _, out = cli("show", str(batch_id), "--lookup", "--json")
    assert json.loads(out)["lookup"] is None  # without the Email Activity add-on
    sendgrid_server.activity = True
    _, out = cli("show", str(batch_id), "--lookup", "--json")
    (match,) = json.loads(out)["lookup"]
    code, out = cli("mark-sent", str(batch_id), "--provider-id", match["provider_id"])
    assert code == 0 and "now sent" in out
    run(cfg, engine, now=AT_SEVEN)
    assert len(sendgrid_server.sends) == 1  # settled, never sent again

"""`send digest`: an edition now, through the outbox, never twice, and the next
edition starts where it stopped."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine

from distributor import settings as config
from distributor.cli import main
from distributor.pipeline.run import run
from distributor.store.subscribers import SubscriberStore
from tests.config_file import write_config
from tests.email_delivery.day import site
from tests.email_delivery.sendgrid_server import SendGridServer

MONDAY = datetime(2026, 11, 30, tzinfo=UTC).date()
_HEADLINE = re.compile(r"(Rural bus routes to get £150m|Health clinics open late|Ferry link saved)")


def _headlines(server: SendGridServer) -> list[list[str]]:
    out = []
    for request in server.sends:
        text = next(c["value"] for c in request.body["content"] if c["type"] == "text/plain")
        out.append(sorted(set(_HEADLINE.findall(text))))
    return out


def test_an_edition_sent_by_hand_goes_once_and_the_next_starts_after_it(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
) -> None:
    mapping = site(tmp_path, sendgrid_server, db_url)
    cfg = config.from_mapping(mapping, base_dir=tmp_path)
    SubscriberStore(engine).add("reader@example.org")

    early = run(cfg, engine, now=datetime(2026, 11, 30, 5, 0, tzinfo=UTC), send_now=MONDAY)
    assert early.dispatched.failed == [] and early.dispatched.uncertain == []
    assert _headlines(sendgrid_server) == [
        ["Health clinics open late", "Rural bus routes to get £150m"]
    ]

    (tmp_path / "news" / "ferry.txt").write_text(
        "Ferry link saved\nThe island ferry will run all winter, with £2m of support.\n",
        encoding="utf-8",
    )
    run(cfg, engine, now=datetime(2026, 11, 30, 6, 0, tzinfo=UTC))
    again = run(cfg, engine, now=datetime(2026, 11, 30, 5, 30, tzinfo=UTC), send_now=MONDAY)
    run(cfg, engine, now=datetime(2026, 11, 30, 7, 1, tzinfo=UTC))  # Monday's time: done
    assert len(sendgrid_server.sends) == 1 and again.dispatched.failed == []
    run(cfg, engine, now=datetime(2026, 12, 1, 7, 1, tzinfo=UTC))
    assert _headlines(sendgrid_server)[1:] == [["Ferry link saved"]]


def test_send_digest_from_the_command_line(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
) -> None:
    mapping = site(tmp_path, sendgrid_server, db_url)
    mapping["delivery"] = {"channels": ["sendgrid"]}
    path = write_config(tmp_path / "distributor.toml", mapping)
    SubscriberStore(engine).add("reader@example.org")
    for _ in range(2):
        result = CliRunner().invoke(main, ["--config", str(path), "send", "digest", "--json"])
        assert result.exit_code == 0, result.output
        (digest,) = json.loads(result.stdout)["digests"]
        assert digest["channel"] == "sendgrid" and digest["state"] == "sent"
    assert len(sendgrid_server.sends) == 1  # the second call found the edition sent

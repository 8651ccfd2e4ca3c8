"""The web archive through the whole job: an edition's page is written when the edition
goes out (not when it is planned), once, with nothing of any reader in it; the index
and the feed list the editions newest first; `distributor archive` fills in and
rebuilds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from click.testing import CliRunner
from sqlalchemy import Engine, select

from distributor import settings as config
from distributor.cli import main
from distributor.pipeline.run import run
from distributor.store.subscribers import SubscriberStore
from distributor.store.tables import subscribers
from tests.config_file import write_config
from tests.email_delivery.day import AT_SEVEN, BEFORE, site
from tests.email_delivery.sendgrid_server import SendGridServer

ARCHIVE_URL = "https://news.example.org/archive/"


def _mapping(tmp_path: Path, server: SendGridServer, db_url: str) -> dict:  # type: ignore[type-arg]
    mapping = site(tmp_path, server, db_url)
    mapping["publisher"] = {"archive_url": ARCHIVE_URL}
    return mapping


def test_an_edition_is_archived_when_it_goes_out_with_nothing_personal_in_it(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
) -> None:
    mapping = _mapping(tmp_path, sendgrid_server, db_url)
    cfg = config.from_mapping(mapping, base_dir=tmp_path)
    store = SubscriberStore(engine)
    for n, name in enumerate(["Sam Reader", "Alex Example"]):
        store.add(f"reader{n}@example.org", name=name)
    archive = tmp_path / "out" / "archive"

    run(cfg, engine, now=BEFORE)
    assert not archive.exists()  # planned is not sent
    run(cfg, engine, now=AT_SEVEN)
    assert sendgrid_server.sends
    page = archive / "2026-11-30.html"
    html = page.read_text(encoding="utf-8")
    assert "Rural bus routes to get £150m" in html and "Health clinics open late" in html
    with engine.connect() as conn:
        tokens = list(conn.execute(select(subscribers.c.token)).scalars())
    everything = "".join(p.read_text(encoding="utf-8") for p in sorted(archive.iterdir()))
    for personal in (
        *tokens,
        "Sam",
        "Alex",
        "reader0@",
        "/unsubscribe",
        "/preferences",
        "?u=",
        "{{",
        "{%",
        "utm_",
    ):
        assert personal not in everything, personal
    assert sorted(p.name for p in archive.iterdir()) == [
        "2026-11-30.html",
        "2026-11-30.json",
        "feed.xml",
        "index.html",
    ]
    written = {p.name: p.stat().st_mtime_ns for p in archive.iterdir()}

    # Later rounds, and the command, find it done: nothing is written again.
    run(cfg, engine, now=datetime(2026, 11, 30, 7, 30, tzinfo=UTC))
    config_file = write_config(tmp_path / "distributor.toml", mapping)
    result = CliRunner().invoke(main, ["--config", str(config_file), "archive", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["written"] == []
    assert {p.name: p.stat().st_mtime_ns for p in archive.iterdir()} == written

    # The next day's edition: the index and the feed list both, newest first.
    (tmp_path / "news" / "ferry.txt").write_text(
        "Ferry link saved\nThe island ferry will run all winter, with £2m of support.\n",
        encoding="utf-8",
    )
    run(cfg, engine, now=datetime(2026, 12, 1, 5, 0, tzinfo=UTC))
    run(cfg, engine, now=datetime(2026, 12, 1, 7, 1, tzinfo=UTC))
    index = (archive / "index.html").read_text(encoding="utf-8")
    assert index.index('href="2026-12-01.html"') < index.index('href="2026-11-30.html"')
    assert "Ferry link saved" in (archive / "2026-12-01.html").read_text(encoding="utf-8")
    items = ET.fromstring((archive / "feed.xml").read_text(encoding="utf-8")).iter("item")
    assert [i.findtext("link") for i in items] == [
        f"{ARCHIVE_URL}2026-12-01.html",
        f"{ARCHIVE_URL}2026-11-30.html",
    ]

    # An edition whose page went missing is written again by the command; --rebuild
    # writes every page.
    (archive / "2026-11-30.html").unlink()
    result = CliRunner().invoke(main, ["--config", str(config_file), "archive", "--json"])
    assert json.loads(result.stdout)["pages"] == ["2026-11-30"]
    result = CliRunner().invoke(main, ["--config", str(config_file), "archive", "--rebuild"])
    assert result.exit_code == 0, result.output
    assert "pages written: 2026-12-01, 2026-11-30" in result.stdout

"""A small news day for the preview page: three articles, planned by ``run`` with the X
threads held for an editor's approval, and the page served on 127.0.0.1."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from distributor import settings as config
from distributor.models import DeliveryState
from distributor.pipeline.run import plan
from distributor.store import db
from distributor.store.outbox import Outbox, Record
from distributor.web import preview
from distributor.web.server import stop

FERRIES = (
    "Island ferries get two new boats\n"
    "Two hybrid ferries costing £48m will join the island routes in 2027.\n"
    "- Crossings rise from 12 to 18 a day.\n"
    "“Islanders have waited long enough,” said Transport Minister Ailsa Rennie.\n"
)
ARTICLES = {
    "ferries.txt": FERRIES,
    "libraries.txt": "Libraries stay open on Sundays\n"
    "Sixty libraries will open on Sundays from April, funded by a £3m grant.\n",
    "roads.txt": "Pothole fund doubled\n"
    "The pothole fund has doubled to £200m for the coming year across 150 councils.\n",
}


@dataclass
class Day:
    settings: config.Settings
    news: Path
    engine: Engine
    outbox: Outbox

    def plan(self) -> None:
        """What ``run`` plans (nothing is sent): the X threads wait for approval."""
        plan(self.settings, self.engine, now=datetime.now(UTC))

    def held(self) -> list[Record]:
        return [
            r for r in self.outbox.records(states=[DeliveryState.HELD]) if r.delivery.channel == "x"
        ]

    def edit(self, name: str, text: str) -> None:
        """Rewrite an article, its modification time moved on past any clock's grain."""
        path = self.news / name
        before = path.stat().st_mtime_ns
        path.write_text(text, encoding="utf-8")
        later = max(path.stat().st_mtime_ns, before + 2_000_000_000)
        os.utime(path, ns=(later, later))


def news_day(tmp_path: Path, articles: dict[str, str] | None = None, **extra: Any) -> Day:
    news = tmp_path / "news"
    news.mkdir()
    for name, text in (articles or ARTICLES).items():
        (news / name).write_text(text, encoding="utf-8")
    mapping: dict[str, Any] = {
        "ingest": {"sources": [str(news)]},
        "database": {"url": f"sqlite:///{tmp_path / 'db.sqlite'}"},
        "output": {"dir": str(tmp_path / "out")},
        "delivery": {"channels": ["files", "x"]},
        "social": {"networks": ["x", "bluesky"]},
        "schedule": {"require_approval": ["x"]},
    }
    for section, values in extra.items():
        mapping[section] = {**mapping.get(section, {}), **values}
    settings = config.from_mapping(mapping, base_dir=tmp_path)
    engine = db.open_database(settings.database.url, base_dir=tmp_path)
    return Day(settings, news, engine, Outbox(engine, settings.schedule))


@contextmanager
def serving(day: Day) -> Iterator[str]:
    """``http://127.0.0.1:PORT/`` while the preview page answers there."""
    server = preview.bind(day.settings, None, day.outbox, port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/"
    finally:
        stop(server)
        thread.join(timeout=5)
        day.engine.dispose()

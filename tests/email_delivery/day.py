"""A small publishing day for the email tests: two articles (one tagged for the health
audience), 1,230 subscribers in two audiences, and the SendGrid channel pointed at the
local spec-checking server."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from distributor.store.subscribers import SubscriberStore
from tests.email_delivery.sendgrid_server import SendGridServer

BEFORE = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # 05:00 in London: before digest_at
AT_SEVEN = datetime(2026, 11, 30, 7, 1, tzinfo=UTC)
EVERYONE = {f"all{i:04d}@example.org" for i in range(1200)} | {
    f"health{i:03d}@example.org" for i in range(30)
}


def site(tmp_path: Path, server: SendGridServer, db_url: str) -> dict[str, Any]:
    """Writes the day's articles under ``tmp_path/news``; returns the configuration."""
    news = tmp_path / "news"
    news.mkdir()
    (news / "buses.txt").write_text(
        "Rural bus routes to get £150m\n"
        "Ministers said on Monday that 300 rural bus routes will be saved.\n",
        encoding="utf-8",
    )
    (news / "clinics.md").write_text(
        "---\ntitle: Health clinics open late\ntags: [health]\n"
        "url: https://news.example.org/health/clinics\n---\n"
        "Forty clinics will open until 9pm from January.\n",
        encoding="utf-8",
    )
    return {
        "ingest": {"sources": [str(news)]},
        "database": {"url": db_url},
        "output": {"dir": str(tmp_path / "out")},
        "delivery": {"channels": ["files", "sendgrid"]},
        "channels": {
            "sendgrid": {
                "api_host": server.url,
                "from_email": "digest@news.example.org",
                "asm_group_id": 4242,
                "timeout_seconds": 20.0,
            }
        },
    }


def subscribe(engine: Engine) -> None:
    """1,200 readers of everything and 30 of health only."""
    rows = [f"all{i:04d}@example.org,Reader {i}," for i in range(1200)]
    rows += [f"health{i:03d}@example.org,Nurse {i},health" for i in range(30)]
    SubscriberStore(engine).import_csv(io.StringIO("email,name,topics\n" + "\n".join(rows)))


def received(server: SendGridServer) -> Counter[str]:
    """How many times each address was in a request the server accepted."""
    return Counter(
        p["to"][0]["email"]
        for r in server.sends
        if r.answered in ("202", "slow")  # a slow answer is still a 202
        for p in r.body["personalizations"]
    )

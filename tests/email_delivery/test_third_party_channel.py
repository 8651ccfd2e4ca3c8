"""An email channel from another package, registered as an entry point would register
it, is fanned out like the built-in one: chosen by what its class declares, not by its
name, and given its readers through the declared ``recipients``."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import Engine

from distributor import settings as config
from distributor.channels import registry
from distributor.channels.base import Channel, DeliveryContext, EmailChannel
from distributor.models import Delivery, DeliveryKind, SendResult
from distributor.payloads import parse_digest_batch
from distributor.pipeline.run import run
from distributor.store.subscribers import SubscriberStore

DELIVERED: list[dict[str, Any]] = []


class PostboxChannel(EmailChannel):
    """A mail provider no one in this project wrote: it records each request."""

    name: ClassVar[str] = "postbox"
    kinds: ClassVar[frozenset[DeliveryKind]] = frozenset({DeliveryKind.DIGEST})

    def build_payload(self, delivery: Delivery, context: DeliveryContext) -> dict[str, Any]:
        assert self.recipients is not None, "the fan-out gives an email channel its readers"
        readers = self.recipients(delivery)
        batch = parse_digest_batch(delivery)
        return {"subject": batch["subject"], "to": [r["email"] for r in readers]}

    def post(self, payload: dict[str, Any]) -> Any:
        DELIVERED.append(payload)
        return len(DELIVERED)

    def parse_response(self, response: Any, delivery: Delivery) -> SendResult:
        return SendResult(provider_id=f"postbox-{response}")


def test_a_third_party_email_channel_gets_the_digest_fanned_out(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    secrets_env: None,
) -> None:
    installed = registry.available()

    def available() -> dict[str, type[Channel]]:
        return {**installed, "postbox": PostboxChannel}

    monkeypatch.setattr(registry, "available", available)
    DELIVERED.clear()
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text(
        "Rail fares frozen\nRegulated fares will not rise in March, saving £250m.\n",
        encoding="utf-8",
    )
    cfg = config.from_mapping(
        {
            "ingest": {"sources": [str(news)]},
            "database": {"url": db_url},
            "delivery": {"channels": ["postbox"]},
            "subscribers": {"batch_size": 2},
        },
        base_dir=tmp_path,
    )
    store = SubscriberStore(engine)
    for i in range(5):
        store.add(f"reader{i}@example.org")
    run(cfg, engine, now=datetime(2026, 11, 30, 5, 0, tzinfo=UTC))
    run(cfg, engine, now=datetime(2026, 11, 30, 7, 1, tzinfo=UTC))
    got = Counter(address for request in DELIVERED for address in request["to"])
    assert got == Counter(f"reader{i}@example.org" for i in range(5))  # each once
    assert len(DELIVERED) == 3  # batches of two

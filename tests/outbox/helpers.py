"""A channel that records what it is asked to send, across processes, and can misbehave."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from distributor.channels.base import Channel, DeliveryContext, NoOptions
from distributor.models import Delivery, DeliveryKind, DeliveryState, SendResult
from distributor.settings import Settings

T0 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def delivery(
    n: int | str,
    *,
    channel: str = "recorder",
    kind: DeliveryKind = DeliveryKind.THREAD_POST,
    due: datetime = T0,
    parent: str | None = None,
    text: str = "",
    held: bool = False,
) -> Delivery:
    key = f"{channel}:{kind}:story-{n}:2026-11-27"
    return Delivery(
        channel=channel,
        kind=kind,
        idempotency_key=key,
        due_at=due,
        payload={"text": text or f"post {n}", "day": "2026-11-27"},
        subject_id=f"story-{n}",
        parent_key=parent,
        state=DeliveryState.HELD if held else DeliveryState.PLANNED,
    )


def chain(prefix: str, count: int, *, due: datetime = T0) -> list[Delivery]:
    """A thread: post i replies to post i-1."""
    out: list[Delivery] = []
    for i in range(count):
        parent = out[-1].idempotency_key if out else None
        out.append(delivery(f"{prefix}#{i}", due=due, parent=parent))
    return out


class RecordingChannel(Channel):
    """Appends one JSON line per request it makes to ``log`` (O_APPEND, so several
    processes can share it). ``failures`` maps a subject id to errors raised, in
    order, on its attempts; ``hang`` makes post() stop forever before or after the
    request, for kill -9 tests."""

    name: ClassVar[str] = "recorder"
    kinds: ClassVar[frozenset[DeliveryKind]] = frozenset(DeliveryKind)

    def __init__(
        self,
        settings: Settings,
        log: Path,
        *,
        failures: dict[str, Sequence[Exception]] | None = None,
        hang: str = "",
        hang_marker: Path | None = None,
        delay: float = 0.0,
    ) -> None:
        super().__init__(settings, NoOptions())
        self.log = log
        self.failures = {k: list(v) for k, v in (failures or {}).items()}
        self.hang = hang
        self.hang_marker = hang_marker
        self.delay = delay

    def build_payload(self, delivery: Delivery, context: DeliveryContext) -> dict[str, Any]:
        return {
            "key": delivery.idempotency_key,
            "subject": delivery.subject_id,
            "reply_to": context.reply_to,
            "text": delivery.payload.get("text"),
            "index": delivery.payload.get("index"),
            "pid": os.getpid(),
        }

    def post(self, payload: dict[str, Any]) -> Any:
        pending = self.failures.get(payload["subject"])
        if pending:
            raise pending.pop(0)
        if self.hang == "before":
            self._stop_here()
        if self.delay:
            time.sleep(self.delay)
        fd = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (json.dumps(payload) + "\n").encode())
        finally:
            os.close(fd)
        if self.hang == "after":
            self._stop_here()
        index = payload.get("index")
        suffix = f"#{index}" if index is not None else ""
        return {"id": f"id-{payload['subject']}{suffix}"}

    def parse_response(self, response: Any, delivery: Delivery) -> SendResult:
        return SendResult(provider_id=response["id"])

    def _stop_here(self) -> None:
        if self.hang_marker is not None:
            self.hang_marker.write_text("here")
        while True:
            time.sleep(1)


def sent_lines(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def later(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)

"""A worker in its own process, delivering through the real channels, that can be made to
stop dead at a chosen step so the test can kill it there with SIGKILL."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from distributor import settings as config
from distributor.pipeline.run import channels_for, deliver_due
from distributor.store import db
from distributor.store.outbox import Outbox

STEPS = ("before", "after", "recorded")
"""Before the request leaves, after the answer came back but before it is recorded, and
after it is recorded but before the next delivery starts."""


def _hang(marker: str) -> None:
    Path(marker).write_text("here", encoding="utf-8")
    while True:  # until SIGKILL
        time.sleep(1)


def worker(
    mapping: dict[str, Any],
    base_dir: str,
    now: str,
    channel: str,
    *,
    step: str = "",
    nth: int = 0,
    marker: str = "",
) -> None:
    """Deliver what is due on ``channel`` at ``now``; stop dead at ``step`` of the
    ``nth`` delivery (1-based) when asked."""
    settings = config.from_mapping(mapping, base_dir=Path(base_dir))
    engine = db.connect(settings.database.url)
    live = channels_for(settings)[channel]
    seen = {"posts": 0, "recorded": 0}

    if step in ("before", "after"):
        post: Callable[[dict[str, Any]], Any] = live.post

        def hooked(payload: dict[str, Any]) -> Any:
            seen["posts"] += 1
            if step == "before" and seen["posts"] == nth:
                _hang(marker)
            answer = post(payload)
            if step == "after" and seen["posts"] == nth:
                _hang(marker)
            return answer

        live.post = hooked  # type: ignore[method-assign]
    elif step == "recorded":
        mark_sent = Outbox.mark_sent

        def recorded(self: Outbox, *args: Any, **kwargs: Any) -> Any:
            result = mark_sent(self, *args, **kwargs)
            seen["recorded"] += 1
            if seen["recorded"] == nth:
                _hang(marker)
            return result

        Outbox.mark_sent = recorded  # type: ignore[method-assign]
    deliver_due(settings, engine, {channel: live}, now=datetime.fromisoformat(now))
    engine.dispose()

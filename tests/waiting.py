"""One way for a test to wait on another process or thread: poll a condition until a
deadline, and fail naming what never happened. No test sleeps a fixed time hoping the
other side is done; where the code under test takes a clock, the test passes a time."""

from __future__ import annotations

import time
from collections.abc import Callable

POLL_SECONDS = 0.05


def wait_for(condition: Callable[[], object], seconds: float = 60, what: str = "") -> None:
    """Return as soon as ``condition()`` is true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {seconds:g} s waiting for {what or condition}")
        time.sleep(POLL_SECONDS)

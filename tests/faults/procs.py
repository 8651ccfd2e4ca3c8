"""Start the worker in a child process, wait for it to reach its step, kill it with -9."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.faults.child import worker

SPAWN = multiprocessing.get_context("spawn")


def kill_at_step(
    mapping: dict[str, Any],
    base_dir: Path,
    now: str,
    channel: str,
    *,
    step: str,
    nth: int,
    seconds: float = 120,
    until: Callable[[], bool] | None = None,
) -> None:
    """Run a worker until it stops dead at ``step`` of the ``nth`` delivery, then SIGKILL it.

    With ``until``, the worker runs unhooked and is killed once ``until()`` holds (the
    server has the request and is holding back its answer: killed mid-request)."""
    marker = base_dir / f"hung-{channel}-{step}-{nth}"
    hooks = {} if until is not None else {"step": step, "nth": nth, "marker": str(marker)}
    proc = SPAWN.Process(target=worker, args=(mapping, str(base_dir), now, channel), kwargs=hooks)
    proc.start()
    reached = until or marker.exists
    deadline = time.monotonic() + seconds
    try:
        while not reached():
            if not proc.is_alive():
                raise AssertionError(f"the worker ended before {step} #{nth}: {proc.exitcode}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the worker never reached {step} #{nth}")
            time.sleep(0.05)
    finally:
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(30)
    assert proc.exitcode == -signal.SIGKILL

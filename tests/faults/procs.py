"""Start the worker in a child process, wait for it to reach its step, kill it with -9."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
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
) -> None:
    """Run a worker until it stops dead at ``step`` of the ``nth`` delivery, then SIGKILL it."""
    marker = base_dir / f"hung-{channel}-{step}-{nth}"
    proc = SPAWN.Process(
        target=worker,
        args=(mapping, str(base_dir), now, channel),
        kwargs={"step": step, "nth": nth, "marker": str(marker)},
    )
    proc.start()
    deadline = time.monotonic() + seconds
    try:
        while not marker.exists():
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

"""The huey engine: the periodic planner and the deliveries as tasks of one queue.

``queue.url`` chooses the queue: ``sqlite:///var/queue.db`` (the embedded default:
``SqliteHuey`` in a file, one process, nothing else to start) or
``redis://host:6379/0`` (``RedisHuey``: every machine's ``distributor worker``
consumes the same queue). The outbox stays the source of truth either way: a task
never says "send row 42", it says "deliver what is due", and rows are claimed with
``FOR UPDATE SKIP LOCKED`` (PostgreSQL) or ``BEGIN IMMEDIATE`` (SQLite). So a task
run twice, or by two workers at once, sends nothing twice; the queue only decides
*when* to look.

Two tasks, whose bodies are handed in (this module knows nothing of the pipeline):

``plan``
    A huey periodic task, every minute (huey's crontab is minute-grained). It takes
    ``huey.lock_task("plan")`` so two workers never plan at the same moment, and
    plans only when ``plan_minutes`` have passed since the last planning recorded in
    the queue's key/value store, so N consumers do not read the feeds N times. A
    worker starting enqueues it once at once, under the same rule, and a planning
    is followed by a delivery run, so what it made due goes without waiting for the
    next poll. The lock is for economy, not safety: the outbox's unique idempotency
    keys make a second planning of the same day add nothing.

``deliver``
    Every ``poll_seconds``, which is usually less than a minute, so not a crontab
    task: it re-enqueues itself with ``schedule(delay=...)`` for the next time slot
    (``floor(now / poll) + 1``). Before scheduling a slot it takes it with
    ``put_if_empty`` on the queue's store, so however many chains exist (one kicked
    off by each worker start, or left in the queue by a stopped worker) only one
    runs per slot and the extras die out. A run that found work enqueues one more
    immediate run, so idle consumers help while rows are due. A minute-level
    periodic ``deliver`` restarts the chain if it was lost (a worker killed with
    ``kill -9`` while holding it). Huey's scheduler looks at delayed tasks about
    once a second, which bounds how fine ``poll_seconds`` can usefully be.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from huey.consumer import Consumer
from huey.exceptions import TaskLockedException

from distributor.errors import ConfigError
from distributor.schedule.worker import Stopper
from distributor.settings import queue_url_problem

log = logging.getLogger("distributor.engine")

_LAST_PLAN = "plan.last"


def make_huey(url: str, *, base_dir: Path | None = None, name: str = "distributor") -> Huey:
    """The huey instance ``queue.url`` names (a relative SQLite path is from ``base_dir``)."""
    problem = queue_url_problem(url)
    if problem:
        raise ConfigError(f"queue.url {problem}")
    parts = urlsplit(url)
    if parts.scheme == "sqlite" and url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        if not path.is_absolute():
            path = (base_dir or Path(".")) / path
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path))
    return RedisHuey(name, url=url)


@dataclass
class EngineTasks:
    """The two registered tasks of one huey instance, and what starts them."""

    huey: Huey
    plan: Any
    deliver: Any
    plan_periodic: Any = None
    watchdog: Any = None
    plans: int = 0

    def kick(self) -> None:
        """Plan (if not done within ``plan_minutes``) and start a delivery chain, as a
        worker does at start."""
        if self.plan is not None:
            self.plan()
        self.deliver(None)


def install(
    huey: Huey,
    *,
    deliver: Callable[[datetime], int],
    plan: Callable[[datetime], object] | None = None,
    poll_seconds: float = 30.0,
    plan_minutes: float = 15.0,
) -> EngineTasks:
    """Register ``plan`` and ``deliver`` on ``huey`` with the given bodies.

    ``deliver(now)`` delivers what is due and returns how many rows it handled;
    ``plan(now)`` plans the day into the outbox.
    """
    tasks = EngineTasks(huey=huey, plan=None, deliver=None)

    def slot_key(slot: int) -> str:
        return f"deliver.slot.{slot}"

    def schedule_next() -> None:
        slot = math.floor(time.time() / poll_seconds) + 1
        if not huey.put_if_empty(slot_key(slot), "1"):
            return  # another chain holds that slot: this one ends here
        huey.delete(slot_key(slot - 1))
        tasks.deliver.schedule(args=(slot,), delay=max(slot * poll_seconds - time.time(), 0.0))

    def run_deliver(slot: int | None) -> None:
        handled = 0
        try:
            handled = deliver(datetime.now(UTC))
        except Exception:
            log.exception("delivery round failed; the next one goes on")
        finally:
            if slot is not None and slot >= 0:
                huey.delete(slot_key(slot))
            if handled:
                tasks.deliver(-1)  # a helper run: work is waiting
            if slot != -1:
                schedule_next()

    @huey.task(name="distributor.deliver")  # type: ignore[untyped-decorator]
    def deliver_task(slot: int | None = None) -> None:
        run_deliver(slot)

    @huey.periodic_task(crontab(minute="*"), name="distributor.deliver_watchdog")  # type: ignore[untyped-decorator]
    def deliver_watchdog() -> None:
        schedule_next()

    tasks.deliver = deliver_task
    tasks.watchdog = deliver_watchdog

    if plan is not None:
        body = plan

        def run_plan() -> None:
            now = datetime.now(UTC)
            try:
                with huey.lock_task("plan"):
                    last = huey.get(_LAST_PLAN, peek=True)
                    # A second's slack, so that minute ticks meet a whole plan_minutes.
                    if last is not None and now.timestamp() - float(last) < plan_minutes * 60 - 1:
                        return
                    body(now)
                    tasks.plans += 1
                    huey.put(_LAST_PLAN, now.timestamp())
                tasks.deliver(-1)  # what the planning made due goes now, not a poll later
            except TaskLockedException:
                log.info("another worker is planning; skipped")

        @huey.task(name="distributor.plan")  # type: ignore[untyped-decorator]
        def plan_now() -> None:
            run_plan()

        @huey.periodic_task(crontab(minute="*"), name="distributor.plan_periodic")  # type: ignore[untyped-decorator]
        def plan_periodic() -> None:
            run_plan()

        tasks.plan = plan_now
        tasks.plan_periodic = plan_periodic
    return tasks


class _Consumer(Consumer):  # type: ignore[misc]
    def _set_signal_handlers(self) -> None:
        """Leave SIGTERM and SIGINT to the caller's stop flag, installed before start.

        Huey's own handlers would take the signal in the window before ours and
        keep it where our loop does not look.
        """


def run_consumer(tasks: EngineTasks, *, stop: Stopper, workers: int = 1) -> None:
    """Run huey's consumer in this process, ``workers`` threads, until ``stop`` is set.

    The caller routes SIGTERM/SIGINT to ``stop`` beforehand. Stopping is graceful:
    every thread finishes the task in hand, and the ``deliver`` body, seeing
    ``stop``, finishes the delivery in hand and gives its other claims back.
    """
    consumer = _Consumer(tasks.huey, workers=workers, worker_type="thread", periodic=True)
    consumer.start()
    tasks.kick()
    while not stop.wait(1.0):
        consumer.check_worker_health()
    consumer.stop(graceful=True)
    tasks.huey.notify_interrupted_tasks()

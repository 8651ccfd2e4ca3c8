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
    A huey periodic task, every minute (huey's crontab is minute-grained). Its body
    decides whether it is time and takes the planning lease itself
    (:class:`distributor.schedule.planning.PlanGate`: a lease in the database that
    expires, so a worker killed while planning does not stop planning for good). A
    worker starting enqueues it once at once, and a planning is followed by a
    delivery run, so what it made due goes without waiting for the next poll.

``deliver``
    Every ``poll_seconds``, which is usually less than a minute, so not a crontab
    task: it re-enqueues itself with ``schedule(delay=...)`` for the next time slot
    (``floor(now / poll) + 1``). Before scheduling a slot it takes it with
    ``put_if_empty`` on the queue's store, so however many chains exist (one kicked
    off by each worker start, or left in the queue by a stopped worker) only one
    runs per slot and the extras die out. A run that found work enqueues one more
    immediate run, so idle consumers help while rows are due. A minute-level
    periodic ``deliver`` restarts the chain if it was lost (a worker killed with
    ``kill -9`` while holding it). Between slots, each run also schedules one more at
    the moment the outbox next wants a look (a row due for its first attempt: the
    07:00 digest at 07:00, not at the next slot; taken once in the store too). Huey's
    scheduler looks at delayed tasks about once a second, and idle consumer threads
    look at the queue at least as often, which bounds how fine either can be.
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

from distributor.errors import ConfigError
from distributor.schedule.worker import Stopper
from distributor.settings import queue_url_problem

log = logging.getLogger("distributor.engine")


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
        """Plan (if it is time) and start a delivery chain, as a worker does at start."""
        if self.plan is not None:
            self.plan()
        self.deliver(None)


def install(
    huey: Huey,
    *,
    deliver: Callable[[datetime], int],
    plan: Callable[[datetime], bool] | None = None,
    plan_due: Callable[[datetime], bool] | None = None,
    poll_seconds: float = 30.0,
    wake: Callable[[datetime], float] | None = None,
) -> EngineTasks:
    """Register ``plan`` and ``deliver`` on ``huey`` with the given bodies.

    ``deliver(now)`` delivers what is due and returns how many rows it handled;
    ``plan(now)`` plans the day into the outbox if it is time, and says whether it did;
    ``plan_due(now)``, a cheap look, lets each delivery round start a planning as soon
    as one is due (a dead worker's lease expired, say) rather than at the next minute;
    ``wake(now)``, the seconds until the outbox next wants a look (a row due for its
    first attempt, another worker's batches about to appear), adds one delivery run
    then when that comes before the chain's next slot.
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

    def wake_key(at: float) -> str:
        return f"deliver.wake.{at:.1f}"

    def schedule_wake() -> None:
        if wake is None:
            return
        # One clock reading: the wake-up lands on the due row's own moment, so two workers
        # asking for it share one key however far apart they ask.
        now = time.time()
        at = round(now + wake(datetime.fromtimestamp(now, UTC)), 1)
        if at >= (math.floor(now / poll_seconds) + 1) * poll_seconds:
            return  # the chain's next slot comes first
        if not huey.put_if_empty(wake_key(at), "1"):
            return  # another run already asked for this one
        tasks.deliver.schedule(kwargs={"wake_at": at}, delay=max(at - time.time(), 0.0))

    def run_deliver(slot: int | None, wake_at: float | None) -> None:
        handled = 0
        try:
            now = datetime.now(UTC)
            handled = deliver(now)
            if tasks.plan is not None and plan_due is not None and plan_due(now):
                tasks.plan()
        except Exception:
            log.exception("delivery round failed; the next one goes on")
        finally:
            if slot is not None and slot >= 0:
                huey.delete(slot_key(slot))
            if wake_at is not None:
                huey.delete(wake_key(wake_at))
            if handled:
                tasks.deliver(-1)  # a helper run: work is waiting
            if slot != -1 and wake_at is None:
                schedule_next()
            try:
                schedule_wake()
            except Exception:
                log.exception("could not look for the next due row; the chain goes on")

    @huey.task(name="distributor.deliver")  # type: ignore[untyped-decorator]
    def deliver_task(slot: int | None = None, wake_at: float | None = None) -> None:
        run_deliver(slot, wake_at)

    @huey.periodic_task(crontab(minute="*"), name="distributor.deliver_watchdog")  # type: ignore[untyped-decorator]
    def deliver_watchdog() -> None:
        schedule_next()

    tasks.deliver = deliver_task
    tasks.watchdog = deliver_watchdog

    if plan is not None:
        body = plan

        def run_plan() -> None:
            try:
                planned = body(datetime.now(UTC))
            except Exception:
                log.exception("planning failed; the next minute tries again")
                return
            if planned:
                tasks.plans += 1
                tasks.deliver(-1)  # what the planning made due goes now, not a poll later

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
    # An idle consumer thread looks at the queue at least once a second (huey's default
    # backs off to ten), so a run scheduled for a row's due time starts within a second
    # or two of it: huey's scheduler itself looks once a second.
    consumer = _Consumer(
        tasks.huey, workers=workers, worker_type="thread", periodic=True, max_delay=1.0
    )
    consumer.start()
    tasks.kick()
    while not stop.wait(1.0):
        consumer.check_worker_health()
    consumer.stop(graceful=True)
    tasks.huey.notify_interrupted_tasks()

"""``distributor worker``: deliver what is due and plan the day, until told to stop.

One function, :func:`work`, puts the pieces together for both engines: the
dispatcher (:func:`distributor.pipeline.run.deliver_due`) as each round's delivery, the
planning lease (:class:`distributor.schedule.planning.PlanGate`) around
:func:`distributor.pipeline.run.plan`, and the claims of dead workers recovered and
logged each round. ``huey`` runs these as queue tasks (``schedule/engine.py``); ``loop``
polls the database alone (``schedule/worker.py``). The command line only parses and
prints.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from distributor.channels.base import Channel
from distributor.pipeline.dispatch import DispatchReport, StopFlag
from distributor.pipeline.run import channels_for, deliver_due
from distributor.pipeline.run import plan as plan_deliveries
from distributor.schedule.planning import PlanGate
from distributor.schedule.worker import WorkerStats, next_look, run_worker
from distributor.settings import Settings
from distributor.store.leases import Leases
from distributor.store.outbox import Outbox

log = logging.getLogger("distributor.worker")


@dataclass
class WorkerSummary:
    """What one worker process did, for the command line to print."""

    worker: str
    engine: str
    stats: WorkerStats
    plannings: int
    source_problems: list[str] = field(default_factory=list)
    delivered: DispatchReport = field(default_factory=DispatchReport)

    @property
    def failed(self) -> bool:
        d = self.delivered
        return bool(d.failed or d.uncertain or d.auth_failed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "worker": self.worker,
            "engine": self.engine,
            "rounds": self.stats.rounds,
            "recovered": self.stats.recovered,
            "database_errors": self.stats.database_errors,
            "plannings": self.plannings,
            "plan_errors": self.stats.plan_errors,
            "source_problems": self.source_problems,
            **self.delivered.as_dict(),
        }


def work(
    cfg: Settings,
    engine: Engine,
    *,
    worker_id: str,
    stop: StopFlag,
    engine_name: str,
    plan: bool = True,
    plan_minutes: float | None = None,
    poll_seconds: float | None = None,
    once: bool = False,
    workers: int = 1,
) -> WorkerSummary:
    """Deliver and plan until ``stop`` is set (one round with ``once``)."""
    box = Outbox(engine, cfg.schedule)
    channels = channels_for(cfg)
    total = DispatchReport()
    merging = threading.Lock()

    def tick(_now: datetime) -> int:
        report = deliver_due(cfg, engine, channels, worker_id=worker_id, stop=stop)
        with merging:  # the huey engine calls this from several threads
            total.merge(report)
        for channel, message in report.auth_failed.items():
            log.error("%s: credentials refused: %s", channel, message)
        return report.handled

    problems: list[str] = []
    every = cfg.schedule.plan_minutes if plan_minutes is None else plan_minutes
    gate = PlanGate(Leases(engine), worker_id, timedelta(minutes=every))
    plannings = 0

    def planned(now: datetime) -> bool:
        # One gate for both engines: a lease in the database, so every worker on every
        # machine plans in turn, and a killed one holds nothing for long.
        nonlocal plannings
        done = gate.run(now, lambda at: _plan_now(cfg, engine, at, problems, channels))
        plannings += done
        return done

    if engine_name == "huey" and not once:
        stats = _run_huey(
            cfg,
            box,
            tick=tick,
            plan=planned if plan else None,
            plan_due=gate.due,
            stop=stop,
            poll_seconds=poll_seconds,
            workers=workers,
        )
        name = "huey"
    else:
        stats = run_worker(
            box,
            tick=tick,
            stop=stop,
            poll_seconds=poll_seconds,
            once=once,
            plan=planned if plan else None,
        )
        name = "loop"
    return WorkerSummary(worker_id, name, stats, plannings, problems, total)


def _plan_now(
    cfg: Settings,
    engine: Engine,
    now: datetime,
    problems: list[str],
    channels: Mapping[str, Channel] | None = None,
) -> None:
    result = plan_deliveries(cfg, engine, now=now, channels=channels)
    for problem in result.problems:
        problems.append(str(problem))
        log.warning("%s", problem)


def _run_huey(
    cfg: Settings,
    box: Outbox,
    *,
    tick: Callable[[datetime], int],
    plan: Callable[[datetime], bool] | None,
    plan_due: Callable[[datetime], bool],
    stop: StopFlag,
    poll_seconds: float | None,
    workers: int,
) -> WorkerStats:
    """Run the huey consumer until ``stop``."""
    from distributor.schedule import engine

    stats = WorkerStats()
    lock = threading.Lock()

    def deliver(now: datetime) -> int:
        recovered = box.recover_stale_claims(now)
        for row in recovered:
            log.warning(
                "delivery %s (%s) lost its worker: %s", row.id, row.idempotency_key, row.last_error
            )
        handled = tick(now)
        with lock:
            stats.rounds += 1
            stats.recovered += len(recovered)
            stats.handled += handled
        return handled

    huey = engine.make_huey(cfg.queue.url, base_dir=cfg.base_dir)
    # huey logs every task run at INFO: a line per poll says nothing the summary does not.
    logging.getLogger("huey").setLevel(logging.WARNING)
    poll = poll_seconds or cfg.schedule.poll_seconds
    tasks = engine.install(
        huey,
        deliver=deliver,
        plan=plan,
        plan_due=plan_due,
        poll_seconds=poll,
        wake=lambda now: next_look(box, now, poll),
    )
    engine.run_consumer(tasks, stop=stop, workers=workers)
    return stats

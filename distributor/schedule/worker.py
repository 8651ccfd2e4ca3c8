"""The worker loop: recover lost claims, plan, dispatch what is due, sleep, repeat.

The database is the queue. Every delivery is already a row in the outbox, and
claiming rows with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL) or ``BEGIN IMMEDIATE``
(SQLite) is exactly what a task queue would give us, without a second store that
could disagree with the first: a huey task saying "send row 42" would itself need
to be exactly-once. So this loop (``distributor worker --engine loop``) polls the
outbox: one process on one machine with SQLite, or any number on any number of machines with
PostgreSQL, and no ``queue.url``. The huey engine (``schedule/engine.py``, the
default) runs the same rounds as queue tasks; the outbox still decides what is sent.

What to do each round is handed in (``tick`` dispatches, ``plan`` composes and plans
the day), so this module knows nothing of the pipeline above it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

from distributor.schedule.clock import Clock, SystemClock
from distributor.store.outbox import Outbox

log = logging.getLogger("distributor.worker")


class Stopper(Protocol):
    def is_set(self) -> bool: ...

    def wait(self, seconds: float) -> bool: ...


@dataclass
class WorkerStats:
    rounds: int = 0
    handled: int = 0
    recovered: int = 0
    database_errors: int = 0
    plan_errors: int = 0


def run_worker(
    outbox: Outbox,
    *,
    tick: Callable[[datetime], int],
    stop: Stopper,
    clock: Clock | None = None,
    poll_seconds: float | None = None,
    once: bool = False,
    plan: Callable[[datetime], object] | None = None,
    max_rounds: int | None = None,
) -> WorkerStats:
    """Run until ``stop`` is set (or one round with ``once``).

    ``tick(now)`` delivers what is due and returns how many rows it handled. Between
    rounds the loop sleeps ``poll_seconds``, or less when a planned row falls due
    sooner. A database that is locked or unreachable is waited for, with growing
    pauses, and the loop goes on; a failing ``plan`` is logged and does not stop
    deliveries.
    """
    clk = clock or SystemClock()
    poll = poll_seconds if poll_seconds is not None else outbox.policy.poll_seconds
    stats = WorkerStats()
    pause = poll
    while not stop.is_set():
        stats.rounds += 1
        now = clk.now()
        try:
            if plan is not None:
                try:
                    plan(now)
                except (OperationalError, DisconnectionError):
                    raise
                except Exception:
                    stats.plan_errors += 1
                    log.exception("planning failed; deliveries already planned go on")
            recovered = outbox.recover_stale_claims(now)
            stats.recovered += len(recovered)
            for row in recovered:
                log.warning(
                    "delivery %s (%s) lost its worker: %s",
                    row.id,
                    row.idempotency_key,
                    row.last_error,
                )
            stats.handled += tick(now)
            pause = next_look(outbox, clk.now(), poll)
        except (OperationalError, DisconnectionError, DBAPIError) as exc:
            stats.database_errors += 1
            pause = min(max(pause * 2, 1.0), 60.0)
            log.warning("database unavailable (%s); waiting %.0f s", type(exc).__name__, pause)
        if once or (max_rounds is not None and stats.rounds >= max_rounds):
            break
        if stop.is_set():
            break
        if isinstance(clk, SystemClock):
            stop.wait(pause)
        else:
            clk.sleep(pause)
    return stats


HELPING_POLL = 0.1
"""Seconds between looks while another worker expands a digest or works through its
claims: its batches are due as soon as they are planned, and every idle worker should
take its share then, not a whole poll later."""
JUST_DUE = timedelta(seconds=1)
"""How long a row that fell due and is still planned may be another worker's claim in
flight (on PostgreSQL a claim skips rows another transaction has locked, and that
transaction has not committed yet): looked at every ``HELPING_POLL`` meanwhile."""


def next_look(outbox: Outbox, now: datetime, poll: float) -> float:
    """Seconds to sleep: a poll, or less when a row the worker already knows of is
    due for its first attempt sooner, so the 07:00 digest leaves at 07:00 rather than
    up to a poll later, or while another worker holds fresh claims it has not started
    (a digest it is expanding into batches that every worker should help send), or
    may be claiming a row that has just fallen due.
    Retries keep to the poll: their backoff says "not before", and waking for each
    would spend a provider's outage through more attempts. A row due for longer and
    still planned was left by this round (its channel is not ready, a thread waits for
    its parent): it waits for the next poll, not in a spin."""
    if outbox.claims_unstarted(since=now - timedelta(seconds=poll)):
        return min(poll, HELPING_POLL)
    upcoming = outbox.next_due(after=now - JUST_DUE, untried=True)
    if upcoming is None:
        return poll
    if upcoming <= now:
        return min(poll, HELPING_POLL)
    return min(poll, (upcoming - now).total_seconds())

"""When a worker plans: at most once per ``schedule.plan_minutes`` across every worker.

Both engines ask :meth:`PlanGate.run` each time they could plan. The gate plans only
when the last planning any worker finished is ``plan_minutes`` old, and only under the
``plan`` lease in the database (:mod:`distributor.store.leases`), so N workers on N
machines read the feeds once, not N times. A worker killed while planning keeps the
lease only until it expires (``plan_minutes``, at least ten seconds): then the next
worker to look plans. The lease is for economy, not safety: the outbox's idempotency keys make a
second planning of the same day add nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from distributor.store.leases import Leases, LeaseState
from distributor.words import plural

log = logging.getLogger("distributor.worker")

PLAN = "plan"
MIN_LEASE = timedelta(seconds=10)
# A second's slack, so that minute ticks meet a whole plan_minutes.
_SLACK = timedelta(seconds=1)


@dataclass
class PlanGate:
    leases: Leases
    holder: str
    every: timedelta
    lease: timedelta | None = None
    """How long a planning may hold the lease (default: ``every``, at least 10 s)."""
    _told: tuple[str | None, datetime | None] | None = field(default=None, init=False, repr=False)

    def due(self, now: datetime) -> bool:
        """Is it time to plan, with no live lease held? (One read; takes nothing.)"""
        state = self.leases.state(PLAN)
        if self._recent(state, now):
            return False
        return state.holder is None or state.expires_at is None or state.expires_at <= now

    def run(self, now: datetime, body: Callable[[datetime], object]) -> bool:
        """Plan now if it is time and no other worker is planning; True when it did."""
        if self._recent(self.leases.state(PLAN), now):
            return False
        ttl = self.lease or max(self.every, MIN_LEASE)
        if not self.leases.acquire(PLAN, self.holder, now=now, ttl=ttl):
            held = self.leases.state(PLAN)
            if (held.holder, held.expires_at) != self._told:
                # Said once per lease, not at every look.
                self._told = (held.holder, held.expires_at)
                until = held.expires_at.isoformat(timespec="seconds") if held.expires_at else "?"
                log.info(
                    "another worker (%s) is planning, lease until %s; skipped", held.holder, until
                )
            return False
        finished: datetime | None = None
        try:
            # Another worker may have finished a planning between the look and the lease.
            if self._recent(self.leases.state(PLAN), now):
                return False
            body(now)
            finished = now
            return True
        finally:
            self.leases.release(PLAN, self.holder, done=finished)

    def _recent(self, state: LeaseState, now: datetime) -> bool:
        return state.last_done is not None and now - state.last_done < self.every - _SLACK


def overdue(state: LeaseState, now: datetime, every: timedelta) -> str | None:
    """A warning for ``status`` when no planning has finished for two intervals."""
    limit = max(every, MIN_LEASE) * 2
    if state.last_done is None:
        return None
    if now - state.last_done <= limit:
        return None
    ago = int((now - state.last_done).total_seconds() // 60)
    minutes = every.total_seconds() / 60
    interval = plural(int(minutes), "minute") if minutes.is_integer() else f"{minutes:g} minutes"
    holder = f"; the lease is held by {state.holder}" if state.holder else ""
    return (
        f"no planning has finished for {plural(ago, 'minute')} (the workers plan every "
        f"{interval}){holder}: check that a worker is running and look at its log"
    )

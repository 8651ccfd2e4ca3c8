"""Leases: which worker may run a periodic job now, and when the job last finished.

A lease is taken with one atomic statement (an insert that does nothing if the row is
there, else an update that only succeeds when the lease is free, expired or already
ours), so two workers on any number of machines never both hold it, on SQLite or
PostgreSQL. A worker killed while holding one loses it when ``expires_at`` passes: no
one has to clear it, and nothing clears it blindly at start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from distributor.store.tables import leases


@dataclass(frozen=True)
class LeaseState:
    holder: str | None
    expires_at: datetime | None
    last_done: datetime | None


def _utc(value: datetime) -> datetime:
    # Stored as naive UTC on SQLite; compared the same way on both databases.
    return value.astimezone(UTC).replace(tzinfo=None)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Leases:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def acquire(self, name: str, holder: str, *, now: datetime, ttl: timedelta) -> bool:
        """Take ``name`` for ``holder`` until ``now + ttl``; False while another holds it."""
        expires = _utc(now + ttl)
        values = {"name": name, "holder": holder, "expires_at": expires}
        insert = (postgresql if self.engine.dialect.name == "postgresql" else sqlite).insert
        with self.engine.begin() as conn:
            created = conn.execute(
                insert(leases).values(**values).on_conflict_do_nothing(index_elements=["name"])
            )
            if created.rowcount == 1:
                return True
            taken = conn.execute(
                update(leases)
                .where(
                    and_(
                        leases.c.name == name,
                        or_(
                            leases.c.holder.is_(None),
                            leases.c.holder == holder,
                            leases.c.expires_at.is_(None),
                            leases.c.expires_at <= _utc(now),
                        ),
                    )
                )
                .values(holder=holder, expires_at=expires)
            )
            return taken.rowcount == 1

    def release(self, name: str, holder: str, *, done: datetime | None = None) -> None:
        """Give ``name`` back (only if ``holder`` still holds it); ``done`` records when the
        job finished."""
        values: dict[str, object] = {"holder": None, "expires_at": None}
        if done is not None:
            values["last_done"] = _utc(done)
        with self.engine.begin() as conn:
            conn.execute(
                update(leases)
                .where(and_(leases.c.name == name, leases.c.holder == holder))
                .values(**values)
            )

    def state(self, name: str) -> LeaseState:
        with self.engine.connect() as conn:
            row = conn.execute(select(leases).where(leases.c.name == name)).first()
        if row is None:
            return LeaseState(None, None, None)
        return LeaseState(row.holder, _aware(row.expires_at), _aware(row.last_done))

"""The outbox: the SQL ledger that makes "exactly once" true.

Every delivery is a row written before any network call, keyed by a unique
idempotency key (channel + kind + subject + date). A row moves through::

    planned ──claim──▶ sending ──▶ sent
       ▲                  ├──────▶ failed      (permanent, or out of attempts)
       │  retry/backoff   ├──────▶ planned     (retryable: due again later)
       └──────────────────┴──────▶ uncertain   (may have been applied: the operator decides)
    held  (waiting for approval, held by hand, or too late to send unseen)
    cancelled

Claiming is atomic on both databases: PostgreSQL locks the chosen rows with
``SELECT … FOR UPDATE SKIP LOCKED`` so concurrent workers take disjoint rows;
SQLite takes the write lock up front with ``BEGIN IMMEDIATE``. Either way the
``UPDATE`` also requires ``state = 'planned'``, so a row can be claimed only once.

A row whose worker vanished while ``sending`` is never resent silently:
:meth:`Outbox.recover_stale_claims` turns it ``uncertain`` (or, by explicit policy
for harmless channels, back to ``planned``).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from distributor.errors import DistributorError
from distributor.models import Delivery, DeliveryKind, DeliveryState, SendResult
from distributor.settings import ScheduleSettings
from distributor.store.tables import deliveries

_UNSENT = (DeliveryState.PLANNED, DeliveryState.HELD, DeliveryState.FAILED)
_OPEN = (
    DeliveryState.PLANNED,
    DeliveryState.HELD,
    DeliveryState.FAILED,
    DeliveryState.UNCERTAIN,
)


EXPANDED_FROM = "expanded_from"
"""Payload key naming the row a child was expanded from."""
SHARED = "shared"
"""Detail key of an expanded row: the payload values all its children share, stored
once there rather than in each child (a digest's content in each of a thousand batch
rows is 50 MB to write, and to read back as they are claimed)."""


class OutboxError(DistributorError):
    """An operator asked for a transition the row's state does not allow."""


class ChangedSinceSeen(OutboxError):
    """An approval named content that is no longer what the delivery holds (or a
    delivery no longer waiting): nothing was approved."""


def payload_hash(payload: Mapping[str, object]) -> str:
    """The fingerprint an approval is bound to: the payload as it will be sent."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Record:
    """A delivery plus the ledger's bookkeeping, for status and the operator commands."""

    delivery: Delivery
    day: date | None
    scheduled_at: datetime
    hold_reason: str | None
    needs_approval: bool
    approved: bool
    approved_by: str | None
    claimed_by: str | None
    claimed_at: datetime | None
    sent_at: datetime | None
    detail: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    def as_dict(self, *, with_payload: bool = False) -> dict[str, Any]:
        d = self.delivery
        out: dict[str, Any] = {
            "id": d.id,
            "key": d.idempotency_key,
            "channel": d.channel,
            "kind": str(d.kind),
            "subject_id": d.subject_id,
            "day": self.day.isoformat() if self.day else None,
            "state": str(d.state),
            "hold_reason": self.hold_reason,
            "needs_approval": self.needs_approval,
            "approved": self.approved,
            "scheduled_at": self.scheduled_at.isoformat(),
            "due_at": d.due_at.isoformat(),
            "attempts": d.attempts,
            "parent_key": d.parent_key,
            "provider_id": d.provider_id,
            "last_error": d.last_error,
            "claimed_by": self.claimed_by,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "content_hash": d.content_hash,
        }
        if with_payload:
            out["payload"] = d.payload
            out["detail"] = self.detail
        return out


@dataclass
class PlanReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Content changed but the row has already gone (or is going): nothing is resent.
    too_late: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SocialUsage:
    today: int
    month: int
    threaded: frozenset[str]
    """Stories that already have a thread planned that day."""


# The two statements every batch of a fan-out runs, built once: building and keying an
# UPDATE costs more than the database takes to run it.
_MARK_SENT = (
    update(deliveries)
    .where(
        deliveries.c.id == bindparam("row"),
        deliveries.c.state.in_([str(DeliveryState.SENDING), str(DeliveryState.UNCERTAIN)]),
    )
    .values(
        state=str(DeliveryState.SENT),
        provider_id=bindparam("provider_id"),
        detail=bindparam("detail"),
        last_error=None,
        sent_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
)
_START = (
    update(deliveries)
    .where(
        deliveries.c.id == bindparam("row"),
        deliveries.c.state == str(DeliveryState.SENDING),
        deliveries.c.claimed_by == bindparam("worker"),
        deliveries.c.started_at.is_(None),
    )
    .values(started_at=bindparam("now"))
)


class Outbox:
    def __init__(
        self,
        engine: Engine,
        policy: ScheduleSettings | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.policy = policy or ScheduleSettings()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._shared: dict[str, dict[str, Any]] = {}

    # -- transactions -------------------------------------------------------------

    @property
    def _is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction that holds the write lock from its first statement.

        pysqlite would otherwise open a deferred transaction at the first write, after
        our reads, letting two workers read the same planned rows.
        """
        if not self._is_sqlite:
            with self.engine.begin() as conn:
                yield conn
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction of the outbox's kind, for a store that writes its own rows
        and plans a delivery with them (:meth:`plan_in`) all at once or not at all."""
        with self._write() as conn:
            yield conn

    def _insert(self) -> Any:
        if self._is_sqlite:
            return sqlite.insert(deliveries)
        return postgresql.insert(deliveries)

    # -- planning ---------------------------------------------------------------------

    def plan(self, batch: Iterable[Delivery], *, now: datetime | None = None) -> PlanReport:
        """Write intents. Idempotent: a key planned before is left alone unless its
        content changed while it is still unsent, in which case the new content
        replaces the old and any approval of the old content no longer counts.

        A delivery handed in with ``state=HELD`` needs an editor's approval.
        """
        report = PlanReport()
        with self._write() as conn:
            self._plan_on(conn, batch, _utc(now), report)
        return report

    def plan_in(
        self, conn: Connection, batch: Iterable[Delivery], *, now: datetime | None = None
    ) -> PlanReport:
        """:meth:`plan` in the caller's :meth:`transaction`."""
        report = PlanReport()
        self._plan_on(conn, batch, _utc(now), report)
        return report

    def _plan_on(
        self, conn: Connection, batch: Iterable[Delivery], now: datetime, report: PlanReport
    ) -> None:
        for d in batch:
            chash = d.content_hash or payload_hash(d.payload)
            row = conn.execute(
                select(deliveries).where(deliveries.c.idempotency_key == d.idempotency_key)
            ).first()
            if row is None:
                stmt = self._insert().values(**_new_row(d, d.payload, chash, now))
                stmt = stmt.on_conflict_do_nothing(index_elements=["idempotency_key"])
                result = conn.execute(stmt)
                (report.created if result.rowcount else report.unchanged).append(d.idempotency_key)
                continue
            if row.content_hash == chash:
                report.unchanged.append(d.idempotency_key)
                continue
            if row.state not in _UNSENT:
                report.too_late.append(d.idempotency_key)
                continue
            changes: dict[str, Any] = {
                "payload": _dumps(d.payload),
                "content_hash": chash,
                "subject_id": d.subject_id,
                "updated_at": now,
            }
            if row.needs_approval and row.state == DeliveryState.PLANNED:
                # Approved for the old words only: the new ones need their own approval.
                changes.update(state=str(DeliveryState.HELD), hold_reason="approval")
            conn.execute(update(deliveries).where(deliveries.c.id == row.id).values(**changes))
            report.updated.append(d.idempotency_key)

    # -- the worker's side ----------------------------------------------------------

    def claim_due(
        self,
        now: datetime,
        limit: int,
        worker_id: str,
        *,
        channels: Collection[str] | None = None,
    ) -> list[Delivery]:
        """Take up to ``limit`` due rows for ``worker_id``; no other worker gets them.

        Rows later than the staleness limit are held instead of claimed, and a thread
        post waits until the post it replies to is sent. ``channels`` limits the claim
        to the channels this worker can deliver.
        """
        now = _utc(now)
        with self._write() as conn:
            self._hold_stale(conn, now)
            parent = deliveries.alias("parent")
            parent_sent = exists().where(
                parent.c.idempotency_key == deliveries.c.parent_key,
                parent.c.state == str(DeliveryState.SENT),
            )
            query = (
                select(deliveries.c.id)
                .where(
                    deliveries.c.state == str(DeliveryState.PLANNED),
                    deliveries.c.due_at <= now,
                    or_(deliveries.c.parent_key.is_(None), parent_sent),
                )
                .order_by(deliveries.c.due_at, deliveries.c.id)
                .limit(limit)
            )
            if channels is not None:
                query = query.where(deliveries.c.channel.in_(sorted(channels)))
            if not self._is_sqlite:
                query = query.with_for_update(skip_locked=True, of=deliveries)
            ids = list(conn.execute(query).scalars())
            if not ids:
                return []
            conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.id.in_(ids),
                    deliveries.c.state == str(DeliveryState.PLANNED),
                )
                .values(
                    state=str(DeliveryState.SENDING),
                    claimed_by=worker_id,
                    claimed_at=now,
                    started_at=None,
                    attempts=deliveries.c.attempts + 1,
                    updated_at=now,
                )
            )
            rows = conn.execute(
                select(deliveries)
                .where(
                    deliveries.c.id.in_(ids),
                    deliveries.c.claimed_by == worker_id,
                    deliveries.c.state == str(DeliveryState.SENDING),
                )
                .order_by(deliveries.c.due_at, deliveries.c.id)
            ).all()
        return [self._delivery(r) for r in rows]

    def _hold_stale(self, conn: Connection, now: datetime) -> None:
        minutes = self.policy.stale_after_minutes
        if not minutes:
            return
        cutoff = now - timedelta(minutes=minutes)
        conn.execute(
            update(deliveries)
            .where(
                deliveries.c.state == str(DeliveryState.PLANNED),
                deliveries.c.scheduled_at < cutoff,
                # A preview only writes local files for editors, and a confirmation is
                # awaited by the reader who asked for it: late is still useful.
                deliveries.c.kind.notin_(
                    [str(DeliveryKind.PREVIEW), str(DeliveryKind.CONFIRMATION)]
                ),
            )
            .values(
                state=str(DeliveryState.HELD),
                hold_reason="stale",
                last_error=f"more than {minutes} minutes late; held rather than sent stale "
                "(release it to send anyway)",
                updated_at=now,
            )
        )

    def parent_of(self, delivery: Delivery) -> Delivery | None:
        if delivery.parent_key is None:
            return None
        return self.get_by_key(delivery.parent_key)

    def mark_sent(
        self, delivery_id: int, result: SendResult, *, now: datetime | None = None
    ) -> bool:
        """Record a confirmed send. Also accepted from ``uncertain``: a late answer that
        the provider did apply it settles the doubt."""
        values = {
            "row": delivery_id,
            "provider_id": result.provider_id,
            "detail": _dumps(result.detail),
            "now": _utc(now),
        }
        with self.engine.begin() as conn:
            return bool(conn.execute(_MARK_SENT, values).rowcount)

    def mark_failed(
        self,
        delivery_id: int,
        error: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        now: datetime | None = None,
    ) -> DeliveryState:
        """A request that clearly did not go through: due again after a backoff while
        attempts remain and the error is retryable, else ``failed`` with the message."""
        now = _utc(now)
        with self._write() as conn:
            row = conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)).first()
            if row is None or row.state != DeliveryState.SENDING:
                return DeliveryState(row.state) if row is not None else DeliveryState.CANCELLED
            if retryable and row.attempts < self.policy.max_attempts:
                delay = self.backoff(row.attempts, retry_after)
                state = DeliveryState.PLANNED
                values: dict[str, Any] = {
                    "due_at": now + timedelta(seconds=delay),
                    "started_at": None,
                }
            else:
                state = DeliveryState.FAILED
                values = {}
                if retryable:
                    error = f"gave up after {row.attempts} attempts: {error}"
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(state=str(state), last_error=error, updated_at=now, **values)
            )
        return state

    def backoff(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait before the next attempt: exponential, capped, with jitter
        (half fixed, half random) so that workers hit by one outage do not return in
        step; never sooner than the provider's ``retry_after``."""
        p = self.policy
        ceiling = min(p.backoff_cap_seconds, p.backoff_base_seconds * 2 ** max(attempts - 1, 0))
        delay = float(ceiling / 2 + self._rng.uniform(0, ceiling / 2))
        if retry_after is not None:
            delay = max(delay, retry_after)
        return delay

    def mark_uncertain(self, delivery_id: int, error: str, *, now: datetime | None = None) -> bool:
        return self._transition(
            delivery_id,
            (DeliveryState.SENDING,),
            DeliveryState.UNCERTAIN,
            now,
            last_error=error,
        )

    def unclaim(self, delivery_id: int, *, now: datetime | None = None) -> bool:
        """Give a claimed row back untouched (shutdown, or a channel that is not ready)."""
        return self._transition(
            delivery_id,
            (DeliveryState.SENDING,),
            DeliveryState.PLANNED,
            now,
            attempts=deliveries.c.attempts - 1,
            claimed_by=None,
            claimed_at=None,
            started_at=None,
        )

    def expand(
        self, delivery_id: int, children: Sequence[Delivery], *, now: datetime | None = None
    ) -> PlanReport:
        """Replace one claimed row by the rows it fans out into, in one transaction: a
        crash leaves either the parent to expand again or all the children planned.

        The payload values every child shares are stored once, in the parent's detail,
        and each child holds only its own (rows read from the outbox have both again).
        The children are written in one statement; any already planned (an expansion
        repeated) are left as they are.
        """
        now = _utc(now)
        report = PlanReport()
        keys = [c.idempotency_key for c in children]
        shared = _shared_part([c.payload for c in children])
        shared_hash = payload_hash(shared) if shared else None
        with self._write() as conn:
            parent = self._row(conn, delivery_id)
            existing = self._existing_keys(conn, keys)
            rows: list[dict[str, Any]] = []
            for c in children:
                if c.idempotency_key in existing:
                    report.unchanged.append(c.idempotency_key)
                    continue
                # Marked, so that a child is never itself expanded again.
                # (Stored in the payload, which has no column for it.)
                own = {k: v for k, v in c.payload.items() if k not in shared}
                own[EXPANDED_FROM] = parent.idempotency_key
                chash = c.content_hash or payload_hash(
                    {**own, SHARED: shared_hash} if shared_hash else own
                )
                rows.append(_new_row(c, own, chash, now))
                report.created.append(c.idempotency_key)
            if rows:
                insert = self._insert().on_conflict_do_nothing(index_elements=["idempotency_key"])
                conn.execute(insert, rows)
            conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.id == delivery_id,
                    deliveries.c.state == str(DeliveryState.SENDING),
                )
                .values(
                    state=str(DeliveryState.SENT),
                    detail=_dumps({"expanded_into": keys, SHARED: shared}),
                    sent_at=now,
                    updated_at=now,
                )
            )
        return report

    def _existing_keys(self, conn: Connection, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        key = deliveries.c.idempotency_key
        for start in range(0, len(keys), 500):  # within every database's bound parameters
            chunk = keys[start : start + 500]
            found.update(conn.execute(select(key).where(key.in_(chunk))).scalars())
        return found

    def start(self, delivery_id: int, worker_id: str, *, now: datetime | None = None) -> bool:
        """Note that the request is about to leave. False: the claim is no longer ours
        (it was recovered and perhaps claimed by another worker), so do not send."""
        values = {"row": delivery_id, "worker": worker_id, "now": _utc(now)}
        with self.engine.begin() as conn:
            return bool(conn.execute(_START, values).rowcount)

    def recover_stale_claims(self, now: datetime | None = None) -> list[Delivery]:
        """Rows left ``sending`` longer than the claim timeout: their worker is gone.

        A claim whose request never started goes back to ``planned``: nothing left.
        One whose request started may have reached the provider, so by default it
        becomes ``uncertain`` for the operator; never resent without someone deciding.
        Returns the rows made uncertain (or, by policy, released after starting).
        """
        now = _utc(now)
        cutoff = now - timedelta(seconds=self.policy.claim_timeout_seconds)
        release = self.policy.stale_claim_policy == "release"
        sending = deliveries.c.state == str(DeliveryState.SENDING)
        back = {
            "state": str(DeliveryState.PLANNED),
            "claimed_by": None,
            "claimed_at": None,
            "started_at": None,
            "updated_at": now,
        }
        with self._write() as conn:
            conn.execute(
                update(deliveries)
                .where(
                    sending,
                    deliveries.c.started_at.is_(None),
                    deliveries.c.claimed_at < cutoff,
                )
                .values(attempts=deliveries.c.attempts - 1, **back)
            )
            rows = conn.execute(
                select(deliveries).where(sending, deliveries.c.started_at < cutoff)
            ).all()
            for row in rows:
                message = (
                    f"worker {row.claimed_by} started sending this at "
                    f"{_aware(row.started_at)} and never reported back; the request may "
                    "have been sent"
                )
                values: dict[str, Any] = {"last_error": message, "updated_at": now}
                if release:
                    values.update(back, due_at=now)
                else:
                    values["state"] = str(DeliveryState.UNCERTAIN)
                conn.execute(
                    update(deliveries).where(deliveries.c.id == row.id, sending).values(**values)
                )
            fresh = conn.execute(
                select(deliveries).where(deliveries.c.id.in_([r.id for r in rows]))
            ).all()
        return [self._delivery(r) for r in fresh]

    # -- the operator's side --------------------------------------------------------

    def hold(self, delivery_id: int, *, now: datetime | None = None) -> None:
        self._require(
            delivery_id,
            (DeliveryState.PLANNED, DeliveryState.FAILED, DeliveryState.UNCERTAIN),
            DeliveryState.HELD,
            now,
            "hold",
            hold_reason="manual",
        )

    def release(self, delivery_id: int, *, now: datetime | None = None) -> DeliveryState:
        """A held row goes (now, if it was held for being late); one still waiting for
        approval of its current content stays held."""
        now = _utc(now)
        with self._write() as conn:
            row = self._row(conn, delivery_id)
            if row.state != DeliveryState.HELD:
                raise OutboxError(f"delivery {delivery_id} is {row.state}, not held")
            waiting = bool(row.needs_approval) and row.approved_hash != row.content_hash
            values: dict[str, Any] = {"updated_at": now, "last_error": None}
            if waiting:
                values.update(hold_reason="approval")
                state = DeliveryState.HELD
            else:
                values.update(state=str(DeliveryState.PLANNED), hold_reason=None)
                state = DeliveryState.PLANNED
            if row.hold_reason == "stale" or _utc(_aware(row.due_at)) < now:
                # Released by hand after its time: due now, and not held as late again.
                values.update(scheduled_at=now, due_at=now)
            conn.execute(update(deliveries).where(deliveries.c.id == row.id).values(**values))
        return state

    def cancel(self, delivery_id: int, *, now: datetime | None = None) -> None:
        self._require(delivery_id, _OPEN, DeliveryState.CANCELLED, now, "cancel", hold_reason=None)

    def retry(self, delivery_id: int, *, now: datetime | None = None) -> None:
        """The operator's decision that a failed, uncertain or cancelled row goes again."""
        now = _utc(now)
        self._require(
            delivery_id,
            (DeliveryState.FAILED, DeliveryState.UNCERTAIN, DeliveryState.CANCELLED),
            DeliveryState.PLANNED,
            now,
            "retry",
            attempts=0,
            due_at=now,
            scheduled_at=now,
            claimed_by=None,
            claimed_at=None,
            started_at=None,
            hold_reason=None,
        )

    def settle_sent(
        self,
        delivery_id: int,
        provider_id: str | None,
        *,
        by: str = "operator",
        now: datetime | None = None,
    ) -> None:
        """The operator's word that an uncertain, failed or cancelled delivery did go out
        (seen on the provider): recorded as sent with the provider's id, so a thread goes
        on replying to it and nothing sends it again."""
        now = _utc(now)
        settled = (DeliveryState.UNCERTAIN, DeliveryState.FAILED, DeliveryState.CANCELLED)
        with self._write() as conn:
            row = self._row(conn, delivery_id)
            if row.state not in [str(s) for s in settled]:
                allowed = ", ".join(str(s) for s in settled)
                raise OutboxError(
                    f"cannot mark delivery {delivery_id} as sent: it is {row.state} (only "
                    f"{allowed} can be)"
                )
            waiting = conn.execute(
                select(func.count())
                .select_from(deliveries)
                .where(
                    deliveries.c.parent_key == row.idempotency_key,
                    deliveries.c.state.in_([str(s) for s in _OPEN]),
                )
            ).scalar()
            if waiting and not provider_id:
                raise OutboxError(
                    f"delivery {delivery_id} has {waiting} repl{'y' if waiting == 1 else 'ies'} "
                    f"waiting to be posted under it: give --provider-id, its id on "
                    f"{row.channel} (see `distributor outbox show {delivery_id} --lookup`)"
                )
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(
                    state=str(DeliveryState.SENT),
                    provider_id=provider_id,
                    detail=_dumps({"settled_by": by, "previous_state": row.state}),
                    last_error=None,
                    hold_reason=None,
                    claimed_by=None,
                    sent_at=now,
                    updated_at=now,
                )
            )

    def approve(
        self,
        *,
        ids: Sequence[int] = (),
        kind: DeliveryKind | str | None = None,
        day: date | None = None,
        subject_id: str | None = None,
        channel: str | None = None,
        seen: Mapping[int, str] | None = None,
        by: str = "",
        now: datetime | None = None,
    ) -> list[Record]:
        """Approve the current content of the matching rows that need approval.

        The approval records the content hash: if the content changes afterwards
        (:meth:`plan` with new words), the row is held again. ``seen`` (outbox id ->
        the content hash the editor looked at) approves exactly those rows, and only
        if each still holds that content and still waits: otherwise nothing is approved
        and :class:`ChangedSinceSeen` says which changed.
        """
        now = _utc(now)
        if seen is not None:
            if not seen:
                return []
            ids = [*ids, *seen]
        conds = [deliveries.c.needs_approval == 1]
        conds.append(deliveries.c.state.in_([str(s) for s in _UNSENT]))
        if ids:
            conds.append(deliveries.c.id.in_(list(ids)))
        if kind is not None:
            conds.append(deliveries.c.kind == str(kind))
        if day is not None:
            conds.append(deliveries.c.day == day)
        if subject_id is not None:
            conds.append(deliveries.c.subject_id == subject_id)
        if channel is not None:
            conds.append(deliveries.c.channel == channel)
        with self._write() as conn:
            rows = conn.execute(select(deliveries).where(and_(*conds))).all()
            if seen is not None:
                _check_seen(conn, rows, seen)
            for row in rows:
                values: dict[str, Any] = {
                    "approved_hash": row.content_hash,
                    "approved_by": by or None,
                    "updated_at": now,
                }
                if row.state == DeliveryState.HELD and row.hold_reason == "approval":
                    values.update(state=str(DeliveryState.PLANNED), hold_reason=None)
                conn.execute(update(deliveries).where(deliveries.c.id == row.id).values(**values))
            ids_done = [r.id for r in rows]
            fresh = conn.execute(select(deliveries).where(deliveries.c.id.in_(ids_done))).all()
        return [self._record(r) for r in fresh]

    # -- queries --------------------------------------------------------------------

    def get(self, delivery_id: int) -> Record | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)).first()
        return self._record(row) if row else None

    def get_by_key(self, key: str) -> Delivery | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(deliveries).where(deliveries.c.idempotency_key == key)
            ).first()
        return self._delivery(row) if row else None

    def bring_forward(self, key: str, now: datetime) -> bool:
        """Make a planned row due at ``now`` (an edition sent by hand before its time);
        a held one stays held, a sent one is left alone."""
        now = _utc(now)
        stmt = (
            update(deliveries)
            .where(
                deliveries.c.idempotency_key == key,
                deliveries.c.state.in_([str(DeliveryState.PLANNED), str(DeliveryState.HELD)]),
                deliveries.c.due_at > now,
            )
            .values(due_at=now, scheduled_at=now, updated_at=now)
        )
        with self.engine.begin() as conn:
            return bool(conn.execute(stmt).rowcount)

    def last_edition(self, channel: str, before: date) -> Delivery | None:
        """The latest digest row planned on ``channel`` for a day before ``before`` (any
        state: what was planned is what that edition covered)."""
        query = (
            select(deliveries)
            .where(
                deliveries.c.channel == channel,
                deliveries.c.kind == str(DeliveryKind.DIGEST),
                deliveries.c.day < before,
            )
            .order_by(deliveries.c.day.desc(), deliveries.c.id)
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return self._delivery(row) if row else None

    def records(
        self,
        *,
        states: Sequence[DeliveryState | str] = (),
        day: date | None = None,
        channel: str | None = None,
        kind: str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[Record]:
        query = select(deliveries).order_by(deliveries.c.due_at, deliveries.c.id)
        if states:
            query = query.where(deliveries.c.state.in_([str(s) for s in states]))
        if day is not None:
            query = query.where(deliveries.c.day == day)
        if channel is not None:
            query = query.where(deliveries.c.channel == channel)
        if kind is not None:
            query = query.where(deliveries.c.kind == kind)
        if since is not None:
            query = query.where(deliveries.c.updated_at >= _utc(since))
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [self._record(r) for r in rows]

    def counts(self, *, day: date | None = None) -> dict[str, dict[str, int]]:
        """``{channel: {state: n}}``, for one day or for everything."""
        query = select(deliveries.c.channel, deliveries.c.state, func.count()).group_by(
            deliveries.c.channel, deliveries.c.state
        )
        if day is not None:
            query = query.where(deliveries.c.day == day)
        out: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for channel, state, n in conn.execute(query).all():
                out.setdefault(channel, {})[state] = int(n)
        return out

    def social_usage(self, channel: str, day: date) -> SocialUsage:
        """What ``channel`` has used of its posting budget on ``day`` and in its month.

        Every planned post counts (cancelled ones do not): a post in the outbox is a
        post that will be paid for, sent yet or not.
        """
        kinds = (str(DeliveryKind.THREAD_POST), str(DeliveryKind.ROUNDUP))
        base = (
            deliveries.c.channel == channel,
            deliveries.c.kind.in_(kinds),
            deliveries.c.state != str(DeliveryState.CANCELLED),
        )
        month_start = day.replace(day=1)
        with self.engine.connect() as conn:
            month = conn.execute(
                select(func.count()).where(
                    *base, deliveries.c.day >= month_start, deliveries.c.day <= day
                )
            ).scalar_one()
            rows = conn.execute(
                select(deliveries.c.kind, deliveries.c.subject_id).where(
                    *base, deliveries.c.day == day
                )
            ).all()
        threaded = {r.subject_id for r in rows if r.kind == str(DeliveryKind.THREAD_POST)}
        return SocialUsage(today=len(rows), month=int(month), threaded=frozenset(threaded))

    def next_due(self, *, after: datetime | None = None, untried: bool = False) -> datetime | None:
        """When the next planned row falls due: the first one later than ``after``, and
        with ``untried``, only among rows not attempted yet (a retry's time is a
        backoff, "not before", rather than an appointment)."""
        query = select(func.min(deliveries.c.due_at)).where(
            deliveries.c.state == str(DeliveryState.PLANNED)
        )
        if after is not None:
            query = query.where(deliveries.c.due_at > _utc(after))
        if untried:
            query = query.where(deliveries.c.attempts == 0)
        with self.engine.connect() as conn:
            value = conn.execute(query).scalar()
        return _aware(value)

    def claims_unstarted(self, *, since: datetime) -> bool:
        """Whether some worker claimed rows at or after ``since`` and has not started
        them yet: a digest being expanded into its batches, or a batch of claims being
        worked through. More work can appear from these at any moment."""
        query = (
            select(deliveries.c.id)
            .where(
                deliveries.c.state == str(DeliveryState.SENDING),
                deliveries.c.started_at.is_(None),
                deliveries.c.claimed_at >= _utc(since),
            )
            .limit(1)
        )
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    # -- helpers --------------------------------------------------------------------

    def _delivery(self, row: Row[Any]) -> Delivery:
        """A row as a delivery; a child of an expanded row gets the values it shares
        with its siblings back from the parent."""
        d = _delivery(row)
        if d.expanded_from is None:
            return d
        shared = self._shared_of(d.expanded_from)
        return replace(d, payload={**shared, **d.payload}) if shared else d

    def _record(self, row: Row[Any]) -> Record:
        return _record(row, self._delivery(row))

    def _shared_of(self, parent_key: str) -> dict[str, Any]:
        # A parent's shared values never change once it is expanded: read once per
        # outbox (a round), not once per batch row.
        found = self._shared.get(parent_key)
        if found is None:
            with self.engine.connect() as conn:
                detail = conn.execute(
                    select(deliveries.c.detail).where(deliveries.c.idempotency_key == parent_key)
                ).scalar()
            value = json.loads(detail).get(SHARED) if detail else None
            found = value if isinstance(value, dict) else {}
            if len(self._shared) >= 16:
                self._shared.clear()
            self._shared[parent_key] = found
        return found

    def _row(self, conn: Connection, delivery_id: int) -> Row[Any]:
        row = conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)).first()
        if row is None:
            raise OutboxError(f"no delivery with id {delivery_id}; see `distributor outbox list`")
        return row

    def _transition(
        self,
        delivery_id: int,
        sources: Sequence[DeliveryState],
        target: DeliveryState,
        now: datetime | None,
        **values: Any,
    ) -> bool:
        stmt = (
            update(deliveries)
            .where(
                deliveries.c.id == delivery_id,
                deliveries.c.state.in_([str(s) for s in sources]),
            )
            .values(state=str(target), updated_at=_utc(now), **values)
        )
        with self.engine.begin() as conn:
            return bool(conn.execute(stmt).rowcount)

    def _require(
        self,
        delivery_id: int,
        sources: Sequence[DeliveryState],
        target: DeliveryState,
        now: datetime | None,
        verb: str,
        **values: Any,
    ) -> None:
        if self._transition(delivery_id, sources, target, now, **values):
            return
        with self.engine.connect() as conn:
            row = self._row(conn, delivery_id)
        allowed = ", ".join(str(s) for s in sources)
        raise OutboxError(
            f"cannot {verb} delivery {delivery_id}: it is {row.state} (only {allowed} can be)"
        )


def _check_seen(conn: Connection, rows: Sequence[Row[Any]], seen: Mapping[int, str]) -> None:
    """Refuse an approval of content the editor did not see (see :meth:`Outbox.approve`)."""
    waiting = {r.id: r for r in rows}
    problems: list[str] = []
    for delivery_id, content in seen.items():
        row = waiting.get(delivery_id)
        if row is None:
            found = conn.execute(
                select(deliveries.c.state).where(deliveries.c.id == delivery_id)
            ).first()
            problems.append(
                f"delivery {delivery_id} is no longer waiting for approval "
                f"({found.state if found else 'it is gone'})"
            )
        elif row.content_hash != content:
            key = row.idempotency_key
            problems.append(f"delivery {delivery_id} ({key}) changed since it was shown")
    if problems:
        raise ChangedSinceSeen(
            "; ".join(problems) + ". Nothing was approved: look at it again, then approve it"
        )


def _utc(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: the outbox needs aware times")
    return value.astimezone(UTC)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _day_of(d: Delivery) -> date | None:
    if d.day is not None:
        return d.day
    raw = d.payload.get("day")  # rows built before ``Delivery.day``
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return None
    return None


def _new_row(d: Delivery, payload: Mapping[str, Any], chash: str, now: datetime) -> dict[str, Any]:
    """The columns of a new row planning ``d`` with ``payload``."""
    needs = d.state == DeliveryState.HELD
    due = _utc(d.due_at)
    return {
        "idempotency_key": d.idempotency_key,
        "channel": d.channel,
        "kind": str(d.kind),
        "subject_id": d.subject_id,
        "day": _day_of(d),
        "payload": _dumps(payload),
        "content_hash": chash,
        "state": str(DeliveryState.HELD if needs else DeliveryState.PLANNED),
        "hold_reason": "approval" if needs else None,
        "needs_approval": 1 if needs else 0,
        "scheduled_at": due,
        "due_at": due,
        "attempts": 0,
        "parent_key": d.parent_key,
        "created_at": now,
        "updated_at": now,
    }


def _shared_part(payloads: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The keys whose values are the same in every payload (none for fewer than two)."""
    if len(payloads) < 2:
        return {}
    first, rest = payloads[0], payloads[1:]
    missing = object()
    return {
        k: v
        for k, v in first.items()
        if k != EXPANDED_FROM and all(p.get(k, missing) == v for p in rest)
    }


def _delivery(row: Row[Any]) -> Delivery:
    due = _aware(row.due_at)
    assert due is not None
    payload = json.loads(row.payload)
    return Delivery(
        id=row.id,
        channel=row.channel,
        kind=DeliveryKind(row.kind),
        idempotency_key=row.idempotency_key,
        due_at=due,
        payload=payload,
        subject_id=row.subject_id,
        content_hash=row.content_hash,
        state=DeliveryState(row.state),
        attempts=row.attempts,
        provider_id=row.provider_id,
        last_error=row.last_error,
        parent_key=row.parent_key,
        day=row.day,
        expanded_from=payload.get(EXPANDED_FROM),
    )


def _record(row: Row[Any], delivery: Delivery) -> Record:
    scheduled = _aware(row.scheduled_at)
    created = _aware(row.created_at)
    updated = _aware(row.updated_at)
    assert scheduled is not None and created is not None and updated is not None
    return Record(
        delivery=delivery,
        day=row.day,
        scheduled_at=scheduled,
        hold_reason=row.hold_reason,
        needs_approval=bool(row.needs_approval),
        approved=bool(row.needs_approval) and row.approved_hash == row.content_hash,
        approved_by=row.approved_by,
        claimed_by=row.claimed_by,
        claimed_at=_aware(row.claimed_at),
        sent_at=_aware(row.sent_at),
        detail=json.loads(row.detail) if row.detail else {},
        created_at=created,
        updated_at=updated,
    )

"""Sign-ups and their confirmations: the consent records, and what they do to a reader.

A sign-up (:meth:`ConsentStore.request`) that should be confirmed writes, in one
transaction, the reader (``pending`` when new), a consent record with a random
reference, and the confirmation email's outbox row: either all of them are stored or
none, and the email goes out through the outbox once. A reader who is ``active``,
``bounced`` or ``complained`` is left exactly as they are and nothing is written.

A confirmation (:meth:`ConsentStore.confirm`) makes the reader ``active`` only when
their status has not changed since the sign-up it confirms: a link from before an
unsubscribe, a complaint or an earlier confirmation confirms nothing.
"""

from __future__ import annotations

import csv
import enum
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from distributor.models import Delivery, Status
from distributor.store.outbox import Outbox
from distributor.store.subscribers import spreadsheet_safe, topics_key
from distributor.store.tables import consents, subscribers

CSV_FIELDS = (
    "email",
    "source",
    "wording",
    "name",
    "topics",
    "requested_at",
    "requested_ip",
    "confirmed_at",
    "confirmed_ip",
)

CONFIRMABLE = (Status.PENDING, Status.UNSUBSCRIBED, Status.PAUSED)
"""The statuses a sign-up sends a confirmation email to, and a confirmation makes active.
``active`` needs none; ``bounced`` and ``complained`` are never written to again from
the form."""

EmailFor = Callable[[int, str], Delivery]
"""The confirmation email's outbox row for a consent record's id and reference."""


@dataclass(frozen=True, slots=True)
class SignUp:
    """One sign-up as the form took it (the address already checked and normalised)."""

    email: str
    name: str
    topics: tuple[str, ...]
    source: str
    wording: str
    ip: str | None
    """The client's address as ``[signup] record_ip`` keeps it, or None."""


class Confirmed(enum.Enum):
    CONFIRMED = "confirmed"
    """The reader is active from now on."""
    ALREADY = "already"
    """The link was used before, and the reader is still active."""
    STALE = "stale"
    """The reader's status changed since the sign-up (or it was confirmed, and the
    reader has left since): nothing changed."""
    UNKNOWN = "unknown"
    """No consent record has that reference."""


class ConsentStore:
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self.engine = outbox.engine

    def request(self, signup: SignUp, email: EmailFor, *, now: datetime | None = None) -> bool:
        """Record ``signup`` and plan its confirmation email (``email``'s row), when the
        reader should get one; returns whether they do."""
        stamp = now or datetime.now(UTC)
        with self.outbox.transaction() as conn:
            reader = self._reader(conn, signup, stamp)
            if Status(reader.status) not in CONFIRMABLE:
                return False
            reference = secrets.token_urlsafe(24)
            consent_id = conn.execute(
                consents.insert()
                .values(
                    subscriber_id=reader.id,
                    reference=reference,
                    source=signup.source[:255],
                    wording=signup.wording,
                    name=signup.name,
                    topics=topics_key(signup.topics),
                    requested_at=stamp,
                    requested_ip=signup.ip,
                )
                .returning(consents.c.id)
            ).scalar_one()
            self.outbox.plan_in(conn, [email(int(consent_id), reference)], now=stamp)
        return True

    def _reader(self, conn: Connection, signup: SignUp, now: datetime) -> Any:
        """The reader at ``signup.email``, added as ``pending`` when unknown."""
        insert = (sqlite.insert if self.engine.dialect.name == "sqlite" else postgresql.insert)(
            subscribers
        )
        conn.execute(
            insert.values(
                email=signup.email,
                name=signup.name,
                status=Status.PENDING.value,
                topics=topics_key(signup.topics),
                source=signup.source[:255],
                token=secrets.token_urlsafe(18),
                created_at=now,
                updated_at=now,
                status_changed_at=now,
                status_reason="signed up",
            ).on_conflict_do_nothing(index_elements=["email"])
        )
        return conn.execute(
            select(subscribers.c.id, subscribers.c.status).where(
                subscribers.c.email == signup.email
            )
        ).one()

    def confirm(
        self, reference: str, *, ip: str | None = None, now: datetime | None = None
    ) -> Confirmed:
        """Confirm the sign-up whose link carries ``reference``."""
        stamp = now or datetime.now(UTC)
        with self.outbox.transaction() as conn:
            consent = conn.execute(
                select(consents).where(consents.c.reference == reference)
            ).first()
            if consent is None:
                return Confirmed.UNKNOWN
            reader = conn.execute(
                select(subscribers).where(subscribers.c.id == consent.subscriber_id)
            ).one()
            status = Status(reader.status)
            if consent.confirmed_at is not None:
                return Confirmed.ALREADY if status is Status.ACTIVE else Confirmed.STALE
            changed = _aware(reader.status_changed_at or reader.created_at)
            if status not in CONFIRMABLE or changed > _aware(consent.requested_at):
                return Confirmed.STALE
            values: dict[str, Any] = {
                "status": Status.ACTIVE.value,
                "status_changed_at": stamp,
                "status_reason": "confirmed sign-up",
                "topics": consent.topics,
                "updated_at": stamp,
            }
            if consent.name:
                values["name"] = consent.name
            conn.execute(subscribers.update().where(subscribers.c.id == reader.id).values(**values))
            conn.execute(
                consents.update()
                .where(consents.c.id == consent.id)
                .values(confirmed_at=stamp, confirmed_ip=ip)
            )
        return Confirmed.CONFIRMED

    def export_csv(self, fh: TextIO) -> int:
        """Write every consent record, oldest first, with its reader's address, as CSV;
        returns the count."""
        writer = csv.writer(fh)
        writer.writerow(CSV_FIELDS)
        n, after = 0, 0
        while True:
            with self.engine.connect() as conn:
                page: Sequence[Any] = conn.execute(
                    select(consents, subscribers.c.email)
                    .join(subscribers, subscribers.c.id == consents.c.subscriber_id)
                    .where(consents.c.id > after)
                    .order_by(consents.c.id)
                    .limit(1000)
                ).all()
            if not page:
                return n
            for r in page:
                writer.writerow(
                    [
                        spreadsheet_safe(r.email),
                        spreadsheet_safe(r.source),
                        spreadsheet_safe(r.wording),
                        spreadsheet_safe(r.name),
                        ";".join(t for t in r.topics.split(",") if t),
                        _aware(r.requested_at).isoformat(),
                        r.requested_ip or "",
                        _aware(r.confirmed_at).isoformat() if r.confirmed_at else "",
                        r.confirmed_ip or "",
                    ]
                )
            n += len(page)
            after = page[-1].id


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value

"""What `distributor status` reports: the day's deliveries by channel and state, what
needs a person, what changed lately, when the next is due, how planning is doing, and
whether a recent edition is over the mailbox providers' limits (complaints, bounces).

Gathered here, once, for the text and the JSON views of the command (and for any
monitor that imports it); the command only prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from distributor.models import DeliveryState
from distributor.schedule.planning import PLAN, overdue
from distributor.schedule.report import MailReport, recent_mail
from distributor.settings import Settings
from distributor.store.leases import Leases, LeaseState
from distributor.store.outbox import Outbox, Record

NEEDS_A_PERSON = (DeliveryState.FAILED, DeliveryState.UNCERTAIN, DeliveryState.HELD)


@dataclass(frozen=True)
class DayStatus:
    day: date
    counts: dict[str, dict[str, int]]
    """Deliveries of the day by channel and state."""
    due_now: list[int]
    next_due: datetime | None
    attention: list[Record]
    """Failed, uncertain and held deliveries of any day."""
    recent: list[Record]
    """What changed in the last 24 hours."""
    planning: LeaseState
    stalled: str | None
    """Why planning looks stuck, if it does."""
    mail: MailReport
    """The editions of the last days, with any over the bulk-sender limits."""

    @property
    def alarming(self) -> bool:
        """Anything a monitor should page about: a stall, a failed or uncertain row
        (held rows wait for an editor, not for an operator), or an edition over the
        mailbox providers' complaint or hard-bounce limit."""
        held = DeliveryState.HELD
        return (
            bool(self.stalled)
            or any(r.delivery.state != held for r in self.attention)
            or bool(self.mail.warnings)
        )

    def as_dict(self) -> dict[str, Any]:
        planning = self.planning
        return {
            "day": self.day.isoformat(),
            "channels": self.counts,
            "due_now": self.due_now,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "needs_attention": [r.as_dict() for r in self.attention],
            "recent": [r.as_dict() for r in self.recent],
            "planning": {
                "last_done": planning.last_done.isoformat() if planning.last_done else None,
                "holder": planning.holder,
                "held_until": planning.expires_at.isoformat() if planning.expires_at else None,
                "warning": self.stalled,
            },
            "mail": self.mail.as_dict(),
        }


def day_status(box: Outbox, settings: Settings, day: date, now: datetime) -> DayStatus:
    planning = Leases(box.engine).state(PLAN)
    return DayStatus(
        day=day,
        counts=box.counts(day=day),
        due_now=[
            r.delivery.id
            for r in box.records(states=[DeliveryState.PLANNED], day=day)
            if r.delivery.due_at <= now and r.delivery.id is not None
        ],
        next_due=box.next_due(),
        attention=box.records(states=NEEDS_A_PERSON),
        recent=box.records(since=now - timedelta(hours=24)),
        planning=planning,
        stalled=overdue(planning, now, timedelta(minutes=settings.schedule.plan_minutes)),
        mail=recent_mail(box.engine, settings, day),
    )

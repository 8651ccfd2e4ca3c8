"""What was read: each edition's figures, its rates against the mailbox providers'
bulk-sender limits, and its stories' clicks; for ``distributor report`` and for the
mail warnings of ``distributor status`` alike.

The counts come from :mod:`distributor.store.editions`; everything here is computed
from them. The figures, per edition (a digest day):

- **sent**: recipients of the edition's batches recorded sent;
- **delivered**: readers with a ``delivered`` event; when the webhook sent none for the
  edition (Delivered not ticked in SendGrid), sent less bounced and dropped, marked as
  estimated;
- **opened**, **clicked**: readers with an ``open`` event, and with a ``click`` on
  anything but the unsubscribe and preferences links;
- **bounced**: readers with a hard bounce (``bounce`` of type "bounce"); **dropped**:
  readers SendGrid did not send to (already on a suppression list, say);
- **complained**: readers who reported it as spam (``spamreport``);
- **unsubscribed**: readers who left through its unsubscribe link (the link carries the
  edition's day) or by SendGrid's ``unsubscribe``/``group_unsubscribe``, once each.

Rates: complaints over delivered, hard bounces over sent, opens and clicks over
delivered. An edition warns when its complaint rate is over :data:`COMPLAINT_LIMIT`
(0.1 %) or its hard-bounce rate over :data:`HARD_BOUNCE_LIMIT` (2 %).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from distributor.errors import ConfigError
from distributor.settings import Settings
from distributor.store import editions as store
from distributor.store.editions import EditionCounts, StoryClicks

COMPLAINT_LIMIT = 0.001
"""Spam complaints per delivered message: Gmail's and Yahoo's bulk-sender rules ask
senders to stay under 0.1 % (and never reach 0.3 %)."""
HARD_BOUNCE_LIMIT = 0.02
"""Hard bounces per message sent: a list over 2 % is a list the providers distrust."""
STATUS_DAYS = 7
"""``status`` checks the editions of this many days up to its day: complaints and
bounces keep coming in for days after a send."""


def percent(rate: float) -> str:
    """0.0017 as "0.17 %"."""
    text = f"{rate * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text} %"


@dataclass(frozen=True)
class EditionFigures:
    """One edition's figures (see the module's docstring for what each counts)."""

    day: date
    batches: int
    sent: int
    delivered: int
    delivered_estimated: bool
    """No ``delivered`` event came for the edition: sent less bounced and dropped."""
    opened: int
    clicked: int
    bounced: int
    dropped: int
    complained: int
    unsubscribed: int
    stories: tuple[StoryClicks, ...] = ()

    @property
    def complaint_rate(self) -> float | None:
        return self.complained / self.delivered if self.delivered else None

    @property
    def hard_bounce_rate(self) -> float | None:
        return self.bounced / self.sent if self.sent else None

    @property
    def open_rate(self) -> float | None:
        return self.opened / self.delivered if self.delivered else None

    @property
    def click_rate(self) -> float | None:
        return self.clicked / self.delivered if self.delivered else None

    @property
    def warnings(self) -> list[str]:
        """What is over the bulk-sender limits, one sentence each."""
        out: list[str] = []
        complaints = self.complaint_rate
        if complaints is not None and complaints > COMPLAINT_LIMIT:
            out.append(
                f"the {self.day} edition's complaint rate is {percent(complaints)} "
                f"({self.complained} of {self.delivered} delivered), over the "
                f"{percent(COMPLAINT_LIMIT)} the mailbox providers allow bulk senders"
            )
        bounces = self.hard_bounce_rate
        if bounces is not None and bounces > HARD_BOUNCE_LIMIT:
            out.append(
                f"the {self.day} edition's hard-bounce rate is {percent(bounces)} "
                f"({self.bounced} of {self.sent} sent), over {percent(HARD_BOUNCE_LIMIT)}: "
                "clean the list (`distributor subscribers sync`) before the next send"
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "batches": self.batches,
            "sent": self.sent,
            "delivered": self.delivered,
            "delivered_estimated": self.delivered_estimated,
            "opened": self.opened,
            "clicked": self.clicked,
            "bounced": self.bounced,
            "dropped": self.dropped,
            "complained": self.complained,
            "unsubscribed": self.unsubscribed,
            "rates": {
                "open": self.open_rate,
                "click": self.click_rate,
                "complaint": self.complaint_rate,
                "hard_bounce": self.hard_bounce_rate,
            },
            "warnings": self.warnings,
            "stories": [
                {
                    "story_id": s.story_id,
                    "title": s.title,
                    "url": s.url,
                    "clicks": s.clicks,
                    "clickers": s.clickers,
                    "networks": list(s.networks),
                }
                for s in self.stories
            ],
        }


def figures(counts: EditionCounts, stories: tuple[StoryClicks, ...] = ()) -> EditionFigures:
    """An edition's figures from its counts."""
    readers = counts.readers
    bounced, dropped = readers.get(store.BOUNCED, 0), readers.get(store.DROPPED, 0)
    delivered = readers.get(store.DELIVERED, 0)
    estimated = not delivered
    if estimated:
        delivered = max(0, counts.sent - bounced - dropped)
    return EditionFigures(
        day=counts.day,
        batches=counts.batches,
        sent=counts.sent,
        delivered=delivered,
        delivered_estimated=estimated,
        opened=readers.get(store.OPENED, 0),
        clicked=readers.get(store.CLICKED, 0),
        bounced=bounced,
        dropped=dropped,
        complained=readers.get(store.COMPLAINED, 0),
        unsubscribed=readers.get(store.UNSUBSCRIBED, 0),
        stories=stories,
    )


@dataclass(frozen=True)
class MailReport:
    """The editions that went out from ``first`` to ``last``, oldest first."""

    first: date
    last: date
    editions: list[EditionFigures] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [w for e in self.editions for w in e.warnings]

    def as_dict(self) -> dict[str, Any]:
        return {
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "limits": {"complaint_rate": COMPLAINT_LIMIT, "hard_bounce_rate": HARD_BOUNCE_LIMIT},
            "editions": [e.as_dict() for e in self.editions],
            "warnings": self.warnings,
        }


def mail_report(
    engine: Engine, settings: Settings, first: date, last: date, *, stories: bool = True
) -> MailReport:
    """The figures of every edition that went out from ``first`` to ``last`` (with
    ``stories``, each story's clicks and networks too)."""
    subs = settings.subscribers
    counted = store.edition_counts(
        engine, first, last, reader_links=(subs.unsubscribe_url, subs.preferences_url)
    )
    return MailReport(
        first=first,
        last=last,
        editions=[
            figures(c, tuple(store.story_clicks(engine, c.day)) if stories else ()) for c in counted
        ],
    )


def recent_mail(engine: Engine, settings: Settings, day: date) -> MailReport:
    """The editions ``status`` checks: those of the :data:`STATUS_DAYS` up to ``day``."""
    first = day - timedelta(days=STATUS_DAYS - 1)
    return mail_report(engine, settings, first, day, stories=False)


def chart_png(report: MailReport, path: Path) -> None:
    """Draw the report as a PNG: readers delivered, opened and clicked per edition, and
    under them the complaint and hard-bounce rates against their limits. Needs
    matplotlib (``pip install 'distributor[report]'``), imported only here."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ConfigError(
            "--png draws with matplotlib, which is not installed: pip install 'distributor[report]'"
        ) from None
    days = [e.day.isoformat() for e in report.editions]
    x = list(range(len(days)))
    fig = Figure(figsize=(max(6.0, 0.6 * len(days) + 3), 6.5), dpi=100, layout="constrained")
    counts, rates = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])
    width = 0.27
    readers: list[tuple[float, str, list[int]]] = [
        (-width, "delivered", [e.delivered for e in report.editions]),
        (0.0, "opened", [e.opened for e in report.editions]),
        (width, "clicked", [e.clicked for e in report.editions]),
    ]
    for offset, label, values in readers:
        counts.bar([i + offset for i in x], values, width, label=label)
    counts.set_ylabel("readers")
    counts.set_title(f"Digest editions {report.first} to {report.last}")
    counts.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    for label, limit, percents in (
        (
            "complaint rate",
            COMPLAINT_LIMIT,
            [100 * (e.complaint_rate or 0.0) for e in report.editions],
        ),
        (
            "hard-bounce rate",
            HARD_BOUNCE_LIMIT,
            [100 * (e.hard_bounce_rate or 0.0) for e in report.editions],
        ),
    ):
        (line,) = rates.plot(x, percents, marker="o", label=label)
        rates.axhline(100 * limit, color=line.get_color(), linestyle="--", linewidth=1)
    rates.set_ylabel("% (dashed: limit)")
    rates.set_ylim(bottom=0)
    rates.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    rates.set_xticks(x, days, rotation=45, ha="right")
    if not days:
        counts.text(0.5, 0.5, "no edition went out", ha="center", transform=counts.transAxes)
    fig.savefig(path, format="png")

"""Hand due outbox rows to their channels and record what happened, exactly once.

For each claimed row: a row with an *expander* for its (channel, kind) is replaced by
the rows it fans out into (planned in the same transaction that closes it); any
other row goes to ``channel.deliver`` with ``reply_to`` set to the provider id of the
post it replies to. The channel's answer decides the row's next state:

=================  ===============================================================
answer             row becomes
=================  ===============================================================
success            ``sent``, with the provider id
``Retryable``      ``planned`` again after a backoff (at least ``retry_after``), until
                   ``max_attempts``; then ``failed`` with the provider's message
``Permanent``      ``failed`` with the provider's message
``AuthError``      given back untouched (``planned``); the channel is skipped for the
                   rest of this call, since every delivery would fail the same way
``Uncertain``      ``uncertain``: never retried without an operator
``PayloadError``   ``failed``, naming the field: the row lacks what its kind needs
                   (found before any request, by the channel or the expander)
anything else      ``uncertain``: a bug in a channel may strike after the request
=================  ===============================================================

Expanders: ``expanders[(channel, kind)](row) -> Sequence[Delivery]``. Children are
planned with ``Delivery.expanded_from`` set to the parent's key and are delivered
by the channel, never expanded again. The email
fan-out plugs in here to turn one digest row into batch rows of at most 1000
recipients; the children's keys must be derived from the parent's key, so that a
second expansion (after a crash) plans nothing new.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from sqlalchemy import Engine

from distributor.channels.base import Channel, DeliveryContext
from distributor.errors import (
    AuthError,
    ChannelError,
    PayloadError,
    Permanent,
    Retryable,
    Uncertain,
)
from distributor.models import Delivery, DeliveryState
from distributor.settings import Settings
from distributor.store.outbox import Outbox

Expander = Callable[[Delivery], Sequence[Delivery]]


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class StopFlag:
    """Set by SIGTERM/SIGINT: the delivery in hand is finished, the rest given back."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.signal: int | None = None

    def set(self, signum: int | None = None) -> None:
        self.signal = signum
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; wakes at once when the flag is set."""
        return self._event.wait(seconds)

    def install(self, signals: Sequence[int] = (signal.SIGTERM, signal.SIGINT)) -> None:
        """Route the signals here (main thread only). A second SIGINT stops at once."""

        def handler(signum: int, _frame: FrameType | None) -> None:
            if self.is_set() and signum == signal.SIGINT:
                raise KeyboardInterrupt
            self.set(signum)

        for sig in signals:
            signal.signal(sig, handler)


@dataclass
class DispatchReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    uncertain: list[int] = field(default_factory=list)
    expanded: dict[int, int] = field(default_factory=dict)
    given_back: list[int] = field(default_factory=list)
    auth_failed: dict[str, str] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    stopped: bool = False

    @property
    def handled(self) -> int:
        return (
            len(self.sent)
            + len(self.retrying)
            + len(self.failed)
            + len(self.uncertain)
            + len(self.expanded)
        )

    def merge(self, other: DispatchReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.uncertain += other.uncertain
        self.expanded.update(other.expanded)
        self.given_back += other.given_back
        self.auth_failed.update(other.auth_failed)
        self.errors.update(other.errors)
        self.stopped = self.stopped or other.stopped

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "retrying": self.retrying,
            "failed": self.failed,
            "uncertain": self.uncertain,
            "expanded": {str(k): v for k, v in self.expanded.items()},
            "given_back": self.given_back,
            "auth_failed": self.auth_failed,
            "errors": {str(k): v for k, v in self.errors.items()},
            "stopped": self.stopped,
        }


def dispatch_due(
    engine: Engine,
    settings: Settings,
    channels: Mapping[str, Channel],
    *,
    now: datetime | Callable[[], datetime] | None = None,
    worker_id: str | None = None,
    limit: int | None = None,
    expanders: Mapping[tuple[str, str], Expander] | None = None,
    stop: StopFlag | None = None,
    outbox: Outbox | None = None,
) -> DispatchReport:
    """Deliver what is due now on ``channels``; returns what happened to each row.

    ``now`` is a fixed time, a clock function, or None for the real time. Rows are
    claimed ``claim_batch`` at a time until nothing is due, ``limit`` rows have been
    handled, or ``stop`` is set; a claimed row not yet started when stopping is
    given back untouched.
    """
    box = outbox or Outbox(engine, settings.schedule)
    clock = _clock(now)
    me = worker_id or default_worker_id()
    expand = dict(expanders or {})
    report = DispatchReport()
    live = dict(channels)
    budget = limit if limit is not None else None
    while live and (budget is None or budget > 0):
        if stop is not None and stop.is_set():
            report.stopped = True
            break
        take = (
            settings.schedule.claim_batch
            if budget is None
            else min(budget, settings.schedule.claim_batch)
        )
        batch = box.claim_due(clock(), take, me, channels=set(live))
        if not batch:
            break
        if budget is not None:
            budget -= len(batch)
        for row in batch:
            row_id = row.id or 0
            if (stop is not None and stop.is_set()) or row.channel not in live:
                box.unclaim(row_id, now=clock())
                report.given_back.append(row_id)
                report.stopped = report.stopped or (stop is not None and stop.is_set())
                continue
            _one(box, row, me, live, expand, report, clock)
    return report


def _clock(now: datetime | Callable[[], datetime] | None) -> Callable[[], datetime]:
    if now is None:
        return lambda: datetime.now(UTC)
    if isinstance(now, datetime):
        fixed = now
        return lambda: fixed
    return now


def _one(
    box: Outbox,
    row: Delivery,
    worker_id: str,
    live: dict[str, Channel],
    expanders: Mapping[tuple[str, str], Expander],
    report: DispatchReport,
    clock: Callable[[], datetime],
) -> None:
    row_id = row.id or 0
    expander = expanders.get((row.channel, str(row.kind)))
    if expander is not None and row.expanded_from is None:
        try:
            children = expander(row)
        except Retryable as exc:
            _failed(box, row_id, exc, report, clock, retryable=True)
            return
        except Exception as exc:  # nothing was sent: failing it is safe
            _failed(box, row_id, exc, report, clock, retryable=False)
            return
        box.expand(row_id, children, now=clock())
        report.expanded[row_id] = len(children)
        return
    reply_to: str | None = None
    if row.parent_key is not None:
        parent = box.get_by_key(row.parent_key)
        if parent is None or parent.state != DeliveryState.SENT:
            # Claimed only once the parent is sent; it was cancelled or reset since.
            box.unclaim(row_id, now=clock())
            report.given_back.append(row_id)
            return
        reply_to = parent.provider_id
    channel = live[row.channel]
    if not box.start(row_id, worker_id, now=clock()):
        # Our claim was recovered while we worked through the batch: not ours to send.
        report.given_back.append(row_id)
        return
    try:
        result = channel.deliver(row, DeliveryContext(reply_to=reply_to))
    except AuthError as exc:
        box.unclaim(row_id, now=clock())
        report.given_back.append(row_id)
        report.auth_failed[row.channel] = _message(exc)
        del live[row.channel]
    except Retryable as exc:
        _failed(box, row_id, exc, report, clock, retryable=True)
    except (Permanent, PayloadError) as exc:
        _failed(box, row_id, exc, report, clock, retryable=False)
    except Uncertain as exc:
        box.mark_uncertain(row_id, _message(exc), now=clock())
        report.uncertain.append(row_id)
        report.errors[row_id] = _message(exc)
    except Exception as exc:
        # An unexpected error may come after the request left: treat it as uncertain.
        message = f"unexpected {type(exc).__name__} in channel {row.channel}: {exc}"
        box.mark_uncertain(row_id, message, now=clock())
        report.uncertain.append(row_id)
        report.errors[row_id] = message
    else:
        box.mark_sent(row_id, result, now=clock())
        report.sent.append(row_id)


def _failed(
    box: Outbox,
    row_id: int,
    exc: Exception,
    report: DispatchReport,
    clock: Callable[[], datetime],
    *,
    retryable: bool,
) -> None:
    message = _message(exc)
    retry_after = exc.retry_after if isinstance(exc, Retryable) else None
    state = box.mark_failed(
        row_id, message, retryable=retryable, retry_after=retry_after, now=clock()
    )
    (report.retrying if state == DeliveryState.PLANNED else report.failed).append(row_id)
    report.errors[row_id] = message


def _message(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, ChannelError):
        if exc.status is not None:
            text += f" (HTTP {exc.status})"
        if exc.response:
            text += f": {exc.response[:500]}"
    return text

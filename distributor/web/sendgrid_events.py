"""What each SendGrid Event Webhook event means for the reader it names.

A post is a JSON array of events. Every event needs ``sg_event_id``, ``event``,
``timestamp`` and ``email``; one without them (or with one malformed) is left out and
reported by the field's name, never by the address, and the rest of the batch goes on.

| event | effect |
| --- | --- |
| ``bounce`` (``type`` "bounce", or none) | bounced |
| ``bounce`` with another ``type`` ("blocked", "expired") | a soft bounce |
| ``deferred`` | a soft bounce |
| ``dropped`` | bounced (complained, unsubscribed: dropped as on that list) |
| ``spamreport`` | complained |
| ``unsubscribe``, ``group_unsubscribe`` | unsubscribed |
| ``delivered`` | clears the soft bounces of that message |
| ``open``, ``click`` | kept for a report, with the digest's ``custom_args`` |
| ``processed``, ``group_resubscribe`` | kept, nothing else (no event reactivates) |
| anything else | kept as it came, nothing else |
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from distributor.compose.safe import without_utm
from distributor.store.events import Effect, ProviderEvent
from distributor.store.subscribers import normalise_email

PROVIDER = "sendgrid"
# custom_args the SendGrid channel puts on every digest (channels/sendgrid.py and
# pipeline/email_fanout.email_payload); SendGrid returns them as top-level fields.
DELIVERY_ARG = "batch_key"
DAY_ARG = "digest_date"
VARIANT_CATEGORY = "variant-"

_EFFECTS = {
    "processed": Effect.NONE,
    "delivered": Effect.DELIVERED,
    "deferred": Effect.SOFT_BOUNCE,
    "open": Effect.ENGAGEMENT,
    "click": Effect.ENGAGEMENT,
    "spamreport": Effect.COMPLAINED,
    "unsubscribe": Effect.UNSUBSCRIBED,
    "group_unsubscribe": Effect.UNSUBSCRIBED,
    "group_resubscribe": Effect.NONE,
}
# A drop because the address is already on one of SendGrid's lists says which.
_DROPPED = {
    "Unsubscribed Address": Effect.UNSUBSCRIBED,
    "Spam Reporting Address": Effect.COMPLAINED,
}
MAX_DETAIL = 2000


@dataclass
class Parsed:
    """A batch read: the events to record, and what was wrong with the others."""

    events: list[ProviderEvent] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rejected: int = 0


class _Bad(ValueError):
    """A required field is missing or malformed: the event is left out."""


def parse(body: bytes, *, reader_links: Sequence[str] = ()) -> Parsed:
    """The events of one post. ``reader_links`` are the unsubscribe and preferences URLs:
    a click on one is kept without its query, which carries the reader's signed token."""
    out = Parsed()
    try:
        items = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        out.problems.append("the body is not JSON")
        return out
    if not isinstance(items, list):
        out.problems.append("the body is not a JSON array of events")
        return out
    addresses: dict[str, str] = {}  # a reader's several events are normalised once
    for index, item in enumerate(items):
        notes: list[str] = []
        try:
            out.events.append(_event(item, notes, addresses, reader_links))
        except _Bad as exc:
            out.rejected += 1
            notes.append(str(exc))
        out.problems.extend(f"event {index}: {note}" for note in notes)
    return out


def _event(
    item: Any, notes: list[str], addresses: dict[str, str], reader_links: Sequence[str]
) -> ProviderEvent:
    if not isinstance(item, dict):
        raise _Bad("not a JSON object")
    event_id = _required(item, "sg_event_id", 128)
    event = _required(item, "event", 32)
    stamp = item.get("timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, int) or not 0 < stamp < 2**33:
        raise _Bad("timestamp missing or not a number of seconds")
    raw_email = item.get("email")
    if not isinstance(raw_email, str):
        raise _Bad("email missing")
    email = addresses.get(raw_email)
    if email is None:
        try:
            email = addresses[raw_email] = normalise_email(raw_email)
        except ValueError:
            raise _Bad("email is not an address") from None
    effect = _effect(event, item)
    link = None
    if event == "click":
        link = _text(item, "url", 2048, notes)
        if link and link.startswith(tuple(reader_links)):
            link = link.split("?", 1)[0]
        elif link:
            link = without_utm(link)
    return ProviderEvent(
        event_id=event_id,
        event=event,
        effect=effect,
        occurred_at=datetime.fromtimestamp(stamp, UTC),
        email=email,
        message_id=_text(item, "sg_message_id", 255, notes),
        delivery_key=_text(item, DELIVERY_ARG, 512, notes),
        day=_day(item, notes),
        variant=_variant(item.get("category")),
        link=link,
        detail=_detail(item, effect),
    )


def _effect(event: str, item: dict[str, Any]) -> Effect:
    if event == "bounce":
        # "bounce" (or no type, as older posts have it) is a hard bounce; "blocked" and
        # any other type are the receiving server's refusal for now.
        kind = item.get("type")
        return Effect.BOUNCED if kind in (None, "bounce") else Effect.SOFT_BOUNCE
    if event == "dropped":
        return _DROPPED.get(str(item.get("reason") or ""), Effect.BOUNCED)
    return _EFFECTS.get(event, Effect.UNKNOWN)


def _required(item: dict[str, Any], name: str, limit: int) -> str:
    """A printable string of at most ``limit`` characters, or the event is left out."""
    value = item.get(name)
    if isinstance(value, str) and 0 < len(value) <= limit and value.isprintable():
        return value
    if value is None or value == "":
        raise _Bad(f"{name} missing")
    raise _Bad(f"{name} is not a short printable string")


def _text(item: dict[str, Any], name: str, limit: int, notes: list[str]) -> str | None:
    """An optional printable string of at most ``limit`` characters; a malformed one is
    left out and noted, and the event kept."""
    value = item.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value) <= limit and value.isprintable():
        return value
    notes.append(f"{name} ignored (not a short printable string)")
    return None


def _day(item: dict[str, Any], notes: list[str]) -> date | None:
    value = _text(item, DAY_ARG, 10, notes)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        notes.append(f"{DAY_ARG} ignored (not a YYYY-MM-DD date)")
        return None


def _variant(category: Any) -> str | None:
    """The digest variant from its ``variant-KEY`` category (a string or a list)."""
    names = category if isinstance(category, list) else [category]
    for name in names:
        if isinstance(name, str) and name.startswith(VARIANT_CATEGORY) and len(name) < 1024:
            return name[len(VARIANT_CATEGORY) :] or None
    return None


def _detail(item: dict[str, Any], effect: Effect) -> str | None:
    """Why a bounce or deferral happened, or an unknown event as it came."""
    if effect is Effect.UNKNOWN:
        return json.dumps(item, ensure_ascii=False)[:MAX_DETAIL]
    if effect in (Effect.BOUNCED, Effect.SOFT_BOUNCE, Effect.COMPLAINED, Effect.UNSUBSCRIBED):
        reason = item.get("reason") or item.get("response")
        return str(reason)[:MAX_DETAIL] if reason else None
    return None

"""Fan a digest out to subscribers: O(batches) requests, O(batch) memory.

``plan_batches`` turns a variant's audience into outbox rows of at most 1,000
recipients, each with its own idempotency key (digest key + batch number), so a crash
resumes at the first unconfirmed batch. A row stores only an id range; ``expand_batch``
reads the range's subscribers when the row is sent (so someone who unsubscribed since
planning is left out) and builds the channel's payload with per-recipient
substitutions. Nothing here knows the outbox's tables: the outbox stores the rows and
calls back.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from distributor.channels.base import Channel
from distributor.compose.digest import PLACEHOLDERS, render_digest
from distributor.errors import AuthError, ChannelError, Permanent, Retryable, Uncertain
from distributor.models import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    Digest,
    Recipient,
    Roundup,
    SendResult,
    Story,
)
from distributor.settings import Settings, secret
from distributor.store.subscribers import Status, Subscriber, SubscriberStore

log = logging.getLogger(__name__)

CHANNEL = "sendgrid"
ALL = ""
"""The variant key of subscribers without topics: every story."""

# Suppression list -> the status it means here. Blocks are temporary, so not synced.
SUPPRESSION_STATUS = {
    "unsubscribes": Status.UNSUBSCRIBED,
    "bounces": Status.BOUNCED,
    "invalid_emails": Status.BOUNCED,
    "spam_reports": Status.COMPLAINED,
}


# --- links ------------------------------------------------------------------------


def link_secret(settings: Settings) -> bytes:
    env = settings.subscribers.link_secret_env
    return secret(env, "the key that signs unsubscribe and preferences links").encode("utf-8")


def sign(key: bytes, action: str, token: str) -> str:
    mac = hmac.new(key, f"{action}:{token}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def verify(key: bytes, action: str, token: str, signature: str) -> bool:
    """True when ``signature`` was made by :func:`sign` with this key, action and token."""
    return hmac.compare_digest(sign(key, action, token), signature)


def signed_url(base: str, key: bytes, action: str, token: str) -> str:
    return f"{base}?{urlencode({'t': token, 's': sign(key, action, token)})}"


# --- substitutions ----------------------------------------------------------------

# The digest uses the same placeholders in HTML and text; the HTML part gets its own
# keys so each value is escaped for where it lands.
_HTML_KEY = {p: p[:-2] + "_html}}" for p in PLACEHOLDERS}


def html_content(digest: Digest) -> str:
    """The digest's HTML with its placeholders renamed to the HTML-escaped keys."""
    out = digest.html
    for plain, escaped in _HTML_KEY.items():
        out = out.replace(plain, escaped)
    return out


def substitutions(name: str, unsubscribe: str, preferences: str) -> dict[str, str]:
    values = {
        "{{name}}": name,
        "{{unsubscribe_url}}": unsubscribe,
        "{{preferences_url}}": preferences,
    }
    out = dict(values)
    for plain, value in values.items():
        out[_HTML_KEY[plain]] = html.escape(value, quote=True)
    return out


def recipient(subscriber: Subscriber, settings: Settings, key: bytes) -> Recipient:
    subs = settings.subscribers
    return Recipient(
        email=subscriber.email,
        name=subscriber.name,
        substitutions=substitutions(
            subscriber.name,
            signed_url(subs.unsubscribe_url, key, "unsubscribe", subscriber.token),
            signed_url(subs.preferences_url, key, "preferences", subscriber.token),
        ),
    )


# --- variants ---------------------------------------------------------------------


def _slug(tag: str) -> str:
    return tag.strip().casefold().replace(" ", "-")


def render_variants(
    stories: Sequence[Story],
    roundup: Roundup,
    settings: Settings,
    day: date,
    variants: Iterable[str],
) -> dict[str, Digest]:
    """One digest per variant key, each rendered once.

    A subscriber with topics gets cards for the stories tagged with any of them, and
    the day's full roundup list; "" (no topics) gets everything.
    """
    out: dict[str, Digest] = {}
    tags = {s.id: {_slug(t) for t in s.article.tags} for s in stories}
    for key in dict.fromkeys(variants):
        if key == ALL:
            out[key] = render_digest(stories, roundup, settings, day)
            continue
        topics = set(key.split(","))
        featured = tuple(i for i in roundup.featured if tags.get(i.story_id, set()) & topics)
        narrowed = replace(roundup, featured=featured)
        digest = render_digest(stories, narrowed, settings, day)
        out[key] = replace(digest, variant=key)
    return out


# --- planning ---------------------------------------------------------------------


def digest_key(day: date, variant: str) -> str:
    return f"{CHANNEL}:digest:{day.isoformat()}:{variant or 'all'}"


def batch_key(digest: str, number: int) -> str:
    return f"{digest}:batch-{number:05d}"


def plan_batches(
    store: SubscriberStore,
    day: date,
    variant: str,
    *,
    due_at: datetime,
    batch_size: int = 1000,
    channel: str = CHANNEL,
) -> Iterator[Delivery]:
    """Outbox rows for one digest variant, one per batch of at most ``batch_size``.

    Deterministic: the same subscribers give the same keys and ranges, so planning
    twice (after a crash) lets the outbox's unique key drop the repeats.
    """
    parent = digest_key(day, variant)
    for r in store.batch_ranges(variant, batch_size):
        yield Delivery(
            channel=channel,
            kind=DeliveryKind.DIGEST,
            idempotency_key=batch_key(parent, r.number),
            due_at=due_at,
            payload={
                "day": day.isoformat(),
                "variant": variant,
                "batch": r.number,
                "after_id": r.after_id,
                "last_id": r.last_id,
                "planned": r.count,
            },
            subject_id=parent,
            parent_key=parent,
        )


def expand_batch(
    store: SubscriberStore,
    delivery: Delivery,
    digest: Digest,
    settings: Settings,
    *,
    key: bytes | None = None,
) -> Delivery:
    """The planned row as the channel takes it: content once, recipients with their
    substitutions. Recipients are read now, so only active subscribers are included."""
    p = delivery.payload
    variant = str(p["variant"])
    members = store.in_range(variant, int(p["after_id"]), int(p["last_id"]))  # type: ignore[call-overload]
    link_key = key if key is not None else link_secret(settings)
    return replace(
        delivery,
        payload=email_payload(
            digest,
            [recipient(s, settings, link_key) for s in members],
            batch=delivery.idempotency_key,
            settings=settings,
        ),
    )


def email_payload(
    digest: Digest,
    recipients: Iterable[Recipient],
    *,
    batch: str,
    settings: Settings,
    html_body: str | None = None,
    test: bool = False,
    sandbox: bool = False,
) -> dict[str, Any]:
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    for r in recipients:
        if r.email in seen:
            continue
        seen.add(r.email)
        rows.append(
            {
                "email": r.email,
                "name": r.name,
                "substitutions": r.substitutions,
                "unsubscribe_url": r.substitutions.get("{{unsubscribe_url}}", ""),
            }
        )
    variant = digest.variant or "all"
    subject = f"[TEST] {digest.subject}" if test else digest.subject
    return {
        "subject": subject,
        "html": html_body if html_body is not None else html_content(digest),
        "text": digest.text,
        "recipients": rows,
        "batch_key": batch,
        "categories": ["test" if test else "digest", f"digest-{digest.day.isoformat()}"],
        "custom_args": {
            "digest_date": digest.day.isoformat(),
            "variant": variant,
            **({"test": "true"} if test else {}),
        },
        "sandbox": sandbox,
        "test": test,
    }


# --- sending ----------------------------------------------------------------------


def send_batch(
    channel: Channel,
    store: SubscriberStore,
    delivery: Delivery,
    digest: Digest,
    settings: Settings,
    *,
    key: bytes | None = None,
) -> SendResult:
    """Expand and send one planned row. A batch whose every member has left is done
    without a request."""
    expanded = expand_batch(store, delivery, digest, settings, key=key)
    if not expanded.payload["recipients"]:
        return SendResult(provider_id=None, detail={"recipients": 0, "skipped": True})
    return channel.deliver(expanded)


def send_test(
    channel: Channel,
    digest: Digest,
    settings: Settings,
    address: str,
    *,
    name: str = "",
    sandbox: bool = False,
    key: bytes | None = None,
) -> SendResult:
    """Send the digest to one address, marked as a test (subject, category, args)."""
    link_key = key if key is not None else link_secret(settings)
    subs = settings.subscribers
    r = Recipient(
        email=address,
        name=name,
        substitutions=substitutions(
            name,
            signed_url(subs.unsubscribe_url, link_key, "unsubscribe", "test"),
            signed_url(subs.preferences_url, link_key, "preferences", "test"),
        ),
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    test_key = f"{digest_key(digest.day, digest.variant)}:test-{stamp}"
    delivery = Delivery(
        channel=channel.name,
        kind=DeliveryKind.PREVIEW,
        idempotency_key=test_key,
        due_at=datetime.now(UTC),
        payload=email_payload(
            digest, [r], batch=test_key, settings=settings, test=True, sandbox=sandbox
        ),
    )
    return channel.deliver(delivery)


@dataclass
class FanOutReport:
    batches: int = 0
    requests: int = 0
    recipients: int = 0
    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    uncertain: dict[str, str] = field(default_factory=dict)
    states: dict[str, DeliveryState] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "batches": self.batches,
            "requests": self.requests,
            "recipients": self.recipients,
            "sent": len(self.sent),
            "failed": self.failed,
            "uncertain": self.uncertain,
        }


def fan_out(
    channel: Channel,
    store: SubscriberStore,
    digests: Mapping[str, Digest],
    settings: Settings,
    *,
    done: Iterable[str] = (),
    max_attempts: int = 5,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int], None] | None = None,
    key: bytes | None = None,
) -> FanOutReport:
    """Send every variant's batches once, in order, without an outbox.

    Keys in ``done`` are skipped (already confirmed). 429/5xx are retried with
    backoff honouring the provider's reset time; a rejected batch is recorded and the
    rest go on; an uncertain batch is never resent; a refused key stops everything.
    """
    report = FanOutReport()
    finished = set(done)
    link_key = key if key is not None else link_secret(settings)
    now = datetime.now(UTC)
    for variant, digest in digests.items():
        html_body = html_content(digest)
        for planned in plan_batches(
            store, digest.day, variant, due_at=now, batch_size=settings.subscribers.batch_size
        ):
            report.batches += 1
            bkey = planned.idempotency_key
            if bkey in finished:
                report.states[bkey] = DeliveryState.SENT
                continue
            members = store.in_range(
                variant,
                int(planned.payload["after_id"]),  # type: ignore[call-overload]
                int(planned.payload["last_id"]),  # type: ignore[call-overload]
            )
            payload = email_payload(
                digest,
                (recipient(s, settings, link_key) for s in members),
                batch=bkey,
                settings=settings,
                html_body=html_body,
            )
            count = len(payload["recipients"])
            if count:
                state = _send_with_retries(
                    channel, replace(planned, payload=payload), report, max_attempts, sleep
                )
                if state is DeliveryState.SENT:
                    report.recipients += count
            else:
                state = DeliveryState.SENT
            report.states[bkey] = state
            if progress is not None:
                progress(count)
    return report


def _send_with_retries(
    channel: Channel,
    delivery: Delivery,
    report: FanOutReport,
    max_attempts: int,
    sleep: Callable[[float], None],
) -> DeliveryState:
    key = delivery.idempotency_key
    for attempt in range(1, max_attempts + 1):
        report.requests += 1
        try:
            channel.deliver(delivery)
        except AuthError:
            raise
        except Retryable as exc:
            if attempt == max_attempts:
                report.failed[key] = str(exc)
                return DeliveryState.FAILED
            wait = exc.retry_after if exc.retry_after is not None else 2.0 ** (attempt - 1)
            log.warning("%s: %s; retrying in %.0f s", key, exc, wait)
            sleep(wait)
            continue
        except Permanent as exc:
            report.failed[key] = str(exc)
            return DeliveryState.FAILED
        except Uncertain as exc:
            report.uncertain[key] = str(exc)
            return DeliveryState.UNCERTAIN
        report.sent.append(key)
        return DeliveryState.SENT
    return DeliveryState.FAILED


# --- suppressions -----------------------------------------------------------------


@dataclass
class SyncReport:
    changed: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def sync_suppressions(
    channel: Any, store: SubscriberStore, *, group_id: int = 0, now: datetime | None = None
) -> SyncReport:
    """Copy the provider's suppression lists into the subscriber table, incrementally.

    A failure is a warning, not a stop: the provider enforces its own suppressions, and
    the next sync catches up. ``channel`` is a SendGrid channel (``suppressions``).
    """
    report = SyncReport()
    lists: list[tuple[str, Status]] = list(SUPPRESSION_STATUS.items())
    if group_id:
        lists.append((f"group:{group_id}", Status.UNSUBSCRIBED))
    for name, status in lists:
        since = store.synced_until(name)
        newest = since
        changed = 0
        try:
            for page in channel.suppressions(name, since):
                changed += store.set_status_many(
                    [email for email, _ in page], status, reason=f"sendgrid {name}", now=now
                )
                newest = max([newest, *(created for _, created in page)])
        except ChannelError as exc:
            report.warnings.append(f"{name}: {exc}")
            continue
        if not name.startswith("group:"):
            store.save_synced_until(name, newest, now=now)
        report.changed[name] = changed
    return report

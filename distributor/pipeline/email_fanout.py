"""Fan a digest out to subscribers through the outbox: O(batches) requests, O(batch) memory.

:func:`digest_expander` is the dispatcher's expander for a ``digest`` row: it becomes
rows of at most 1,000 recipients, each with its own idempotency key (digest key + batch
number), so a crash resumes at the first unconfirmed batch. A row stores only an id
range; :class:`StoreRecipients`, given to the email channel, reads the range's
subscribers when the row is sent (so someone who unsubscribed since planning is left
out) with their per-recipient substitutions. This is the only way a digest is sent; retries and
backoff are the outbox's (``Outbox.backoff``).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from distributor.channels.base import Channel, EmailChannel
from distributor.compose.digest import render_digest
from distributor.compose.links import link_secret, link_signer, link_value
from distributor.errors import ChannelError
from distributor.models import (
    Audience,
    Delivery,
    DeliveryKind,
    Digest,
    Roundup,
    RoundupItem,
    SendResult,
    Story,
)
from distributor.payloads import (
    BATCH_MARK,
    DigestBatch,
    EmailContent,
    EmailRequest,
    Recipient,
    day_of,
    parse_digest,
    parse_digest_batch,
)
from distributor.settings import Settings
from distributor.store.subscribers import SubscriberStore

log = logging.getLogger(__name__)

CHANNEL = "sendgrid"
"""The variant key of subscribers without topics: every story."""

# --- links ------------------------------------------------------------------------

# Per-recipient values, as SendGrid substitution tags. The digest's own placeholders
# are rewritten to these once per variant, so a recipient carries only a short link
# value and their name (escaped for HTML, and as-is for the text part).
LINK_TAG = "{%q%}"
NAME_TAG = "{%n%}"
NAME_HTML_TAG = "{%nh%}"


# --- content and substitutions ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Content:
    """A digest with its placeholders turned into substitution tags (once per variant)."""

    html: str
    text: str


def prepare(digest: Digest, settings: Settings) -> Content:
    subs = settings.subscribers
    # The base URLs are validated free of quotes, '<', '>' and '&', so they need no
    # escaping in an HTML attribute.
    links = {
        "{{unsubscribe_url}}": f"{subs.unsubscribe_url}?u={LINK_TAG}",
        "{{preferences_url}}": f"{subs.preferences_url}?u={LINK_TAG}",
    }
    text, body = digest.text, digest.html
    for placeholder, value in links.items():
        text = text.replace(placeholder, value)
        body = body.replace(placeholder, value)
    return Content(
        html=body.replace("{{name}}", NAME_HTML_TAG), text=text.replace("{{name}}", NAME_TAG)
    )


_HTML_SPECIAL = re.compile(r"[&<>\"']")


def substitutions(name: str, link: str) -> dict[str, str]:
    """A reader's values for the tags. The greeting is "Hello{name}," so the name tag
    carries its own leading space: "Hello Sam," for Sam, "Hello," for a reader with no
    name, never "Hello ,"."""
    stripped = name.strip()
    spoken = f" {stripped}" if stripped else ""
    escaped = html.escape(spoken, quote=True) if _HTML_SPECIAL.search(spoken) else spoken
    return {LINK_TAG: link, NAME_TAG: spoken, NAME_HTML_TAG: escaped}


def _recipient(email: str, name: str, link: str, unsubscribe: str) -> Recipient:
    return {
        "email": email,
        "name": name,
        "substitutions": substitutions(name, link),
        "unsubscribe_url": unsubscribe + link,
    }


def _unsubscribe_base(settings: Settings) -> str:
    return f"{settings.subscribers.unsubscribe_url}?u="


def recipient(
    email: str, name: str, token: str, settings: Settings, key: bytes, issued: date
) -> Recipient:
    """One row of the channel payload's ``recipients``, with links issued on the
    edition's day."""
    return _recipient(email, name, link_value(key, token, issued), _unsubscribe_base(settings))


# --- variants ---------------------------------------------------------------------


def render_variants(
    stories: Sequence[Story],
    roundup: Roundup,
    settings: Settings,
    day: date,
    audiences: Iterable[Audience],
) -> dict[Audience, Digest]:
    """One digest per audience, each rendered once.

    A subscriber with topics gets cards for the stories tagged with any of them first
    (the day's listed ones included); the day's other lead stories stay, at the top of
    the one-line list, so nobody misses the lead; everyone gets everything.
    """
    out: dict[Audience, Digest] = {}
    tags = {s.id: s.article.tags for s in stories}
    for audience in dict.fromkeys(audiences):
        if audience.everyone:
            out[audience] = render_digest(stories, roundup, settings, day)
            continue

        def theirs(item: RoundupItem, audience: Audience = audience) -> bool:
            return audience.wants(tags.get(item.story_id, ()))

        room = max(len(roundup.featured), 1)
        cards = tuple(i for i in (*roundup.featured, *roundup.more) if theirs(i))[:room]
        leads = tuple(i for i in roundup.featured if not theirs(i))
        listed = leads + tuple(i for i in roundup.more if i not in cards)
        narrowed = replace(roundup, featured=cards, more=listed)
        digest = render_digest(stories, narrowed, settings, day)
        out[audience] = replace(digest, audience=audience)
    return out


def digests_for_audience(
    store: SubscriberStore,
    stories: Sequence[Story],
    roundup: Roundup,
    settings: Settings,
    day: date,
) -> list[Digest]:
    """One digest per audience that has active subscribers (everyone first), for the
    planner to write one ``digest`` row each. Subscribers of an audience without a row
    get nothing, so plan every digest this returns."""
    return list(render_variants(stories, roundup, settings, day, sorted(store.variants())).values())


# --- planning ---------------------------------------------------------------------


def digest_key(day: date, variant: str) -> str:
    return f"{CHANNEL}:digest:{day.isoformat()}:{variant or 'all'}"


def batch_key(digest: str, number: int) -> str:
    return f"{digest}{BATCH_MARK}{number:05d}"


def email_content(
    digest: Digest,
    *,
    batch: str,
    content: Content,
    test: bool = False,
    sandbox: bool = False,
) -> EmailContent:
    """What one request sends to each of its recipients."""
    subject = f"[TEST] {digest.subject}" if test else digest.subject
    return {
        "subject": subject,
        "html": content.html,
        "text": content.text,
        "batch_key": batch,
        "categories": [
            "test" if test else "digest",
            f"digest-{digest.day.isoformat()}",
            f"variant-{digest.variant}",
        ],
        "custom_args": {
            "digest_date": digest.day.isoformat(),
            **({"test": "true"} if test else {}),
        },
        "sandbox": sandbox,
        "test": test,
    }


def email_payload(
    digest: Digest,
    recipients: Iterable[Recipient],
    *,
    batch: str,
    content: Content,
    test: bool = False,
    sandbox: bool = False,
) -> EmailRequest:
    """The payload of one request to the listed recipients (``send-test``)."""
    seen: set[str] = set()
    rows: list[Recipient] = []
    for r in recipients:
        # The table holds one row per address; this guards hand-made lists too.
        if r["email"] in seen:
            continue
        seen.add(r["email"])
        rows.append(r)
    common = email_content(digest, batch=batch, content=content, test=test, sandbox=sandbox)
    return {**common, "recipients": rows}


# --- sending ----------------------------------------------------------------------


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
    """Send the digest to one address, marked as a test (subject, category, args).

    Its links carry the token "test", which matches no subscriber."""
    link_key = key if key is not None else link_secret(settings)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    test_key = f"{digest_key(digest.day, digest.variant)}:test-{stamp}"
    delivery = Delivery(
        channel=channel.name,
        kind=DeliveryKind.PREVIEW,
        idempotency_key=test_key,
        due_at=datetime.now(UTC),
        payload=email_payload(
            digest,
            [recipient(address, name, "test", settings, link_key, digest.day)],
            batch=test_key,
            content=prepare(digest, settings),
            test=True,
            sandbox=sandbox,
        ),
    )
    return channel.deliver(delivery)


# --- suppressions -----------------------------------------------------------------


@dataclass
class SyncReport:
    changed: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def sync_suppressions(
    channel: EmailChannel, store: SubscriberStore, *, now: datetime | None = None
) -> SyncReport:
    """Copy the provider's suppression lists (those the channel declares) into the
    subscriber table, incrementally.

    A failure is a warning, not a stop: the provider enforces its own suppressions, and
    the next sync catches up.
    """
    report = SyncReport()
    for name, status in channel.suppression_lists().items():
        since = store.synced_until(name)
        newest = since
        changed = 0
        try:
            for page in channel.suppressions(name, since):
                changed += store.set_status_many(
                    [email for email, _ in page], status, reason=f"{channel.name} {name}", now=now
                )
                newest = max([newest, *(created for _, created in page)])
        except ChannelError as exc:
            report.warnings.append(f"{name}: {exc}")
            continue
        if not name.startswith("group:"):
            store.save_synced_until(name, newest, now=now)
        report.changed[name] = changed
    return report


def sync_before_send(
    channel: EmailChannel, store: SubscriberStore, settings: Settings
) -> SyncReport:
    """What to call before a fan-out: the sync when ``subscribers.sync_suppressions`` is
    on, each problem logged as a warning (the send goes ahead either way)."""
    if not settings.subscribers.sync_suppressions:
        return SyncReport()
    report = sync_suppressions(channel, store)
    for warning in report.warnings:
        log.warning("suppression sync: %s; sending anyway, the next sync catches up", warning)
    return report


# --- the outbox's hooks -------------------------------------------------------------


def digest_of(row: Delivery) -> Digest:
    """The digest a planned ``digest`` outbox row carries (subject, html, text, ...)."""
    payload = parse_digest(row)
    return Digest(
        day=day_of(row),
        subject=payload["subject"],
        preheader=payload["preheader"],
        html=payload["html"],
        text=payload["text"],
        story_ids=tuple(payload["story_ids"]),
        audience=Audience.from_key(payload["variant"]),
    )


def digest_expander(
    store: SubscriberStore,
    settings: Settings,
    *,
    channel: EmailChannel | None = None,
) -> Callable[[Delivery], list[Delivery]]:
    """The dispatcher's expander for an email channel's ``digest`` rows.

    One digest row becomes one row per batch of at most ``subscribers.batch_size``,
    keyed ``<digest row key>:batch-NNNNN`` so expanding again plans nothing new. Each
    child carries the prepared content once and an id range, never the addresses: the
    channel reads the range's still-active subscribers when it sends (see
    :class:`StoreRecipients`). With ``channel``, the suppression sync runs first.
    """

    def expand(row: Delivery) -> list[Delivery]:
        if channel is not None:
            sync_before_send(channel, store, settings)
        digest = digest_of(row)
        content = prepare(digest, settings)
        children: list[Delivery] = []
        for r in store.batch_ranges(digest.audience, settings.subscribers.batch_size):
            key = batch_key(row.idempotency_key, r.number)
            batch: DigestBatch = {
                **email_content(digest, batch=key, content=content),
                "day": digest.day.isoformat(),
                "variant": digest.variant,
                "batch": r.number,
                "after_id": r.after_id,
                "last_id": r.last_id,
                "planned": r.count,
            }
            children.append(
                Delivery(
                    channel=row.channel,
                    kind=row.kind,
                    idempotency_key=key,
                    due_at=row.due_at,
                    payload=batch,
                    subject_id=row.subject_id,
                    day=digest.day,
                    expanded_from=row.idempotency_key,
                )
            )
        return children

    return expand


class StoreRecipients:
    """An email channel's :class:`~distributor.channels.base.Recipients`: a batch row's
    still-active subscribers from the store, with links signed by the link secret
    (read at construction, so a missing or weak one is known before any send)."""

    def __init__(self, store: SubscriberStore, settings: Settings, *, key: bytes | None = None):
        self.store = store
        self.settings = settings
        self.key = key if key is not None else link_secret(settings)

    def __call__(self, delivery: Delivery) -> list[Recipient]:
        batch = parse_digest_batch(delivery)
        issued = day_of(delivery)
        members = self.store.recipients_in_range(
            Audience.from_key(batch["variant"]), batch["after_id"], batch["last_id"]
        )
        # What every reader of the batch shares is worked out once, not per reader.
        sign = link_signer(self.key, issued)
        unsubscribe = _unsubscribe_base(self.settings)
        return [_recipient(email, name, sign(token), unsubscribe) for email, name, token in members]

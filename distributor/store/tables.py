"""Table definitions (SQLAlchemy Core). Migrations in ``migrations/versions`` match them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # The canonical URL, else the feed guid: what makes two sightings one article.
    Column("identity", String(2048), nullable=False, unique=True),
    Column("guid", String(2048), nullable=False, index=True),
    Column("url", String(2048), index=True),
    Column("source_id", String(2048), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("html", Text),
    Column("image_url", String(2048)),
    Column("image_alt", Text),
    Column("tags", Text, nullable=False, default="[]"),
    Column("byline", Text),
    Column("published_at", DateTime(timezone=True)),
    Column("first_seen_at", DateTime(timezone=True), nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("version", Integer, nullable=False, default=1),
)

feed_state = Table(
    "feed_state",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("checked_at", DateTime(timezone=True), nullable=False),
)

subscribers = Table(
    "subscribers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Normalised (trimmed, lower-cased, IDNA domain): one row per address.
    Column("email", String(320), nullable=False, unique=True),
    Column("name", Text, nullable=False, default=""),
    # pending | active | paused | bounced | unsubscribed | complained (models.Status,
    # weakest first); pending: signed up on the form, not yet confirmed.
    Column("status", String(16), nullable=False),
    # Sorted, comma-joined topic slugs; "" means every story. Doubles as the variant key,
    # so one indexed equality selects a variant's audience.
    Column("topics", String(1024), nullable=False, default=""),
    Column("source", String(255), nullable=False, default=""),
    # Random, unguessable: identifies the subscriber in unsubscribe links.
    Column("token", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("status_changed_at", DateTime(timezone=True)),
    Column("status_reason", Text),
    Index("ix_subscribers_audience", "status", "topics", "id"),
)

suppression_sync = Table(
    "suppression_sync",
    metadata,
    # One row per provider list (bounces, spam_reports, ...): the newest event time seen.
    Column("list", String(64), primary_key=True),
    Column("synced_until", Integer, nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=False),
)

# A lease per periodic job ("plan"): the worker holding it and until when. A worker
# killed while it holds one loses it when it expires; no one clears it blindly.
leases = Table(
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(255)),
    Column("expires_at", DateTime(timezone=True)),
    Column("last_done", DateTime(timezone=True)),
)

# The outbox: one row per delivery, written before any network call. The unique
# idempotency key is what makes planning the same day twice a no-op.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(512), nullable=False, unique=True),
    Column("channel", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("subject_id", String(2048), nullable=False),
    Column("day", Date),
    Column("payload", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    # Why a held row is held: "approval", "manual" or "stale".
    Column("hold_reason", String(16)),
    # The approval is bound to the content: it counts only while this equals content_hash.
    Column("needs_approval", Integer, nullable=False, default=0),
    Column("approved_hash", String(64)),
    Column("approved_by", String(256)),
    # scheduled_at is when it should go; due_at is the next attempt (later after a retry).
    Column("scheduled_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("parent_key", String(512)),
    Column("provider_id", String(512)),
    Column("detail", Text),
    Column("last_error", Text),
    Column("claimed_by", String(256)),
    Column("claimed_at", DateTime(timezone=True)),
    # Set just before the request leaves: a claim never started is safe to give back.
    Column("started_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_deliveries_state_due_at", "state", "due_at"),
    Index("ix_deliveries_day", "day"),
    Index("ix_deliveries_parent_key", "parent_key"),
)

# Provider webhook posts, stored as they came before anything is done with them, so a
# crash between storing and processing loses nothing. The body is dropped once the batch
# is processed (its events are in provider_events); the row stays, and a second post
# with the same signed timestamp and signature is a replay.
webhook_batches = Table(
    "webhook_batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("provider", String(32), nullable=False),
    Column("signed_at", BigInteger, nullable=False),
    # The signature in one canonical form, so an equivalent re-encoding is the same replay.
    Column("signature", String(128), nullable=False),
    Column("body", LargeBinary),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("processed_at", DateTime(timezone=True)),
    Column("events", Integer),
    Column("problems", Integer),
    UniqueConstraint("provider", "signed_at", "signature", name="uq_webhook_batches_signature"),
    Index("ix_webhook_batches_processed_at", "processed_at"),
)

# One row per provider event, whatever it is: the provider's event id makes a second
# delivery of the same event a no-op. ``effect`` is what it meant for the reader
# (store.events.Effect); opens and clicks keep the digest's custom_args for a report.
provider_events = Table(
    "provider_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("provider", String(32), nullable=False),
    Column("event_id", String(128), nullable=False),
    Column("batch_id", Integer, nullable=False),
    Column("event", String(32), nullable=False),
    Column("effect", String(16), nullable=False),
    Column("email", String(320), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("message_id", String(255)),
    # The outbox row of the batch it came in (custom_args batch_key), the digest's
    # day (digest_date) and variant (its variant-KEY category).
    Column("delivery_key", String(512)),
    Column("day", Date),
    Column("variant", String(1024)),
    # A click's link without the digest's UTM parameters, and the story it is.
    Column("link", Text),
    Column("article_id", Integer),
    # A bounce's reason, or an unknown event as it came (JSON).
    Column("detail", Text),
    UniqueConstraint("provider", "event_id", name="uq_provider_events_event_id"),
    Index("ix_provider_events_email", "email", "effect", "occurred_at"),
    Index("ix_provider_events_message_id", "message_id", "effect", "provider"),
)

# One row per sign-up on the form that sent a confirmation email, and its confirmation:
# the record that a reader asked for the digest. ``reference`` is random and is what the
# (signed) confirmation link carries. The client's IP address is kept as
# ``[signup] record_ip`` says (by default its network only, not the address itself).
consents = Table(
    "consents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscriber_id", Integer, nullable=False, index=True),
    Column("reference", String(64), nullable=False, unique=True),
    # Which form: "form", or "form:<name>" for the form's ?source=<name>.
    Column("source", String(255), nullable=False),
    # What the reader agreed to, as the form worded it then.
    Column("wording", Text, nullable=False),
    # The name and topics asked for, applied when confirmed.
    Column("name", Text, nullable=False, default=""),
    Column("topics", String(1024), nullable=False, default=""),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("requested_ip", String(64)),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("confirmed_ip", String(64)),
)

"""Plain data passed between the stages of the flow.

Everything here is immutable and free of behaviour beyond small derived values, so
that every stage can be tested with hand-made instances. The article body is kept in
one normalised plain-text shape (see :class:`Article`) so that every offset a later
stage reports indexes the same string.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path


def content_hash(*parts: str) -> str:
    """A stable fingerprint of an article's visible content."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def source_path(article: Article) -> str:
    """Where an article came from, once, as the editor can open it: the file it was read
    from (relative to the working directory when it is below it), else its guid (a feed's
    article, or one read back from the store)."""
    if article.path is None:
        return article.guid
    path = Path(article.path)
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        return str(path.relative_to(Path.cwd()))
    return str(path)


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    alt: str = ""
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One article as ingested.

    ``body`` is plain text, one block per line: a paragraph, a heading (a short line
    without closing punctuation) or a list item starting with ``"- "``. It excludes
    the title. Feeds carrying HTML are converted to this shape by ingest, and the
    original kept in ``html``.
    """

    source_id: str
    guid: str
    title: str
    body: str
    url: str | None = None
    published_at: datetime | None = None
    html: str | None = None
    image: Image | None = None
    tags: tuple[str, ...] = ()
    byline: str | None = None
    path: str | None = field(default=None, compare=False)
    """The file it was read from, as named on the command line or in the configuration
    (None for a feed's article or one read back from the store). Not part of what the
    article is: the same text read from another folder is the same article."""

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.body, self.url or "")

    @property
    def identity(self) -> str:
        """What makes two sightings the same article: the canonical URL, else the guid."""
        return self.url or self.guid


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of the article body: ``body[start:end] == text``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Figure:
    """A statement carrying an important number; ``value`` is the number as written."""

    text: str
    value: str
    start: int
    end: int
    confidence: float = 1.0
    quoted: bool = False
    """Said inside quote marks: someone's words, so never posted as the publisher's own."""
    continues: bool = False
    """A list item finishing its lead-in's sentence ("The law will:" / "- Expand access to
    …"): it has no subject of its own, so a post cannot show it alone."""


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quote without its marks: ``text`` is the segments joined by one space, a
    comma that the attribution's split left before a new sentence written as a full stop."""

    text: str
    speaker: str | None
    role: str | None
    segments: tuple[Span, ...]
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Voice:
    """Whose words an article's body is when it is not the publisher's narrative: a
    statement, message or remarks is its issuer's (``speaker``, ``role``); a briefing's
    transcript, or a statement whose title names no one person, has a voice but no one
    to sign its sentences with (``speaker`` None)."""

    speaker: str | None
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Story:
    """An article plus what extraction found in it, every piece grounded in the body."""

    article: Article
    headline: str
    summary: str
    key_figures: tuple[Figure, ...] = ()
    quote: Quote | None = None
    other_quotes: tuple[Quote, ...] = ()
    voice: Voice | None = None
    """Set when the body is someone's own words: its figures are theirs, not the publisher's."""

    @property
    def id(self) -> str:
        return self.article.identity


@dataclass(frozen=True, slots=True)
class RoundupItem:
    story_id: str
    headline: str
    url: str | None
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Roundup:
    """The day's ranking: featured stories get cards and threads, the rest are listed."""

    day: date
    title: str
    featured: tuple[RoundupItem, ...]
    more: tuple[RoundupItem, ...]


def topic_slug(text: str) -> str:
    """The one slug rule for a topic, wherever it comes from (a subscriber's choice, an
    article's tag): trimmed, case-folded, spaces as hyphens ("Public Health" is
    "public-health")."""
    return text.strip().casefold().replace(" ", "-")


EVERYONE_KEY = "all"


@dataclass(frozen=True, slots=True, order=True)
class Audience:
    """Who a digest variant is for: everyone, or the readers of some topics.

    Its ``key`` is the variant's one spelling wherever a variant is named (outbox keys
    and payloads, categories, ``subscribers count``): ``"all"`` for everyone, else the
    sorted topic slugs joined by commas.
    """

    topics: tuple[str, ...] = ()

    @classmethod
    def of(cls, topics: Iterable[str]) -> Audience:
        return cls(tuple(sorted({topic_slug(t) for t in topics if t.strip()})))

    @classmethod
    def from_key(cls, key: str) -> Audience:
        # "" is how rows planned before the key had one spelling named everyone.
        return cls() if key in ("", EVERYONE_KEY) else cls.of(key.split(","))

    @property
    def everyone(self) -> bool:
        return not self.topics

    @property
    def key(self) -> str:
        return ",".join(self.topics) or EVERYONE_KEY

    def wants(self, tags: Iterable[str]) -> bool:
        """Whether a story with ``tags`` is one of this audience's topics."""
        return bool({topic_slug(t) for t in tags} & set(self.topics))


EVERYONE = Audience()


@dataclass(frozen=True, slots=True)
class Digest:
    """A rendered email, provider-neutral. Placeholders such as ``{{unsubscribe_url}}``
    are left in ``html`` and ``text`` for the email channel to fill per recipient."""

    day: date
    subject: str
    preheader: str
    html: str
    text: str
    story_ids: tuple[str, ...]
    audience: Audience = EVERYONE

    @property
    def variant(self) -> str:
        """The audience's key: the digest's name in outbox keys and payloads."""
        return self.audience.key


@dataclass(frozen=True, slots=True)
class Post:
    text: str
    link: str | None = None
    length: int = 0
    limit: int = 0


@dataclass(frozen=True, slots=True)
class Thread:
    network: str
    story_id: str
    posts: tuple[Post, ...]
    kind: str = "thread"
    carried: tuple[RoundupItem, ...] = ()
    """A roundup post: the headlines it lists, in order."""
    dropped: tuple[RoundupItem, ...] = ()
    """A roundup post: the headlines it was given but has no room for (a line longer
    than a post, or past the network's ``roundup_max_posts``)."""


class Status(enum.StrEnum):
    """A subscriber's status; only ``active`` readers are sent anything.

    The others are ranked, weakest first: ``paused`` (repeated soft bounces),
    ``bounced``, ``unsubscribed`` (the reader's own choice), ``complained`` (a spam
    report). A change from a provider or a link moves a reader only up that order:
    a late bounce never hides that a reader unsubscribed, and nothing but an explicit
    resubscribe (``subscribers add --resubscribe``) or a confirmed sign-up makes a
    reader active again. ``pending`` (signed up on the form, not yet confirmed) is
    below everything: any change replaces it, and it is sent nothing but the
    confirmation email.
    """

    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    PAUSED = "paused"
    PENDING = "pending"

    def replaces(self) -> tuple[Status, ...]:
        """The statuses a change to this one may overwrite: those ranked below it."""
        return _WEAKER[self]


_RANKED = (
    Status.PENDING,
    Status.ACTIVE,
    Status.PAUSED,
    Status.BOUNCED,
    Status.UNSUBSCRIBED,
    Status.COMPLAINED,
)
# Active and pending are never the target of a change (only a resubscribe, a confirmed
# sign-up or a new sign-up sets them), so they replace nothing.
_SET_ONLY_BY_ASKING = (Status.PENDING, Status.ACTIVE)
_WEAKER = {s: () if s in _SET_ONLY_BY_ASKING else _RANKED[:i] for i, s in enumerate(_RANKED)}


class DeliveryState(enum.StrEnum):
    PLANNED = "planned"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    HELD = "held"
    CANCELLED = "cancelled"


class DeliveryKind(enum.StrEnum):
    DIGEST = "digest"
    THREAD_POST = "thread_post"
    ROUNDUP = "roundup"
    PREVIEW = "preview"
    CONFIRMATION = "confirmation"
    """A sign-up's confirmation email, to the one address that asked."""


@dataclass(slots=True)
class Delivery:
    """One row of the outbox: something to hand to one channel, once."""

    channel: str
    kind: DeliveryKind
    idempotency_key: str
    due_at: datetime
    payload: Mapping[str, object] = field(default_factory=dict)
    """What the channel needs, stored as JSON: built as, and read through, the kind's
    type in :mod:`distributor.payloads`."""
    subject_id: str = ""
    content_hash: str = ""
    state: DeliveryState = DeliveryState.PLANNED
    attempts: int = 0
    provider_id: str | None = None
    last_error: str | None = None
    parent_key: str | None = None
    day: date | None = None
    """The day the delivery belongs to (a digest's edition, a thread's day)."""
    expanded_from: str | None = None
    """For a row a digest row was expanded into (a batch), that row's key."""
    id: int | None = None


@dataclass(frozen=True, slots=True)
class SendResult:
    """What a channel reports after a provider accepted a delivery."""

    provider_id: str | None
    detail: dict[str, object] = field(default_factory=dict)

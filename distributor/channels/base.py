"""The one send sequence every channel follows.

A channel object is shared by a worker's threads: whatever one request needs (a client
with its session, the provider's last answer) is kept per thread
(:meth:`Channel.per_thread`), and what is shared is set once and only read (options, a
server's length rule, computed the same by whichever thread asks first).

``deliver`` is fixed: build the provider payload, post it, parse the answer. A channel
overrides only those three steps and declares its limits on the class. Errors leave
as :class:`~distributor.errors.Retryable`, :class:`~distributor.errors.Permanent` or
:class:`~distributor.errors.Uncertain`, carrying the payload and the provider's answer.
"""

from __future__ import annotations

import copy
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self, TypeVar

from distributor.errors import ChannelError
from distributor.models import Delivery, DeliveryKind, SendResult, Status
from distributor.payloads import Recipient
from distributor.settings import Settings, build_section

if TYPE_CHECKING:
    from distributor.text import LengthRule

T = TypeVar("T")


@dataclass(frozen=True)
class NoOptions:
    """For channels that take no options of their own."""


@dataclass(frozen=True)
class DeliveryContext:
    """What a delivery needs from the outbox beyond its own row."""

    reply_to: str | None = None
    """The provider id of the post this one replies to (threads)."""
    root: str | None = None
    """The provider id of the thread's first post, for networks whose replies name the
    root as well as the parent (Bluesky)."""


@dataclass(frozen=True)
class SentMatch:
    """A post on the account that carries a delivery's text: what an operator needs to
    settle an uncertain delivery (``distributor outbox mark-sent ID --provider-id``)."""

    provider_id: str
    posted_at: str
    url: str | None = None


def same_text(a: str, b: str) -> bool:
    """Equal once whitespace runs are one space: how a network may reflow a post."""
    return " ".join(a.split()) == " ".join(b.split())


class Channel(ABC):
    name: ClassVar[str]
    kinds: ClassVar[frozenset[DeliveryKind]]
    Options: ClassVar[type[Any]] = NoOptions

    def __init__(self, settings: Settings, options: Any | None = None) -> None:
        self.settings = settings
        self.options = options if options is not None else self.options_from(settings)
        self._local = threading.local()

    def per_thread(self, name: str, build: Callable[[], T]) -> T:
        """This thread's ``name`` (a client, a session), built on first use in the
        thread, so worker threads never share one request's state."""
        found: T | None = getattr(self._local, name, None)
        if found is None:
            found = build()
            setattr(self._local, name, found)
        return found

    @classmethod
    def options_from(cls, settings: Settings) -> Any:
        raw = settings.channels.get(cls.name, {})
        return build_section(cls.Options, raw, path=settings.path, prefix=f"channels.{cls.name}")

    def deliver(self, delivery: Delivery, context: DeliveryContext | None = None) -> SendResult:
        ctx = context or DeliveryContext()
        try:
            payload = self.build_payload(delivery, ctx)
        except NothingToSend as nothing:
            # Done without a request: the outbox records it sent, with the reason.
            return SendResult(provider_id=None, detail={"skipped": str(nothing)})
        try:
            response = self.post(payload)
        except ChannelError as exc:
            if exc.payload is None:
                exc.payload = self.redact(payload)
            exc.channel = exc.channel or self.name
            raise
        return self.parse_response(response, delivery)

    @abstractmethod
    def build_payload(self, delivery: Delivery, context: DeliveryContext) -> dict[str, Any]:
        """Turn an outbox row into what the provider's client takes."""

    @abstractmethod
    def post(self, payload: dict[str, Any]) -> Any:
        """Send it. Map every failure to Retryable, Permanent or Uncertain."""

    @abstractmethod
    def parse_response(self, response: Any, delivery: Delivery) -> SendResult:
        """Read the provider's id (and anything worth keeping) from its answer."""

    def preflight(self) -> list[str]:
        """Problems that would stop a send (a missing secret, say), without sending."""
        return []

    def redact(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload as it may be shown in errors and logs."""
        return payload

    def find_sent(self, delivery: Delivery) -> list[SentMatch] | None:
        """The account's recent posts with this delivery's text, newest first, so that
        an uncertain one can be settled; None where the provider offers no such look."""
        return None

    def length_rule(self) -> LengthRule | None:
        """The length rule this channel's server says it enforces, when it says one
        (a Mastodon instance's limit); None: the network's default applies."""
        return None


class NothingToSend(Exception):
    """Raised by ``build_payload`` when the delivery has become empty since it was
    planned (everyone in a batch has unsubscribed): no request is made and the delivery
    counts as done, its detail saying why."""


class Recipients(Protocol):
    """Who a batch row of a digest goes to (a ``digest`` delivery expanded from another,
    its payload a :class:`~distributor.payloads.DigestBatch`): its id range's
    still-active subscribers, each with their substitutions (name, links issued on the
    delivery's day)."""

    def __call__(self, delivery: Delivery) -> list[Recipient]: ...


class EmailChannel(Channel):
    """A channel that sends the digest to subscribers in batches. It declares itself by
    its class, whatever its name, so a third-party email channel registered by entry
    point is fanned out like the built-in one; its readers come through ``recipients``,
    given at construction (or by :meth:`reading`, which returns a new channel)."""

    def __init__(
        self,
        settings: Settings,
        options: Any | None = None,
        *,
        recipients: Recipients | None = None,
    ) -> None:
        super().__init__(settings, options)
        self.recipients = recipients

    def suppression_lists(self) -> dict[str, Status]:
        """The provider's own suppression lists, each with the status it means here,
        copied into the subscriber table before a send; none by default."""
        return {}

    def suppressions(self, list_name: str, since: int) -> Iterator[list[tuple[str, int]]]:
        """Pages of (address, epoch seconds added) on one of :meth:`suppression_lists`
        since ``since``; failures leave as ChannelError."""
        return iter(())

    def reading(self, recipients: Recipients) -> Self:
        """This channel reading its batches' readers from ``recipients`` (a copy: the
        channel given is left as it was)."""
        other = copy.copy(self)
        other.recipients = recipients
        return other

"""The payload of each kind of delivery: what an outbox row carries to its channel.

One ``TypedDict`` per shape, built by its writer and read through its ``parse_*``
function, so mypy checks every key on both sides:

=========================================  ======================  ======================
delivery                                   payload                 built by
=========================================  ======================  ======================
``digest`` (one per audience)              :class:`DigestPayload`  the planner
``digest`` with ``expanded_from`` set      :class:`DigestBatch`    the email fan-out's
(a batch of the one it names)                                      expander
``thread_post``, ``roundup``               :class:`PostPayload`    ``compose.threads``
``preview`` on the files channel           :class:`FilesPayload`   the planner, ``run``,
                                                                   ``preview``
one email request listing its recipients   :class:`EmailRequest`   ``email_payload``
(``send-test``'s ``preview``)                                      (``send-test``)
``confirmation`` (a sign-up's email)       :class:`Confirmation`   ``pipeline.signup``
=========================================  ======================  ======================

The outbox stores a payload as JSON and hands it back as a plain dict. A reader takes it
through the ``parse_*`` function of the shape it expects, which checks every field once
and raises :class:`~distributor.errors.PayloadError` naming the delivery and the field
(the dispatcher fails that row and goes on with the others), never a ``KeyError``.

The stored shape is unchanged: the keys and values are exactly those rows were written
with before these types, so rows already in a database are read as they are (no
migration) and planning a day again finds their content hash unchanged. For the same
reason ``day`` stays in the payloads that always had it, though a reader takes the day
from ``Delivery.day``; a field that older rows may lack is ``NotRequired``.
"""

# No ``from __future__ import annotations`` here: Python 3.11 reads a TypedDict's
# required keys from its evaluated annotations, and a postponed ``NotRequired[...]``
# would count as required.

import json
import types
from datetime import date
from functools import cache
from typing import Any, NotRequired, TypedDict, TypeVar, Union, cast, get_args, get_origin
from typing import get_type_hints as _type_hints
from typing import is_typeddict as _is_typeddict

from distributor.errors import PayloadError
from distributor.models import Delivery

BATCH_MARK = ":batch-"
"""What a digest batch's key adds to the key of the digest row it was expanded from,
before its number (``sendgrid:digest:all:2026-12-04:batch-00001``)."""


class DigestPayload(TypedDict):
    """A digest row: the rendered email of one audience, before the fan-out. The
    placeholders (``{{unsubscribe_url}}``, ``{{name}}``...) are left in for the email
    channel."""

    subject: str
    preheader: str
    html: str
    text: str
    story_ids: list[str]
    day: str
    variant: str
    """The audience's key (``Audience.key``; ``""`` in rows planned before "all")."""
    covers_from: NotRequired[str]
    """ISO times: the span of first sightings an edition planned by ``run`` covers."""
    covers_until: NotRequired[str]


class Recipient(TypedDict):
    """One reader of an email request, with their substitution values."""

    email: str
    name: NotRequired[str]
    substitutions: NotRequired[dict[str, str]]
    unsubscribe_url: NotRequired[str]


class EmailContent(TypedDict):
    """What one email request sends, the same for each of its recipients."""

    subject: str
    html: str
    text: str
    batch_key: str
    categories: list[str]
    custom_args: dict[str, str]
    sandbox: NotRequired[bool]
    """Ask the provider to validate the request and deliver nothing (absent: false)."""
    test: NotRequired[bool]


class EmailRequest(EmailContent):
    """One email request that lists its recipients (``send-test``)."""

    recipients: list[Recipient]


class Confirmation(EmailRequest):
    """A sign-up's confirmation email: one request to the one address that asked, its
    signed link in the content (no per-recipient substitutions)."""

    consent_id: int
    """The consent record the link confirms."""


class DigestBatch(EmailContent):
    """A batch of a digest row's fan-out: the content, and the id range of subscribers
    whose still-active members the email channel reads when it sends."""

    day: str
    variant: str
    batch: int
    after_id: int
    last_id: int
    planned: int
    """How many readers the range held when it was planned."""


class PostPayload(TypedDict):
    """One post of a thread or of the roundup; the post it replies to reaches the channel
    as ``DeliveryContext.reply_to``."""

    text: str
    link: str | None
    """The article's link (the first post of a thread); Bluesky shows it as a card."""
    network: str
    story_id: str
    """The story's id, or ``"roundup"``."""
    index: int
    count: int
    day: str
    position: NotRequired[int]
    """The same as ``index`` (rows planned before the link card title lack it)."""
    link_title: NotRequired[str]
    link_description: NotRequired[str]


class FilesPayload(TypedDict):
    """The files channel's row: ``{relative path: text}`` to write."""

    files: dict[str, str]
    day: str


def parse_digest(delivery: Delivery) -> DigestPayload:
    return _parse(delivery, DigestPayload, "digest")


def parse_digest_batch(delivery: Delivery) -> DigestBatch:
    return _parse(delivery, DigestBatch, "digest batch")


def parse_email_request(delivery: Delivery) -> EmailRequest:
    return _parse(delivery, EmailRequest, "email")


def parse_confirmation(delivery: Delivery) -> Confirmation:
    return _parse(delivery, Confirmation, "confirmation")


def parse_post(delivery: Delivery) -> PostPayload:
    return _parse(delivery, PostPayload, "post")


def parse_files(delivery: Delivery) -> FilesPayload:
    return _parse(delivery, FilesPayload, "files")


def day_of(delivery: Delivery) -> date:
    """The day a delivery belongs to (a batch's links are issued on it)."""
    if delivery.day is None:
        raise PayloadError(_called(delivery), "day", "the delivery has no day (Delivery.day)")
    return delivery.day


# --- checking -----------------------------------------------------------------------

T = TypeVar("T")


def _parse(delivery: Delivery, shape: type[T], name: str) -> T:
    wrong = _wrong(delivery.payload, shape, "")
    if wrong is not None:
        field, problem = wrong
        what = f"the {name} payload's {field}" if field else f"the {name} payload"
        raise PayloadError(_called(delivery), field, f"{what} {problem}")
    return cast(T, delivery.payload)


def _called(delivery: Delivery) -> str:
    key = delivery.idempotency_key
    return f"delivery {delivery.id} ({key})" if delivery.id is not None else f"delivery {key}"


@cache
def _fields(shape: type) -> tuple[dict[str, Any], frozenset[str]]:
    required: frozenset[str] = getattr(shape, "__required_keys__", frozenset())
    return _type_hints(shape), required


def _wrong(value: object, hint: Any, path: str) -> tuple[str, str] | None:
    """Where ``value`` is not a ``hint`` (the field's path, what is wrong), or None."""
    if _is_typeddict(hint):
        if not isinstance(value, dict):
            return path, f"is {_json(value)}, not an object"
        fields, required = _fields(hint)
        for key, field_hint in fields.items():
            where = f"{path}.{key}" if path else key
            if key not in value:
                if key in required:
                    return where, "is missing"
                continue
            found = _wrong(value[key], field_hint, where)
            if found is not None:
                return found
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = get_args(hint)
        if any(_wrong(value, option, path) is None for option in options):
            return None
        return path, f"is {_json(value)}, not {' or '.join(_name(o) for o in options)}"
    if origin is list:
        if not isinstance(value, list):
            return path, f"is {_json(value)}, not a list"
        (item,) = get_args(hint)
        for i, element in enumerate(value):
            found = _wrong(element, item, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    if origin is dict:
        if not isinstance(value, dict):
            return path, f"is {_json(value)}, not an object"
        _, item = get_args(hint)
        for key, element in value.items():
            found = _wrong(element, item, f"{path}[{json.dumps(key, ensure_ascii=False)}]")
            if found is not None:
                return found
        return None
    if hint is type(None):
        ok = value is None
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, hint)
    return None if ok else (path, f"is {_json(value)}, not {_name(hint)}")


_NAMES: dict[object, str] = {
    str: "a string",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


def _name(hint: Any) -> str:
    return _NAMES.get(get_origin(hint) or hint, "an object")


def _json(value: object) -> str:
    """The JSON name of ``value``'s type, as an operator reading the row would see it."""
    if isinstance(value, bool):
        return _NAMES[bool]
    return _NAMES.get(type(value), type(value).__name__)

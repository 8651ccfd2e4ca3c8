"""Readers' signed links: what the unsubscribe and preferences links carry as ``u``.

A link value is ``TOKEN.KID.ISSUED.SIGNATURE``:

- ``TOKEN``, the reader's random token from the store (URL-safe base64);
- ``KID``, which key signed it (a short hash of the key, never the key), so the secret
  can be rotated: the new key signs, and the previous ones, named in
  ``subscribers.previous_link_secrets_env``, still verify the links already sent;
- ``ISSUED``, the day of the edition the link was sent in (``YYYYMMDD``); a link works
  for ``subscribers.link_days`` after it (at least 60, so an unsubscribe link in an
  old email keeps working as the law and the mailbox providers expect);
- ``SIGNATURE``, HMAC-SHA256 over the rest, shortened to 128 bits.

The issue day comes from the edition, not the clock, so a batch retried tomorrow
carries the very same links as the first attempt.

A sign-up's confirmation link (``t``) is signed the same way, with the same keys and
key ids, but for another purpose (its HMAC starts from ``confirm:``, a reader link's
from ``link:``, so neither can stand for the other): ``NONCE.KID.ISSUED.SIGNATURE``,
``NONCE`` the consent record's random reference and ``ISSUED`` the Unix time it was
sent, since it works for days, not months (``signup.confirm_days``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from distributor.errors import ConfigError
from distributor.settings import LINK_SECRET_MIN, Settings, secret

_VALUE = re.compile(r"([A-Za-z0-9_-]{1,128})\.([0-9a-f]{8})\.(\d{8})\.([0-9a-f]{32})")
_CONFIRM = re.compile(r"([A-Za-z0-9_-]{16,64})\.([0-9a-f]{8})\.(\d{10})\.([0-9a-f]{32})")
_LINK = b"link:"
_CONFIRMATION = b"confirm:"


def _strong(env: str, value: str) -> bytes:
    if len(value) < LINK_SECRET_MIN:
        size = f"{len(value)} character{'' if len(value) == 1 else 's'}"
        raise ConfigError(
            f"the environment variable {env} is too short ({size}); use at "
            f"least {LINK_SECRET_MIN} random ones, e.g. the output of "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return value.encode("utf-8")


def link_secret(settings: Settings) -> bytes:
    """The key that signs readers' links: from the environment, and long enough that
    nobody can guess it and unsubscribe other people."""
    env = settings.subscribers.link_secret_env
    return _strong(env, secret(env, "the key that signs unsubscribe and preferences links"))


def link_keys(settings: Settings) -> tuple[bytes, ...]:
    """Every key a link may have been signed with: the current one first, then the
    previous ones (whitespace-separated in ``previous_link_secrets_env``, if set)."""
    env = settings.subscribers.previous_link_secrets_env
    previous = ""
    if os.environ.get(env, "").strip():
        previous = secret(env, "the keys that signed links before the current one")
    return (link_secret(settings), *(_strong(env, v) for v in previous.split()))


@lru_cache(maxsize=16)
def key_id(key: bytes) -> str:
    """Eight hex digits naming a key; they tell nothing about the key itself."""
    return hashlib.sha256(b"distributor link key id:" + key).hexdigest()[:8]


@lru_cache(maxsize=32)
def _pads(key: bytes, purpose: bytes) -> tuple[Any, Any]:
    # RFC 2104 with the pads hashed once: the same HMAC-SHA256 as hmac.digest, at a
    # third of the cost per link (a million links is a second, not three).
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    inner.update(purpose)
    return inner, hashlib.sha256(bytes(b ^ 0x5C for b in key))


def _mac(inner: Any, outer: Any, signed: str) -> str:
    i = inner.copy()
    i.update(signed.encode("ascii"))
    o = outer.copy()
    o.update(i.digest())
    digest: str = o.hexdigest()
    return digest[:32]


def _sign(key: bytes, signed: str, purpose: bytes = _LINK) -> str:
    inner, outer = _pads(key, purpose)
    return _mac(inner, outer, signed)


def link_signer(key: bytes, issued: date) -> Callable[[str], str]:
    """``link_value`` for one key and edition day: what every link of the edition
    shares (the key id, the day, the HMAC pads) is worked out once, since a batch signs
    a thousand links and formatting the day alone costs more than the HMAC."""
    suffix = f".{key_id(key)}.{issued:%Y%m%d}"
    inner, outer = _pads(key, _LINK)

    def sign(token: str) -> str:
        signed = token + suffix
        return f"{signed}.{_mac(inner, outer, signed)}"

    return sign


def link_value(key: bytes, token: str, issued: date) -> str:
    """The ``u`` of a reader's links in the edition of ``issued``."""
    return link_signer(key, issued)(token)


@dataclass(frozen=True)
class Checked:
    """What a link value says: the reader's token when the link is good; otherwise why
    not (``expired`` is told apart so the page can say so)."""

    token: str | None
    expired: bool = False
    issued: date | None = None
    """The day of the edition the link came in (a good link only)."""


def check(keys: Sequence[bytes], value: str, *, today: date, days: int) -> Checked:
    """The token of a link value signed by one of ``keys`` and issued at most ``days``
    before ``today``."""
    m = _VALUE.fullmatch(value)
    if m is None or not _signed(keys, m, _LINK):
        return Checked(None)
    token, _, issued, _ = m.groups()
    try:
        day = date(int(issued[:4]), int(issued[4:6]), int(issued[6:]))
    except ValueError:
        return Checked(None)
    if day > today + timedelta(days=1) or today - day > timedelta(days=days):
        # A day after today is allowed for time zones; one further on was never sent.
        return Checked(None, expired=day <= today)
    return Checked(token, issued=day)


def _signed(keys: Sequence[bytes], m: re.Match[str], purpose: bytes) -> bool:
    """Whether the value ``m`` matched is signed, for ``purpose``, by the key it names."""
    kid, signature = m.group(2), m.group(4)
    key = next((k for k in keys if key_id(k) == kid), None)
    if key is None:
        return False
    return hmac.compare_digest(_sign(key, m.string[: m.start(4) - 1], purpose), signature)


def confirm_value(key: bytes, nonce: str, issued: datetime) -> str:
    """The ``t`` of a confirmation link sent at ``issued``."""
    signed = f"{nonce}.{key_id(key)}.{int(issued.timestamp()):010d}"
    return f"{signed}.{_sign(key, signed, _CONFIRMATION)}"


def check_confirm(keys: Sequence[bytes], value: str, *, now: datetime, days: int) -> Checked:
    """The consent reference of a confirmation link signed by one of ``keys`` and sent
    at most ``days`` before ``now``."""
    m = _CONFIRM.fullmatch(value)
    if m is None or not _signed(keys, m, _CONFIRMATION):
        return Checked(None)
    issued = datetime.fromtimestamp(int(m.group(3)), UTC)
    if issued > now + timedelta(minutes=5) or now - issued > timedelta(days=days):
        # A few minutes ahead is a clock apart; further on was never sent.
        return Checked(None, expired=issued <= now)
    return Checked(m.group(1))


def redact(value: str) -> str:
    """A link value fit for a log line: which key and day (or time), never the token."""
    m = _VALUE.fullmatch(value) or _CONFIRM.fullmatch(value)
    return f"<{m.group(2)}.{m.group(3)}>" if m else "<invalid>"

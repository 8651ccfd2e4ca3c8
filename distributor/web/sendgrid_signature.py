"""SendGrid's Signed Event Webhook: is a post SendGrid's, and is it fresh?

SendGrid signs the timestamp header followed by the raw body with ECDSA on P-256 and
SHA-256, and sends the DER signature, base64-encoded, in another header. Its
verification key (Mail Settings > Event Webhook > Signature Verification) is a
base64 DER SubjectPublicKeyInfo; it comes only from ``SENDGRID_WEBHOOK_PUBLIC_KEY``
and is never printed or logged.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import load_der_public_key

from distributor.errors import ConfigError
from distributor.settings import secret

PUBLIC_KEY_ENV = "SENDGRID_WEBHOOK_PUBLIC_KEY"
SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
MAX_SKEW_SECONDS = 300
"""How old (or how far ahead of our clock) a signed timestamp may be."""

# The order of P-256: (r, s) and (r, n - s) are both valid signatures of one message.
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_PEM_ARMOUR = re.compile(r"-----(?:BEGIN|END) PUBLIC KEY-----")


def load_public_key(value: str) -> ec.EllipticCurvePublicKey:
    """SendGrid's verification key as its settings page shows it (a PEM block is taken
    too); a ConfigError naming the variable, never the value, when it is not one."""
    text = "".join(_PEM_ARMOUR.sub("", value).split())
    try:
        key = load_der_public_key(base64.b64decode(text, validate=True))
    except (ValueError, binascii.Error, UnsupportedAlgorithm) as exc:
        raise ConfigError(
            f"the environment variable {PUBLIC_KEY_ENV} does not hold a public key; copy "
            "the verification key from SendGrid (Mail Settings > Event Webhook > "
            "Signature Verification) as it is shown there"
        ) from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ConfigError(
            f"the environment variable {PUBLIC_KEY_ENV} holds a key that is not ECDSA on "
            "P-256, the kind SendGrid signs its Event Webhook with"
        )
    return key


def configured_key() -> ec.EllipticCurvePublicKey | None:
    """The verification key from the environment; None when it is not set."""
    if not os.environ.get(PUBLIC_KEY_ENV, "").strip():
        return None
    return load_public_key(secret(PUBLIC_KEY_ENV, "SendGrid's Event Webhook verification key"))


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a post is SendGrid's and fresh; if so, what identifies it against replays
    (the signed timestamp and the signature in one canonical form), else why not."""

    refused: str | None
    signed_at: int = 0
    signature: str = ""


def check(
    key: ec.EllipticCurvePublicKey,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    *,
    now: float,
) -> Verdict:
    """Check one post: its headers' ``timestamp`` and ``signature`` over ``body``."""
    if not timestamp or not signature:
        return Verdict("not signed (no signature or timestamp header)")
    if not _TIMESTAMP.fullmatch(timestamp):
        return Verdict("the timestamp is not a number of seconds")
    signed_at = int(timestamp)
    if abs(now - signed_at) > MAX_SKEW_SECONDS:
        return Verdict(f"the timestamp is more than {MAX_SKEW_SECONDS} s from now")
    try:
        der = base64.b64decode(signature, validate=True)
        r, s = decode_dss_signature(der)
        key.verify(der, timestamp.encode("ascii") + body, ec.ECDSA(hashes.SHA256()))
    except (ValueError, binascii.Error, InvalidSignature):
        return Verdict("the signature does not match")
    # The low-s form: the same signature re-encoded with n - s is the same replay.
    canonical = encode_dss_signature(r, min(s, _P256_ORDER - s))
    return Verdict(None, signed_at, base64.b64encode(canonical).decode("ascii"))

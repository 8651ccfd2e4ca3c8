"""SendGrid's side of the Event Webhook, for tests: a P-256 key made for the test run,
events shaped as SendGrid posts them, and posts signed as SendGrid signs them
(ECDSA over the timestamp header followed by the raw body, SHA-256, DER, base64)."""

from __future__ import annotations

import base64
import itertools
import json
import time
from typing import Any

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from distributor.web.sendgrid_signature import SIGNATURE_HEADER, TIMESTAMP_HEADER

DAY = "2026-12-04"
BATCH_KEY = f"sendgrid:digest:{DAY}:health:batch-00001"
_ids = itertools.count(1)


def event(kind: str, email: str, **fields: Any) -> dict[str, Any]:
    """One event as SendGrid posts it, with the custom_args and categories our digests
    carry; ``fields`` add to or replace what it has."""
    n = next(_ids)
    return {
        "email": email,
        "timestamp": int(time.time()),
        "event": kind,
        "sg_event_id": f"ev-{n}-{kind}",
        "sg_message_id": f"msg-{email}.filter0001.1.0",
        "smtp-id": f"<{n}@ismtpd>",
        "category": ["digest", f"digest-{DAY}", "variant-health"],
        "batch_key": BATCH_KEY,
        "digest_date": DAY,
        **fields,
    }


class SendGrid:
    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())

    @property
    def public_key(self) -> str:
        """The verification key as SendGrid's settings page shows it: base64 DER."""
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.key.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: base64.b64encode(signature).decode(),
            TIMESTAMP_HEADER: stamp,
        }

    def post(
        self, url: str, events: list[dict[str, Any]], timestamp: int | None = None
    ) -> requests.Response:
        body = json.dumps(events).encode()
        return requests.post(url, data=body, headers=self.headers(body, timestamp), timeout=30)

"""``POST /webhooks/sendgrid``: SendGrid's Event Webhook, signed, fresh and once.

A post is checked before anything is stored: without the verification key configured
every post is refused (503, and an error in the log saying which variable to set);
a body over ``MAX_BODY`` bytes is a 413; a missing or wrong signature, or a timestamp
more than five minutes from now, a 403. A good post is stored as it came (a second post
with the same timestamp and signature is a replay: 403), then processed in the same
request, which takes a fraction of a second even for thousands of events, and
answered 200. Should storing fail (the database went away), the answer is a 503; should
processing fail, a 500 and the stored batch is processed at the next start
(:func:`process_pending`). Either way SendGrid posts the events again, and they are
recorded once by their id.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from distributor.store.events import EventStore, Recorded, SoftBounceRule
from distributor.web import sendgrid_events, sendgrid_signature
from distributor.web.page import StartResponse
from distributor.web.unsubscribe import WSGIApp

log = logging.getLogger(__name__)

MAX_BODY = 10_000_000
"""Bytes in one post: ten thousand events and more (SendGrid's batches are far smaller)."""
MAX_PROBLEM_LINES = 20
"""Problems logged one by one per batch; the rest are counted."""

_SIGNATURE = "HTTP_" + sendgrid_signature.SIGNATURE_HEADER.upper().replace("-", "_")
_TIMESTAMP = "HTTP_" + sendgrid_signature.TIMESTAMP_HEADER.upper().replace("-", "_")


def make_webhook_app(
    store: EventStore,
    key: ec.EllipticCurvePublicKey | None,
    *,
    rule: SoftBounceRule,
    reader_links: Sequence[str] = (),
) -> WSGIApp:
    """The endpoint, verifying posts with ``key`` (None: refuse them all)."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def answer(status: str, data: dict[str, Any]) -> list[bytes]:
            body = json.dumps(data).encode()
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            if status.startswith("405"):
                headers.append(("Allow", "POST"))
            start_response(status, headers)
            return [body]

        def refuse(status: str, reason: str) -> list[bytes]:
            log.warning(
                "SendGrid webhook post refused from %s: %s", environ.get("REMOTE_ADDR"), reason
            )
            return answer(status, {"error": reason})

        if environ.get("REQUEST_METHOD") != "POST":
            return answer("405 Method Not Allowed", {"error": "only POST"})
        if key is None:
            log.error(
                "SendGrid webhook post refused: %s is not set, so its signature cannot be "
                "checked and unsigned events are never taken. Set it to the verification "
                "key from SendGrid (Mail Settings > Event Webhook > Signature Verification) "
                "and restart",
                sendgrid_signature.PUBLIC_KEY_ENV,
            )
            return answer("503 Service Unavailable", {"error": "signature key not configured"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return refuse("411 Length Required", "no Content-Length")
        if length < 0:
            return refuse("400 Bad Request", "negative Content-Length")
        if length > MAX_BODY:
            return refuse("413 Content Too Large", f"body over {MAX_BODY} bytes")
        body = environ["wsgi.input"].read(length)
        verdict = sendgrid_signature.check(
            key, environ.get(_TIMESTAMP), environ.get(_SIGNATURE), body, now=time.time()
        )
        if verdict.refused:
            return refuse("403 Forbidden", verdict.refused)
        try:
            batch = store.save_batch(verdict.signed_at, verdict.signature, body)
        except Exception as exc:
            # Not the exception's text: a database error quotes the statement's values,
            # and they hold readers' addresses.
            log.error(
                "SendGrid webhook post not stored (%s); SendGrid will post it again",
                type(exc).__name__,
            )
            return answer("503 Service Unavailable", {"error": "not stored, try again"})
        if batch is None:
            return refuse("403 Forbidden", "replayed (this timestamp and signature came before)")
        try:
            recorded = process(store, batch, body, rule=rule, reader_links=reader_links)
        except Exception as exc:
            log.error(
                "SendGrid webhook batch %d stored but not processed (%s); SendGrid will "
                "post it again, and it is processed at the next start",
                batch,
                type(exc).__name__,
            )
            return answer("500 Internal Server Error", {"error": "stored, not processed"})
        return answer("200 OK", {"batch": batch, **recorded.as_dict()})

    return app


def process(
    store: EventStore,
    batch: int,
    body: bytes,
    *,
    rule: SoftBounceRule,
    reader_links: Sequence[str] = (),
) -> Recorded:
    """Read a stored batch's events and record them; problems are logged by field."""
    parsed = sendgrid_events.parse(body, reader_links=reader_links)
    for problem in parsed.problems[:MAX_PROBLEM_LINES]:
        log.warning("SendGrid webhook batch %d: %s", batch, problem)
    if len(parsed.problems) > MAX_PROBLEM_LINES:
        log.warning(
            "SendGrid webhook batch %d: %d more problems",
            batch,
            len(parsed.problems) - MAX_PROBLEM_LINES,
        )
    recorded = store.record(batch, parsed.events, problems=len(parsed.problems), rule=rule)
    changed = ", ".join(f"{n} {status}" for status, n in recorded.changed.items() if n)
    log.info(
        "SendGrid webhook batch %d: %d events (%d new, %d left out); %s",
        batch,
        recorded.events,
        recorded.new,
        parsed.rejected,
        changed or "no reader's status changed",
    )
    return recorded


def process_pending(
    store: EventStore, *, rule: SoftBounceRule, reader_links: Sequence[str] = ()
) -> int:
    """Process the batches stored but not processed before (a crash or a database error
    in between); how many there were."""
    done = 0
    for batch, body in store.pending():
        process(store, batch, body, rule=rule, reader_links=reader_links)
        done += 1
    return done

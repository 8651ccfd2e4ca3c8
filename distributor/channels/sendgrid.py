"""SendGrid v3 Mail Send: one request per batch of up to 1,000 recipients.

The HTML and text are the same for every recipient of a batch; what differs (name,
unsubscribe and preferences links) travels in each personalization's
``substitutions``. Every personalization also carries its own ``List-Unsubscribe``
header, with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058), and
the batch's key rides in each personalization's ``custom_args`` so provider events
map back to the outbox.

What a delivery carries (:mod:`distributor.payloads`) is decided by the row, never by
the keys its payload happens to hold: a ``digest`` row expanded from another
(``Delivery.expanded_from``) is a :class:`~distributor.payloads.DigestBatch`, whose
readers the channel's ``recipients`` reads when it is sent; a ``confirmation`` row is a
sign-up's :class:`~distributor.payloads.Confirmation`, to the one address that asked;
any other row is an :class:`~distributor.payloads.EmailRequest` listing its recipients
(``send-test``). A confirmation is the reader's own request, not the digest: it carries
neither the digest's unsubscribe group (which would have SendGrid drop it for a reader
who once unsubscribed and now asks again) nor the configured categories.
"""

from __future__ import annotations

import http.client
import json
import json.encoder
import logging
import os
import re
import time
import urllib.error
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from distributor.channels.base import DeliveryContext, EmailChannel, NothingToSend, SentMatch
from distributor.errors import AuthError, Permanent, Retryable, Uncertain
from distributor.models import Delivery, DeliveryKind, SendResult, Status
from distributor.payloads import (
    EmailContent,
    Recipient,
    parse_confirmation,
    parse_digest_batch,
    parse_email_request,
)
from distributor.settings import LINK_SECRET_MIN, secret

HOST_ENV = "SENDGRID_API_HOST"
MAX_PERSONALIZATIONS = 1000
MAX_CATEGORIES = 10
ONE_CLICK = "List-Unsubscribe=One-Click"
SUPPRESSION_LISTS = ("unsubscribes", "bounces", "spam_reports", "blocks", "invalid_emails")
JSON_TYPE = "application/json; charset=utf-8"
# python_http_client logs each request's headers (the API key) and body (addresses)
# at DEBUG; keep that logger above DEBUG whatever the root level is.
logging.getLogger("python_http_client.client").setLevel(logging.INFO)
_str = json.encoder.encode_basestring_ascii
_EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


class _Body(bytes):
    """The encoded request; formats as its size, so a debug log shows no addresses."""

    def __format__(self, spec: str) -> str:
        return f"<{len(self)} bytes of JSON>"

    def __str__(self) -> str:
        return self.__format__("")

    def __repr__(self) -> str:
        return self.__format__("")


class _JsonText(str):
    """The serialised body. python_http_client sends a str body as ``body.encode()``
    and formats the result into a debug message on every call (even with debug off);
    formatting a half-megabyte repr costs more than building the batch."""

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return _Body(str.encode(self, encoding, errors))


class _Keys(dict[str, str]):
    """Each key already written as JSON with its colon: a batch repeats the same few
    substitution tags a thousand times."""

    def __missing__(self, key: str) -> str:
        written = self[key] = _str(key) + ":"
        return written


def _strings(mapping: Any, keys: _Keys) -> str:
    """A JSON object of strings (substitution values must be strings)."""
    try:
        return "{" + ",".join([keys[k] + _str(v) for k, v in mapping.items()]) + "}"
    except (TypeError, AttributeError):
        raise Permanent("substitutions must map strings to strings", channel="sendgrid") from None


def header_safe(value: str, limit: int = 998) -> str:
    """A value that cannot start a new header line: control characters become spaces."""
    return " ".join(_CONTROL.sub(" ", value).split())[:limit]


@dataclass(frozen=True)
class SendGridOptions:
    api_host: str = "https://api.sendgrid.com"
    api_key_env: str = "SENDGRID_API_KEY"
    from_email: str = "digest@news.example.org"
    from_name: str = ""
    reply_to: str = ""
    categories: tuple[str, ...] = ("digest",)
    asm_group_id: int = 0
    sandbox_mode: bool = False
    timeout_seconds: float = 30.0

    def __post_init__(self) -> None:
        if not re.fullmatch(r"https?://[^\s/]+(?::\d+)?/?", self.api_host):
            raise ValueError(
                "api_host must be a base URL such as 'https://api.sendgrid.com' or "
                f"'https://api.eu.sendgrid.com', got {self.api_host!r}"
            )
        for name in ("from_email", "reply_to"):
            value = getattr(self, name)
            if (value or name == "from_email") and not _EMAIL.fullmatch(value):
                raise ValueError(f"{name} must be an email address, got {value!r}")
        if len(self.categories) > MAX_CATEGORIES - 3:
            raise ValueError(
                f"categories takes at most {MAX_CATEGORIES - 3} names (SendGrid allows "
                f"{MAX_CATEGORIES}; the digest date, variant and kind use the rest)"
            )
        if self.asm_group_id < 0:
            raise ValueError("asm_group_id must be a SendGrid unsubscribe group id, or 0")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")


def _provider_errors(body: Any) -> str:
    """SendGrid's ``{"errors": [{"field", "message"}]}`` as one readable line."""
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    try:
        errors = json.loads(raw).get("errors", [])
        parts = [
            f"{e.get('field') or 'request'}: {e.get('message', '')}".strip()
            for e in errors
            if isinstance(e, dict)
        ]
        if parts:
            return "; ".join(parts)
    except (ValueError, AttributeError):
        pass
    return raw[:2000] or "(empty body)"


def _header(headers: Any, name: str) -> str | None:
    if headers is None:
        return None
    value = headers.get(name)
    return str(value) if value is not None else None


def _retry_after(headers: Any, now: float | None = None) -> float | None:
    """Seconds to wait: X-RateLimit-Reset (epoch seconds) first, then Retry-After."""
    current = time.time() if now is None else now
    reset = _header(headers, "X-RateLimit-Reset")
    if reset:
        try:
            return max(1.0, float(reset) - current)
        except ValueError:
            pass
    after = _header(headers, "Retry-After")
    if after:
        try:
            return max(1.0, float(after))
        except ValueError:
            pass
    return None


class SendGridChannel(EmailChannel):
    name: ClassVar[str] = "sendgrid"
    kinds: ClassVar[frozenset[DeliveryKind]] = frozenset(
        {DeliveryKind.DIGEST, DeliveryKind.PREVIEW, DeliveryKind.CONFIRMATION}
    )
    Options: ClassVar[type[Any]] = SendGridOptions

    @property
    def host(self) -> str:
        return (os.environ.get(HOST_ENV) or self.options.api_host).rstrip("/")

    def api_key(self) -> str:
        return secret(self.options.api_key_env, "the SendGrid API key (Mail Send permission)")

    def client(self) -> Any:
        """This thread's client."""

        def build() -> Any:
            import sendgrid

            return sendgrid.SendGridAPIClient(api_key=self.api_key(), host=self.host)

        return self.per_thread("client", build)

    def preflight(self) -> list[str]:
        problems: list[str] = []
        if not os.environ.get(self.options.api_key_env, "").strip():
            problems.append(
                f"the environment variable {self.options.api_key_env} is not set; it holds "
                "the SendGrid API key"
            )
        if not self.options.asm_group_id:
            problems.append(
                "asm_group_id is 0: set the SendGrid unsubscribe group so every send carries it"
            )
        link_env = self.settings.subscribers.link_secret_env
        link = os.environ.get(link_env, "").strip()
        if len(link) < LINK_SECRET_MIN:
            n = len(link)
            state = (
                "is not set" if not n else f"is too short ({n} character{'' if n == 1 else 's'})"
            )
            problems.append(
                f"the environment variable {link_env} {state}; it signs readers' unsubscribe "
                f"and preferences links and needs at least {LINK_SECRET_MIN} random characters"
            )
        previous_env = self.settings.subscribers.previous_link_secrets_env
        short = [v for v in os.environ.get(previous_env, "").split() if len(v) < LINK_SECRET_MIN]
        if short:
            problems.append(
                f"the environment variable {previous_env} holds {len(short)} key(s) shorter "
                f"than {LINK_SECRET_MIN} characters; it lists the keys that signed links "
                "before the current one, separated by spaces"
            )
        return problems

    # --- the three steps --------------------------------------------------------

    def build_payload(self, delivery: Delivery, context: DeliveryContext) -> dict[str, Any]:
        """The Mail Send body, serialised here: ``{"json": str, "summary": dict}``.

        A fan-out sends a million personalizations; writing each as one JSON fragment
        is several times cheaper than building nested dicts for the client to encode.
        Every string goes through the JSON encoder's own escaping.
        """
        p: EmailContent
        recipients: list[Recipient]
        if delivery.kind == DeliveryKind.DIGEST and delivery.expanded_from is not None:
            p = parse_digest_batch(delivery)
            if self.recipients is None:
                raise Permanent(
                    "this batch row holds a subscriber range, but the channel was given no "
                    "recipients to read it from (EmailChannel.reading)",
                    channel=self.name,
                )
            recipients = self.recipients(delivery)
            if not recipients:
                raise NothingToSend("everyone in this batch has left since it was planned")
        elif delivery.kind == DeliveryKind.CONFIRMATION:
            confirmation = parse_confirmation(delivery)
            p, recipients = confirmation, confirmation["recipients"]
        else:
            request = parse_email_request(delivery)
            p, recipients = request, request["recipients"]
        if not recipients:
            raise Permanent("the delivery has no recipients", channel=self.name)
        if len(recipients) > MAX_PERSONALIZATIONS:
            raise Permanent(
                f"{len(recipients)} recipients in one request; SendGrid takes at most "
                f"{MAX_PERSONALIZATIONS}",
                channel=self.name,
            )
        body = self._envelope(p, digest=delivery.kind != DeliveryKind.CONFIRMATION)
        # The published spec types the top-level custom_args as a string, so they ride
        # on each personalization (an object there, in the spec and the live API).
        custom_args = {k: header_safe(v, 255) for k, v in p["custom_args"].items()}
        if p["batch_key"]:
            custom_args["batch_key"] = header_safe(p["batch_key"], 255)
        args = f',"custom_args":{json.dumps(custom_args, separators=(",", ":"))}'
        emails = [r["email"].lower() for r in recipients]
        if len(set(emails)) < len(emails):
            raise Permanent("the same address appears twice in one batch", channel=self.name)
        keys = _Keys()
        parts: list[str] = []
        append = parts.append
        any_unsubscribe = False
        for email, r in zip(emails, recipients, strict=True):
            name = r.get("name")
            if name:
                if len(name) > 200 or not name.isprintable():
                    name = header_safe(name, 200)
                head = f'{{"to":[{{"email":{_str(email)},"name":{_str(name)}}}]{args}'
            else:
                head = f'{{"to":[{{"email":{_str(email)}}}]{args}'
            subs = r.get("substitutions")
            if subs:
                head += f',"substitutions":{_strings(subs, keys)}'
            unsubscribe = r.get("unsubscribe_url")
            if unsubscribe:
                any_unsubscribe = True
                if not unsubscribe.isprintable():
                    unsubscribe = header_safe(unsubscribe)
                append(f'{head},"headers":{{"List-Unsubscribe":{_str("<" + unsubscribe + ">")}}}}}')
            else:
                append(head + "}")
        if any_unsubscribe:
            # Merged by SendGrid into each personalization's List-Unsubscribe.
            body["headers"] = {"List-Unsubscribe-Post": ONE_CLICK}
        rest = json.dumps(body, separators=(",", ":"))
        text = '{"personalizations":[' + ",".join(parts) + "]," + rest[1:]
        summary = {**body, "personalizations": f"<{len(parts)} recipients redacted>"}
        summary["content"] = [
            {"type": c["type"], "bytes": len(c["value"].encode("utf-8"))} for c in body["content"]
        ]
        return {"json": text, "summary": summary, "count": len(parts)}

    def _envelope(self, p: EmailContent, *, digest: bool = True) -> dict[str, Any]:
        """Everything but the personalizations: the same for every recipient. Only the
        digest (``digest``) carries the unsubscribe group and the configured categories."""
        opts: SendGridOptions = self.options
        subject = header_safe(p["subject"])
        if not subject:
            raise Permanent("the digest has no subject", channel=self.name)
        text = p["text"]
        if not text:
            raise Permanent("the digest has no plain-text part", channel=self.name)
        sender: dict[str, str] = {"email": opts.from_email}
        if opts.from_name:
            sender["name"] = header_safe(opts.from_name, 200)
        ours = opts.categories if digest else ()
        categories = [header_safe(c, 255) for c in (*ours, *p["categories"])]
        body: dict[str, Any] = {
            "from": sender,
            "subject": subject,
            # text/plain must come before text/html.
            "content": [
                {"type": "text/plain", "value": text},
                {"type": "text/html", "value": p["html"]},
            ],
            "categories": list(dict.fromkeys(c for c in categories if c))[:MAX_CATEGORIES],
        }
        if opts.reply_to:
            body["reply_to"] = {"email": opts.reply_to}
        if opts.asm_group_id and digest:
            body["asm"] = {"group_id": opts.asm_group_id}
        if opts.sandbox_mode or p.get("sandbox"):
            body["mail_settings"] = {"sandbox_mode": {"enable": True}}
        return body

    def post(self, payload: dict[str, Any]) -> Any:
        from python_http_client.exceptions import HTTPError

        client = self.client()
        try:
            # A str body with a non-bare JSON content type is sent as it is.
            response = client.client.mail.send.post(
                request_body=_JsonText(payload["json"]),
                request_headers={"Content-Type": JSON_TYPE},
                timeout=self.options.timeout_seconds,
            )
            return response, payload["count"]
        except HTTPError as exc:
            raise self._http_error(exc, payload) from None
        except urllib.error.URLError as exc:
            # urllib wraps failures while connecting and writing the request: the
            # provider cannot have acted on a request it never fully received.
            raise Retryable(
                f"could not reach {self.host}: {exc.reason}",
                channel=self.name,
                payload=self.redact(payload),
            ) from None
        except (TimeoutError, http.client.HTTPException, ConnectionError) as exc:
            raise Uncertain(
                f"the request was sent but no complete answer came back ({type(exc).__name__}); "
                "SendGrid may have accepted it, so it is not resent automatically",
                channel=self.name,
                payload=self.redact(payload),
            ) from None

    def _http_error(self, exc: Any, payload: dict[str, Any]) -> Exception:
        status = int(exc.status_code)
        detail = _provider_errors(exc.body)
        common: dict[str, Any] = {
            "channel": self.name,
            "status": status,
            "response": detail,
            "payload": self.redact(payload),
        }
        if status in (401, 403):
            return AuthError(
                f"SendGrid refused the API key ({status}): check that "
                f"{self.options.api_key_env} holds a valid key with the Mail Send "
                f"permission. Provider said: {detail}",
                **common,
            )
        if status == 429 or status >= 500:
            return Retryable(
                f"SendGrid answered {status}; try again later. Provider said: {detail}",
                retry_after=_retry_after(exc.headers),
                **common,
            )
        return Permanent(f"SendGrid rejected the batch ({status}): {detail}", **common)

    def parse_response(self, response: Any, delivery: Delivery) -> SendResult:
        answer, count = response
        return SendResult(
            provider_id=_header(answer.headers, "X-Message-Id"),
            detail={"status": answer.status_code, "recipients": count},
        )

    def redact(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Counts instead of addresses, names and per-recipient links; sizes instead of
        the content. The API key is never part of a payload."""
        summary = payload.get("summary")
        return dict(summary) if isinstance(summary, dict) else {}

    # --- suppressions -------------------------------------------------------------

    def _listed(self, body: bytes | None, list_name: str) -> list[Any]:
        """The JSON list a suppression endpoint documents; anything else is a failed sync."""
        try:
            rows = json.loads(body or b"[]")
        except (ValueError, RecursionError):
            raise self._not_documented(list_name) from None
        if not isinstance(rows, list):
            raise self._not_documented(list_name)
        return rows

    def _not_documented(self, list_name: str) -> Permanent:
        return Permanent(
            f"suppression sync: the {list_name} answer is not the documented JSON list",
            channel=self.name,
        )

    def find_sent(self, delivery: Delivery) -> list[SentMatch] | None:
        """The messages SendGrid holds for this batch (the Email Activity API, searched by
        the ``batch_key`` custom argument every message of a batch carries). None when the
        key may not read activity: that API is a paid add-on."""
        from python_http_client.exceptions import HTTPError

        key = header_safe(delivery.idempotency_key, 255).replace('"', "")
        params = {"query": f"unique_args['batch_key']=\"{key}\"", "limit": 10}
        try:
            body = (
                self.client()
                .client.messages.get(query_params=params, timeout=self.options.timeout_seconds)
                .body
            )
        except HTTPError as exc:
            if getattr(exc, "status_code", None) in (401, 403):
                return None
            raise self._http_error(exc, {}) from None
        except (urllib.error.URLError, TimeoutError, http.client.HTTPException) as exc:
            raise Retryable(f"activity lookup failed: {exc}", channel=self.name) from None
        try:
            messages = json.loads(body)["messages"]
            return [
                SentMatch(str(m["msg_id"]), str(m.get("last_event_time", "")), None)
                for m in messages
            ]
        except (ValueError, KeyError, TypeError):
            raise Permanent(
                "the Email Activity answer is not the documented {messages: [...]}",
                channel=self.name,
            ) from None

    def suppression_lists(self) -> dict[str, Status]:
        """Unsubscribes, bounces, invalid addresses and spam reports (blocks are
        temporary, so not copied), and the unsubscribe group's own list."""
        lists = {
            "unsubscribes": Status.UNSUBSCRIBED,
            "bounces": Status.BOUNCED,
            "invalid_emails": Status.BOUNCED,
            "spam_reports": Status.COMPLAINED,
        }
        if self.options.asm_group_id:
            lists[f"group:{self.options.asm_group_id}"] = Status.UNSUBSCRIBED
        return lists

    def suppressions(
        self, list_name: str, since: int, *, page_size: int = 500
    ) -> Iterator[list[tuple[str, int]]]:
        """Pages of (address, created epoch seconds) added to a suppression list since
        ``since``. ``list_name`` is one of SUPPRESSION_LISTS or ``group:<id>``."""
        from python_http_client.exceptions import HTTPError

        client = self.client().client
        if list_name.startswith("group:"):
            endpoint = client.asm.groups._(list_name.split(":", 1)[1]).suppressions
            try:
                body = endpoint.get(timeout=self.options.timeout_seconds).body
            except HTTPError as exc:
                raise self._http_error(exc, {}) from None
            except (urllib.error.URLError, TimeoutError, http.client.HTTPException) as exc:
                raise Retryable(f"suppression sync failed: {exc}", channel=self.name) from None
            # Group suppressions carry no time; report them as "now".
            emails = self._listed(body, list_name)
            if not all(isinstance(e, str) for e in emails):
                raise self._not_documented(list_name)
            yield [(str(e), int(time.time())) for e in emails]
            return
        if list_name not in SUPPRESSION_LISTS:
            raise ValueError(f"unknown suppression list {list_name!r}")
        endpoint = client.suppression._(list_name)
        offset = 0
        while True:
            params = {"start_time": since, "limit": page_size, "offset": offset}
            try:
                body = endpoint.get(query_params=params, timeout=self.options.timeout_seconds).body
            except HTTPError as exc:
                raise self._http_error(exc, {}) from None
            except (urllib.error.URLError, TimeoutError, http.client.HTTPException) as exc:
                raise Retryable(f"suppression sync failed: {exc}", channel=self.name) from None
            rows = self._listed(body, list_name)
            try:
                page = [
                    (str(r["email"]), int(r.get("created") or 0)) for r in rows if r.get("email")
                ]
            except (AttributeError, TypeError, ValueError):
                raise self._not_documented(list_name) from None
            if page:
                yield page
            if len(rows) < page_size:
                return
            offset += page_size

"""Mastodon through Mastodon.py's ``status_post``.

Each post carries an ``Idempotency-Key`` (the delivery's own key), so the server itself
refuses to post the same delivery twice within an hour. Replies name the previous post
(``in_reply_to_id``). The limit and URL cost are the instance's own, read once from
``/api/v2/instance``; Mastodon's defaults (500 and 23) apply if it does not say.
"""

from __future__ import annotations

import html
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Literal

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from distributor.channels.base import Channel, DeliveryContext, SentMatch, same_text
from distributor.channels.x import transport_error
from distributor.errors import AuthError, Permanent, Retryable, Uncertain
from distributor.models import Delivery, DeliveryKind, SendResult
from distributor.payloads import parse_post
from distributor.settings import secret
from distributor.text import LengthRule, MastodonRule


@dataclass(frozen=True)
class MastodonOptions:
    base_url: str = "https://mastodon.social"
    access_token_env: str = "MASTODON_ACCESS_TOKEN"  # noqa: S105 (a variable name)
    visibility: Literal["public", "unlisted", "private", "direct"] = "public"
    language: str = "en"
    spoiler_text: str = ""
    timeout_seconds: float = 20.0

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {self.base_url!r}")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")


_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def _plain(content: str) -> str:
    """A status's HTML as its text: breaks and paragraphs as newlines, tags dropped."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", content)))


def _reset_seconds(response: requests.Response | None) -> float | None:
    """Seconds until Mastodon's ``X-RateLimit-Reset`` (an ISO 8601 time)."""
    value = response.headers.get("X-RateLimit-Reset") if response is not None else None
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value).timestamp()
    except ValueError:
        try:
            when = float(value)
        except ValueError:
            return None
    return max(0.0, when - time.time())


class MastodonChannel(Channel):
    name: ClassVar[str] = "mastodon"
    kinds: ClassVar[frozenset[DeliveryKind]] = frozenset(
        {DeliveryKind.THREAD_POST, DeliveryKind.ROUNDUP}
    )
    Options: ClassVar[type[Any]] = MastodonOptions
    rule: ClassVar[LengthRule] = MastodonRule()
    """The default; :meth:`instance_rule` gives the instance's own."""
    max_posts_per_thread: ClassVar[int | None] = None
    """No cap of the network's own; ours is [social] max_posts_per_thread."""

    _rule: MastodonRule | None = None

    def api(self) -> Mastodon:
        """This thread's client."""
        return self.per_thread("api", self._build_api)

    def _build_api(self) -> Mastodon:
        o: MastodonOptions = self.options
        session = requests.Session()
        # Keep the last answer: Mastodon.py's errors do not carry its headers.
        session.hooks["response"].append(self._keep)
        return Mastodon(
            access_token=secret(o.access_token_env, "the Mastodon account's access token"),
            api_base_url=o.base_url,
            request_timeout=o.timeout_seconds,
            ratelimit_method="throw",
            session=session,
        )

    @property
    def _last_response(self) -> requests.Response | None:
        """The last answer this thread had (the hook runs in the requesting thread)."""
        response: requests.Response | None = getattr(self._local, "response", None)
        return response

    def _keep(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._local.response = response

    def length_rule(self) -> MastodonRule:
        return self.instance_rule()

    def instance_rule(self) -> MastodonRule:
        """The instance's limit and URL cost (from ``/api/v2/instance``), asked once."""
        if self._rule is None:
            limit, url_cost = 500, 23
            try:
                info = self.api().instance_v2()
                statuses = info["configuration"]["statuses"]
                limit = int(statuses.get("max_characters") or limit)
                url_cost = int(statuses.get("characters_reserved_per_url") or url_cost)
            except (MastodonError, KeyError, TypeError, ValueError):
                pass  # an instance that does not say has Mastodon's defaults
            self._rule = MastodonRule(
                limit=limit, url_length=url_cost, spoiler_text=self.options.spoiler_text
            )
        return self._rule

    def preflight(self) -> list[str]:
        env = self.options.access_token_env
        return [] if os.environ.get(env, "").strip() else [f"{env} is not set"]

    def build_payload(self, delivery: Delivery, context: DeliveryContext) -> dict[str, Any]:
        o: MastodonOptions = self.options
        text = parse_post(delivery)["text"]
        rule = self.instance_rule()
        if not rule.fits(text):
            raise Permanent(
                f"post is {rule.length(text)} characters (content warning included); this "
                f"instance allows {rule.limit}",
                channel=self.name,
            )
        payload: dict[str, Any] = {
            "status": text,
            "visibility": o.visibility,
            "language": o.language or None,
            "idempotency_key": delivery.idempotency_key,
        }
        if o.spoiler_text:
            payload["spoiler_text"] = o.spoiler_text
        if context.reply_to:
            payload["in_reply_to_id"] = context.reply_to
        return payload

    def post(self, payload: dict[str, Any]) -> Any:
        try:
            return self.api().status_post(**payload)
        except MastodonRatelimitError:
            raise Retryable(
                "rate limited (429)",
                retry_after=_reset_seconds(self._last_response),
                **self._answer(),
            ) from None
        except MastodonUnauthorizedError:
            raise AuthError(
                "the Mastodon access token was refused (401)", **self._answer()
            ) from None
        except MastodonServerError:
            raise Retryable("server error", **self._answer()) from None
        except MastodonNotFoundError:
            raise Permanent(
                "the post to reply to is gone (404); the thread stops here", **self._answer()
            ) from None
        except MastodonNetworkError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, requests.RequestException):
                raise transport_error(cause, self.name) from None
            raise Uncertain(f"network failure: {exc}", channel=self.name) from None
        except MastodonAPIError:
            answer = self._answer()
            if answer.get("status") == 403:
                raise AuthError("the account may not post (403)", **answer) from None
            raise Permanent(
                f"Mastodon refused the post ({answer.get('status')})", **answer
            ) from None

    def _answer(self) -> dict[str, Any]:
        r = self._last_response
        out: dict[str, Any] = {"channel": self.name}
        if r is not None:
            out["status"] = r.status_code
            out["response"] = r.text[:2000]
        return out

    def parse_response(self, response: Any, delivery: Delivery) -> SendResult:
        status_id = response.get("id") if hasattr(response, "get") else None
        if not status_id:
            raise Uncertain("Mastodon answered without a status id", channel=self.name)
        return SendResult(provider_id=str(status_id), detail={"url": response.get("url")})

    def redact(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in payload.items() if "token" not in k.lower()}

    def find_sent(self, delivery: Delivery) -> list[SentMatch] | None:
        """Among the account's last 40 statuses (Mastodon renders them as HTML)."""
        text = parse_post(delivery)["text"]
        try:
            me = self.api().account_verify_credentials()
            statuses = self.api().account_statuses(me["id"], limit=40)
        except MastodonError as exc:
            raise Retryable(
                f"could not read the account's posts: {exc}", channel=self.name
            ) from None
        return [
            SentMatch(str(s["id"]), str(s.get("created_at", "")), s.get("url"))
            for s in statuses
            if same_text(_plain(str(s.get("content", ""))), text)
        ]

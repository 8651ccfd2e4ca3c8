"""X (Twitter) through tweepy's v2 ``Client.create_tweet``, OAuth 1.0a user context.

A thread is posted one delivery per post: each post after the first replies to the
previous one (``DeliveryContext.reply_to``, the id the outbox recorded for it). The
base URL can point at another server (``[channels.x] base_url`` or ``X_API_BASE_URL``):
tweepy hard-codes its host, so a transport adapter rewrites the URL after OAuth signing,
which leaves the signature exactly as production computes it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import requests
import tweepy
from requests.adapters import HTTPAdapter

from distributor.channels.base import Channel, DeliveryContext
from distributor.errors import AuthError, ChannelError, Permanent, Retryable, Uncertain
from distributor.models import Delivery, DeliveryKind, SendResult
from distributor.payloads import parse_post
from distributor.settings import secret
from distributor.text import LengthRule, XRule

TWEEPY_HOST = "https://api.twitter.com"
BASE_URL_ENV = "X_API_BASE_URL"


@dataclass(frozen=True)
class XOptions:
    base_url: str = ""
    """Empty: $X_API_BASE_URL when set, else the real API."""
    consumer_key_env: str = "X_API_KEY"
    consumer_secret_env: str = "X_API_SECRET"  # noqa: S105 (a variable name)
    access_token_env: str = "X_ACCESS_TOKEN"  # noqa: S105
    access_token_secret_env: str = "X_ACCESS_TOKEN_SECRET"  # noqa: S105
    timeout_seconds: float = 20.0

    def __post_init__(self) -> None:
        if self.base_url and not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {self.base_url!r}")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")


class _Redirect(HTTPAdapter):
    """Sends tweepy's requests to ``base`` (after signing) with a timeout on every call."""

    def __init__(self, base: str, timeout: float) -> None:
        super().__init__()
        self.base = base.rstrip("/")
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if self.base and request.url and request.url.startswith(TWEEPY_HOST):
            request.url = self.base + request.url[len(TWEEPY_HOST) :]
        kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def retry_after(headers: Mapping[str, str], name: str) -> float | None:
    """Seconds until the epoch time in header ``name`` (at least 0), or None."""
    value = headers.get(name) or headers.get(name.lower())
    if not value:
        return None
    try:
        return max(0.0, float(value) - time.time())
    except ValueError:
        return None


def transport_error(exc: requests.RequestException, channel: str) -> ChannelError:
    """A failure without an HTTP answer: retryable if nothing was sent, else uncertain."""
    if isinstance(exc, requests.ConnectTimeout):
        return Retryable(f"could not connect in time: {type(exc).__name__}", channel=channel)
    if isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.ReadTimeout):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", None)
        if type(inner).__name__ in ("NewConnectionError", "NameResolutionError"):
            return Retryable(f"could not connect: {type(inner).__name__}", channel=channel)
    return Uncertain(
        f"no answer after the request was sent ({type(exc).__name__}); it may have been "
        "posted: check the account before retrying",
        channel=channel,
    )


class XChannel(Channel):
    name: ClassVar[str] = "x"
    kinds: ClassVar[frozenset[DeliveryKind]] = frozenset(
        {DeliveryKind.THREAD_POST, DeliveryKind.ROUNDUP}
    )
    Options: ClassVar[type[Any]] = XOptions
    rule: ClassVar[LengthRule] = XRule()
    max_posts_per_thread: ClassVar[int] = 25
    """X's own cap on a thread composed at once; ours is [social] max_posts_per_thread."""

    @property
    def base_url(self) -> str:
        return str(self.options.base_url or os.environ.get(BASE_URL_ENV, "") or TWEEPY_HOST)

    def client(self) -> tweepy.Client:
        """This thread's client."""
        return self.per_thread("client", self._build_client)

    def _build_client(self) -> tweepy.Client:
        o: XOptions = self.options
        client = tweepy.Client(
            consumer_key=secret(o.consumer_key_env, "the X API key (consumer key)"),
            consumer_secret=secret(o.consumer_secret_env, "the X API key secret"),
            access_token=secret(o.access_token_env, "the X access token of the account"),
            access_token_secret=secret(
                o.access_token_secret_env, "the X access token secret of the account"
            ),
        )
        client.session.mount(TWEEPY_HOST + "/", _Redirect(self.base_url, o.timeout_seconds))
        return client

    def preflight(self) -> list[str]:
        o: XOptions = self.options
        envs = (
            o.consumer_key_env,
            o.consumer_secret_env,
            o.access_token_env,
            o.access_token_secret_env,
        )
        return [f"{env} is not set" for env in envs if not os.environ.get(env, "").strip()]

    def build_payload(self, delivery: Delivery, context: DeliveryContext) -> dict[str, Any]:
        text = parse_post(delivery)["text"]
        if not self.rule.fits(text):
            raise Permanent(
                f"post is {self.rule.length(text)} weighted characters; X allows {self.rule.limit}",
                channel=self.name,
            )
        payload: dict[str, Any] = {"text": text}
        if context.reply_to:
            payload["in_reply_to_tweet_id"] = context.reply_to
        return payload

    def post(self, payload: dict[str, Any]) -> Any:
        try:
            return self.client().create_tweet(**payload)
        except tweepy.TooManyRequests as exc:
            raise Retryable(
                "rate limited (429)",
                retry_after=retry_after(exc.response.headers, "x-rate-limit-reset"),
                **self._answer(exc),
            ) from None
        except tweepy.TwitterServerError as exc:
            raise Retryable(
                f"server error ({exc.response.status_code})", **self._answer(exc)
            ) from None
        except tweepy.Unauthorized as exc:
            raise AuthError("the X credentials were refused (401)", **self._answer(exc)) from None
        except tweepy.Forbidden as exc:
            text = " ".join(exc.api_messages).lower()
            if "duplicate" in text:
                raise Permanent("X refused a duplicate post (403)", **self._answer(exc)) from None
            raise AuthError(
                "the account may not post (403); check the app's permissions",
                **self._answer(exc),
            ) from None
        except tweepy.HTTPException as exc:
            status = exc.response.status_code
            raise Permanent(f"X refused the post ({status})", **self._answer(exc)) from None
        except requests.RequestException as exc:
            raise transport_error(exc, self.name) from None

    def _answer(self, exc: tweepy.HTTPException) -> dict[str, Any]:
        return {
            "channel": self.name,
            "status": exc.response.status_code,
            "response": exc.response.text[:2000],
        }

    def parse_response(self, response: Any, delivery: Delivery) -> SendResult:
        data = getattr(response, "data", None) or {}
        tweet_id = data.get("id") if isinstance(data, dict) else None
        if not tweet_id:
            raise Uncertain("X answered without a post id", channel=self.name)
        return SendResult(provider_id=str(tweet_id), detail={"text": data.get("text", "")})

    def redact(self, payload: dict[str, Any]) -> dict[str, Any]:
        # Payloads carry no credentials; this drops anything that ever could.
        return {
            k: v
            for k, v in payload.items()
            if "token" not in k.lower() and "secret" not in k.lower()
        }

"""Bluesky through the atproto SDK: ``createSession``, then one ``createRecord`` of an
``app.bsky.feed.post`` per post.

Links written with ``http://`` or ``https://`` and our own hashtags become facets with
UTF-8 byte offsets. Bluesky links only what a facet names, so a bare domain in article
text ("claim at refunds.example") stays plain text, as do article hashtags. The article
link of a thread's first post becomes a link card (``app.bsky.embed.external``). A reply
names both the thread's root and its parent by ``{uri, cid}``: the provider id recorded
for a post is ``"<uri>|<cid>"``. ``DeliveryContext.root`` may carry the first post's; without it the
root is read from the parent record (``com.atproto.repo.getRecord``), which holds after
a crash as well.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
from atproto import Client, Request
from atproto.exceptions import (
    AtProtocolError,
    BadRequestError,
    InvokeTimeoutError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)

from distributor.channels.base import Channel, DeliveryContext, SentMatch, same_text
from distributor.errors import AuthError, ChannelError, Permanent, Retryable, Uncertain
from distributor.models import Delivery, DeliveryKind, SendResult
from distributor.payloads import parse_post
from distributor.settings import secret
from distributor.text import BlueskyRule, LengthRule, url_spans

POST = "app.bsky.feed.post"
_TAG = re.compile(r"(?<![\w#＃])[#＃](\w{1,64})(?!\w)")


@dataclass(frozen=True)
class BlueskyOptions:
    base_url: str = "https://bsky.social"
    handle_env: str = "BLUESKY_HANDLE"
    app_password_env: str = "BLUESKY_APP_PASSWORD"  # noqa: S105 (a variable name)
    language: str = "en"
    link_card: bool = True
    timeout_seconds: float = 20.0

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {self.base_url!r}")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")


def strong_ref(provider_id: str) -> dict[str, str]:
    """``"<uri>|<cid>"`` as a ``com.atproto.repo.strongRef``."""
    uri, sep, cid = provider_id.partition("|")
    if not sep or not uri.startswith("at://") or not cid:
        raise Permanent(
            f"not a Bluesky post id (expected '<at-uri>|<cid>'): {provider_id!r}", channel="bluesky"
        )
    return {"uri": uri, "cid": cid}


def facets(text: str) -> list[dict[str, Any]]:
    """Link and hashtag facets, indexed by UTF-8 byte offsets into ``text``.

    Only URLs with a protocol are links: the links we write always carry one, and a bare
    domain comes from article text, which must not gain a link it never had.
    """

    def byte(i: int) -> int:
        return len(text[:i].encode("utf-8"))

    out: list[dict[str, Any]] = []
    spans = url_spans(text, with_protocol_only=True)
    for start, end in spans:
        uri = text[start:end]
        out.append(
            {
                "index": {"byteStart": byte(start), "byteEnd": byte(end)},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}],
            }
        )
    for m in _TAG.finditer(text):
        if any(s <= m.start() < e for s, e in spans) or m.group(1).isdigit():
            continue
        out.append(
            {
                "index": {"byteStart": byte(m.start()), "byteEnd": byte(m.end())},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": m.group(1)}],
            }
        )
    return sorted(out, key=lambda f: f["index"]["byteStart"])


def _reset_seconds(headers: Mapping[str, str]) -> float | None:
    value = headers.get("ratelimit-reset") or headers.get("RateLimit-Reset")
    try:
        return max(0.0, float(value) - time.time()) if value else None
    except ValueError:
        return None


class BlueskyChannel(Channel):
    name: ClassVar[str] = "bluesky"
    kinds: ClassVar[frozenset[DeliveryKind]] = frozenset(
        {DeliveryKind.THREAD_POST, DeliveryKind.ROUNDUP}
    )
    Options: ClassVar[type[Any]] = BlueskyOptions
    rule: ClassVar[LengthRule] = BlueskyRule()
    max_posts_per_thread: ClassVar[int | None] = None
    """No cap of the network's own; ours is [social] max_posts_per_thread."""

    def client(self) -> tuple[Client, str]:
        """This thread's logged-in client and the account's DID (a session per thread)."""
        return self.per_thread("session", self._login)

    def _login(self) -> tuple[Client, str]:
        o: BlueskyOptions = self.options
        handle = secret(o.handle_env, "the Bluesky handle of the account")
        password = secret(o.app_password_env, "a Bluesky app password of the account")
        client = Client(o.base_url, request=Request(timeout=o.timeout_seconds))
        # A self-hosted PDS need not serve the app.bsky profile lookup: skip it.
        self._guard(lambda: client.login(handle, password, fetch_bsky_profile=False))
        session = client._session
        if session is None:
            raise AuthError("Bluesky login gave no session", channel=self.name)
        return client, session.did

    def preflight(self) -> list[str]:
        o: BlueskyOptions = self.options
        return [
            f"{env} is not set"
            for env in (o.handle_env, o.app_password_env)
            if not os.environ.get(env, "").strip()
        ]

    def build_payload(self, delivery: Delivery, context: DeliveryContext) -> dict[str, Any]:
        o: BlueskyOptions = self.options
        post = parse_post(delivery)
        text = post["text"]
        if not self.rule.fits(text):
            raise Permanent(
                f"post is {self.rule.length(text)} graphemes and "
                f"{len(text.encode('utf-8'))} bytes; Bluesky allows 300 and 3000",
                channel=self.name,
            )
        record: dict[str, Any] = {
            "$type": POST,
            "text": text,
            "createdAt": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }
        if o.language:
            record["langs"] = [o.language]
        found = facets(text)
        if found:
            record["facets"] = found
        link = post["link"]
        if o.link_card and link:
            record["embed"] = {
                "$type": "app.bsky.embed.external",
                "external": {
                    "uri": link,
                    "title": post.get("link_title") or text.split("\n", 1)[0],
                    "description": post.get("link_description", ""),
                },
            }
        payload: dict[str, Any] = {"collection": POST, "record": record}
        if context.reply_to:
            parent = strong_ref(context.reply_to)
            record["reply"] = {"parent": parent}
            if context.root:
                record["reply"]["root"] = strong_ref(context.root)
            else:
                # Only the parent is known: its own reply names the root (see post()).
                payload["root_from_parent"] = True
        return payload

    def post(self, payload: dict[str, Any]) -> Any:
        client, did = self.client()
        data = {"repo": did, **payload}
        if data.pop("root_from_parent", False):
            reply = data["record"]["reply"]
            reply["root"] = self._root_of(client, reply["parent"])
        return self._guard(lambda: client.com.atproto.repo.create_record(data))

    def find_sent(self, delivery: Delivery) -> list[SentMatch] | None:
        """Among the account's last 50 posts (``com.atproto.repo.listRecords``)."""
        text = parse_post(delivery)["text"]
        client, did = self.client()
        params = {"repo": did, "collection": POST, "limit": 50}
        found = self._guard(lambda: client.com.atproto.repo.list_records(params))
        matches: list[SentMatch] = []
        for record in found.records:
            value = record.value
            # The SDK gives a model for known record types and a dict for others.
            if isinstance(value, dict):
                posted, created = value.get("text"), value.get("createdAt")
            else:
                posted, created = getattr(value, "text", ""), getattr(value, "created_at", "")
            if same_text(str(posted or ""), text):
                matches.append(SentMatch(f"{record.uri}|{record.cid}", str(created or "")))
        return matches

    def _root_of(self, client: Client, parent: dict[str, str]) -> dict[str, str]:
        """The thread root a reply to ``parent`` must name: the parent's own root, or the
        parent itself when it starts the thread. Read from the PDS, so it holds after a
        crash and whatever the caller remembers."""
        repo, _, rest = parent["uri"].removeprefix("at://").partition("/")
        collection, _, rkey = rest.partition("/")
        params = {"repo": repo, "collection": collection, "rkey": rkey}
        found = self._guard(lambda: client.com.atproto.repo.get_record(params))
        value = found.value
        reply = value.get("reply") if isinstance(value, dict) else getattr(value, "reply", None)
        root = reply.get("root") if isinstance(reply, dict) else getattr(reply, "root", None)
        if root is None:
            return dict(parent)
        if isinstance(root, dict):
            return {"uri": str(root["uri"]), "cid": str(root["cid"])}
        return {"uri": str(root.uri), "cid": str(root.cid)}

    def _guard(self, call: Any) -> Any:
        """Run an SDK call, mapping its failures to Retryable/Permanent/AuthError/Uncertain."""
        try:
            return call()
        except RateLimitExceededError as exc:
            headers = exc.response.headers if exc.response is not None else {}
            raise Retryable(
                "rate limited (429)", retry_after=_reset_seconds(headers), **self._answer(exc)
            ) from None
        except UnauthorizedError as exc:
            raise AuthError("the Bluesky login was refused", **self._answer(exc)) from None
        except BadRequestError as exc:
            raise Permanent("Bluesky refused the post (400)", **self._answer(exc)) from None
        except (InvokeTimeoutError, NetworkError) as exc:
            raise self._network(exc) from None
        except RequestErrorBase as exc:
            answer = self._answer(exc)
            status = answer.get("status") or 0
            if status >= 500:
                raise Retryable(f"server error ({status})", **answer) from None
            raise Permanent(f"Bluesky refused the post ({status})", **answer) from None
        except AtProtocolError as exc:
            raise Uncertain(f"unexpected answer: {type(exc).__name__}", channel=self.name) from None

    def _network(self, exc: NetworkError) -> ChannelError:
        if exc.response is not None:
            answer = self._answer(exc)
            if answer.get("status") == 502:
                return Retryable("bad gateway (502)", **answer)
            return Permanent(f"Bluesky refused the post ({answer.get('status')})", **answer)
        cause = exc.__cause__
        if isinstance(cause, httpx.ConnectTimeout | httpx.ConnectError):
            return Retryable(f"could not connect: {type(cause).__name__}", channel=self.name)
        return Uncertain(
            f"no answer after the request was sent ({type(cause).__name__}); it may have "
            "been posted: check the account before retrying",
            channel=self.name,
        )

    def _answer(self, exc: RequestErrorBase) -> dict[str, Any]:
        out: dict[str, Any] = {"channel": self.name}
        if exc.response is not None:
            out["status"] = exc.response.status_code
            content = exc.response.content
            if isinstance(content, bytes):
                text = content.decode("utf-8", "replace")
            elif isinstance(content, str | dict):
                text = str(content)
            else:  # the SDK's XrpcError
                text = f"{getattr(content, 'error', '')}: {getattr(content, 'message', '')}"
            out["response"] = text[:2000]
        return out

    def parse_response(self, response: Any, delivery: Delivery) -> SendResult:
        uri, cid = getattr(response, "uri", None), getattr(response, "cid", None)
        if not uri or not cid:
            raise Uncertain("Bluesky answered without a uri and cid", channel=self.name)
        return SendResult(provider_id=f"{uri}|{cid}", detail={"uri": uri})

    def redact(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in payload.items() if k not in ("password", "accessJwt")}

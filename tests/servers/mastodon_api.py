"""Mastodon's REST API as Mastodon.py uses it: ``/api/v2/instance``,
``verify_credentials`` and ``POST /api/v1/statuses``.

Mastodon publishes no machine-readable spec; the status rules follow its validator as
described in ``specs/mastodon/README.md``: the content warning plus the text, counted in
grapheme clusters, every URL with a protocol counting ``characters_reserved_per_url``,
``@user@domain`` counting as ``@user``; over the limit, 422. An ``Idempotency-Key`` seen
before returns the status it created instead of posting again.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import regex
from twitter_text.extract_urls import extract_urls_with_indices

from tests.servers.base import FakeServer, Recorded, Reply

TOKEN = "masto-token-value"
VISIBILITIES = ("public", "unlisted", "private", "direct")
_MENTION = re.compile(r"(?<![=/\w])@(\w+)@[\w.-]+\w")


def status_length(text: str, spoiler: str, url_cost: int) -> int:
    found = extract_urls_with_indices(text, False)
    countable, pos = [], 0
    for url in found:
        start, end = url["indices"]
        countable.append(text[pos:start] + "x" * url_cost)
        pos = end
    countable.append(text[pos:])
    counted = _MENTION.sub(r"@\1", "".join(countable))
    return len(regex.findall(r"\X", spoiler)) + len(regex.findall(r"\X", counted))


class FakeMastodon(FakeServer):
    def __init__(self, *, max_characters: int = 500, url_cost: int = 23) -> None:
        super().__init__()
        self.max_characters = max_characters
        self.url_cost = url_cost
        self.statuses: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(113000000000000001)

    def _account(self) -> dict[str, Any]:
        return {
            "id": "1",
            "username": "news",
            "acct": "news",
            "display_name": "News",
            "url": f"{self.url}/@news",
            "created_at": "2026-01-01T00:00:00.000Z",
        }

    def handle(self, request: Recorded) -> Reply:
        path = request.path.rstrip("/")
        if request.method == "GET" and path in ("/api/v2/instance", "/api/v1/instance"):
            return Reply(200, self._instance())
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return Reply(401, {"error": "The access token is invalid"})
        if path == "/api/v1/accounts/verify_credentials":
            return Reply(200, self._account())
        if request.method == "POST" and path == "/api/v1/statuses":
            return self._post_status(request)
        if request.method == "GET" and path == "/api/v1/accounts/1/statuses":
            limit = int(request.query.get("limit", ["20"])[-1])
            return Reply(200, list(reversed(self.statuses.values()))[:limit])
        return Reply(404, {"error": "Record not found"})

    def _instance(self) -> dict[str, Any]:
        return {
            "domain": "127.0.0.1",
            "title": "Test instance",
            "version": "4.3.0",
            "api_versions": {"mastodon": 2},
            "source_url": "https://github.com/mastodon/mastodon",
            "description": "A local instance for tests",
            "configuration": {
                "urls": {"streaming": self.url.replace("http", "ws")},
                "accounts": {"max_featured_tags": 10},
                "statuses": {
                    "max_characters": self.max_characters,
                    "max_media_attachments": 4,
                    "characters_reserved_per_url": self.url_cost,
                },
            },
            "registrations": {"enabled": False, "approval_required": False, "message": None},
            "contact": {"email": "admin@example.org"},
            "rules": [],
        }

    def _post_status(self, request: Recorded) -> Reply:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            raw = request.json()
            form = {k: str(v) for k, v in raw.items() if v is not None}
        else:
            form = {k: v[-1] for k, v in request.form().items()}
        key = request.headers.get("idempotency-key")
        if key and key in self.by_key:
            return Reply(200, self.by_key[key])
        text = form.get("status", "")
        spoiler = form.get("spoiler_text", "")
        if not text.strip():
            return Reply(422, {"error": "Validation failed: Text can't be blank"})
        visibility = form.get("visibility", "public")
        if visibility not in VISIBILITIES:
            return Reply(422, {"error": f"Validation failed: Visibility {visibility!r} is invalid"})
        language = form.get("language")
        if language is not None and not re.fullmatch(r"[a-z]{2,3}", language):
            return Reply(422, {"error": "Validation failed: Language is invalid"})
        if status_length(text, spoiler, self.url_cost) > self.max_characters:
            return Reply(
                422,
                {
                    "error": "Validation failed: Text character limit of "
                    f"{self.max_characters} exceeded"
                },
            )
        reply_to = form.get("in_reply_to_id")
        if reply_to is not None and reply_to not in self.statuses:
            return Reply(404, {"error": "Record not found"})
        status_id = str(next(self._ids))
        status = {
            "id": status_id,
            "uri": f"{self.url}/users/news/statuses/{status_id}",
            "url": f"{self.url}/@news/{status_id}",
            "created_at": "2026-11-28T09:00:00.000Z",
            "content": f"<p>{text}</p>",
            "spoiler_text": spoiler,
            "visibility": visibility,
            "language": language,
            "in_reply_to_id": reply_to,
            "sensitive": bool(spoiler),
            "account": self._account(),
            "media_attachments": [],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
        }
        self.statuses[status_id] = {"text": text, "reply_to": reply_to, "key": key, **status}
        if key:
            self.by_key[key] = status
        return Reply(200, status)

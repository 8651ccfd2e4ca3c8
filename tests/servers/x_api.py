"""X API v2 ``POST /2/tweets``, each request checked against the official OpenAPI spec.

Validation is in-process with openapi-core against ``x/openapi.prism.json`` (the copy
whose OAuth 1.0a scheme is a checkable ``Authorization`` header; see the specs README).
Tweet length is checked with twitter-text's reference ``parse_tweet``, because the spec
sets no length limit.
"""

from __future__ import annotations

import functools
import itertools
import warnings
from pathlib import Path
from typing import Any

import requests
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest
from twitter_text import parse_tweet

from tests.servers.base import FakeServer, Recorded, Reply

SPEC_HOST = "https://api.x.com"


@functools.cache
def _spec(path: Path) -> OpenAPI:
    # Two parameters of the published spec repeat an enum value: skip the spec's own check.
    return OpenAPI.from_file_path(str(path), config=Config(spec_validator_cls=None))


def _problem(status: int, title: str, detail: str) -> Reply:
    return Reply(
        status, {"title": title, "detail": detail, "type": "about:blank", "status": status}
    )


class FakeX(FakeServer):
    def __init__(self, specs_dir: Path) -> None:
        super().__init__()
        self.spec = _spec(specs_dir / "x" / "openapi.prism.json")
        self.tweets: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1866000000000000001)

    def violations(self, request: Recorded) -> str | None:
        """Why the spec rejects this request, or None."""
        prepared = requests.Request(
            request.method,
            SPEC_HOST + request.path,
            data=request.body,
            headers=request.headers,
            params={k: v for k, v in request.query.items()},
        ).prepare()
        try:
            with warnings.catch_warnings():
                # openapi-core cannot check an Authorization apiKey scheme's format; it says so.
                warnings.simplefilter("ignore", UserWarning)
                self.spec.validate_request(RequestsOpenAPIRequest(prepared))
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        return None

    def handle(self, request: Recorded) -> Reply:
        if request.method != "POST" or request.path != "/2/tweets":
            return _problem(404, "Not Found", f"no route {request.method} {request.path}")
        auth = request.headers.get("authorization", "")
        if not (auth.startswith("OAuth ") and "oauth_signature=" in auth) and not auth.startswith(
            "Bearer "
        ):
            return _problem(401, "Unauthorized", "Unauthorized")
        problem = self.violations(request)
        if problem:
            return _problem(400, "Invalid Request", problem)
        body = request.json()
        text = body.get("text", "")
        parsed = parse_tweet(text)
        if not parsed.valid:
            return _problem(400, "Invalid Request", f"text is too long ({parsed.weightedLength})")
        if any(t["text"] == text for t in self.tweets.values()):
            return _problem(
                403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
            )
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if reply_to is not None and reply_to not in self.tweets:
            return _problem(400, "Invalid Request", f"tweet {reply_to} does not exist")
        tweet_id = str(next(self._ids))
        self.tweets[tweet_id] = {"text": text, "reply_to": reply_to}
        return Reply(
            201, {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}
        )

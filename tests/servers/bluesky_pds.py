"""A Bluesky PDS's XRPC as the atproto SDK uses it to post: ``createSession`` and
``createRecord``, each input and record checked against the official lexicons.

Replies must name a root and a parent this server created, with their CIDs, so a
thread posted out of order or with a wrong reference is refused.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import time
from pathlib import Path
from typing import Any

from tests.servers.base import FakeServer, Recorded, Reply
from tests.servers.lexicon import Lexicons

DID = "did:plc:z72i7hdynmk6r22z27h6tvur"
HANDLE = "news.test"
PASSWORD = "app-pass-word-value"
_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _jwt(scope: str) -> str:
    # The SDK reads "exp" from the token; nobody checks the signature here.
    head = _b64({"alg": "ES256K", "typ": "at+jwt"})
    body = _b64(
        {"scope": scope, "sub": DID, "iat": int(time.time()), "exp": int(time.time()) + 3600}
    )
    return f"{head}.{body}.c2lnbmF0dXJl"


def _tid(n: int) -> str:
    """A record key in TID form: microseconds and a clock id, base32-sortable."""
    value = ((1_764_320_000_000_000 + n) << 10) | 1
    chars = []
    for _ in range(13):
        chars.append(_SORTABLE[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def _cid(data: bytes) -> str:
    digest = base64.b32encode(hashlib.sha256(data).digest()).decode().lower().rstrip("=")
    return "bafyrei" + digest[:52]


def _error(status: int, error: str, message: str) -> Reply:
    return Reply(status, {"error": error, "message": message})


class FakePDS(FakeServer):
    def __init__(self, specs_dir: Path) -> None:
        super().__init__()
        self.lexicons = Lexicons(specs_dir / "bluesky" / "lexicons")
        self.records: dict[str, dict[str, Any]] = {}
        """uri -> {"cid", "record"} of every post created, in order."""
        self.access = _jwt("com.atproto.access")
        self._n = itertools.count(1)

    def handle(self, request: Recorded) -> Reply:
        nsid = request.path.removeprefix("/xrpc/")
        if request.method == "POST" and nsid == "com.atproto.server.createSession":
            return self._create_session(request)
        if request.method == "POST" and nsid == "com.atproto.repo.createRecord":
            return self._create_record(request)
        if request.method == "GET" and nsid == "com.atproto.repo.getRecord":
            return self._get_record(request)
        if request.method == "GET" and nsid == "com.atproto.repo.listRecords":
            return self._list_records(request)
        return _error(501, "MethodNotImplemented", f"{request.method} {nsid} is not served here")

    def _create_session(self, request: Recorded) -> Reply:
        body = request.json()
        problems = self.lexicons.validate_input("com.atproto.server.createSession", body)
        if problems:
            return _error(400, "InvalidRequest", "; ".join(problems))
        if body["identifier"] not in (HANDLE, DID) or body["password"] != PASSWORD:
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        return Reply(
            200,
            {
                "accessJwt": self.access,
                "refreshJwt": _jwt("com.atproto.refresh"),
                "handle": HANDLE,
                "did": DID,
                "active": True,
            },
        )

    def violations(self, request: Recorded) -> list[str]:
        """Why the lexicons refuse this createRecord call (empty when they accept it)."""
        body = request.json()
        problems = self.lexicons.validate_input("com.atproto.repo.createRecord", body)
        if problems:
            return problems
        return self.lexicons.validate_record(body["collection"], body["record"])

    def _get_record(self, request: Recorded) -> Reply:
        q = {k: v[-1] for k, v in request.query.items()}
        uri = f"at://{q.get('repo')}/{q.get('collection')}/{q.get('rkey')}"
        found = self.records.get(uri)
        if found is None:
            return _error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return Reply(200, {"uri": uri, "cid": found["cid"], "value": found["record"]})

    def _list_records(self, request: Recorded) -> Reply:
        """The repo's posts, newest first (the lexicon's default order)."""
        q = {k: v[-1] for k, v in request.query.items()}
        if q.get("repo") not in (DID, HANDLE) or q.get("collection") != "app.bsky.feed.post":
            return _error(400, "InvalidRequest", "unknown repo or collection")
        limit = int(q.get("limit", "50"))
        newest = list(reversed(self.records.items()))[:limit]
        return Reply(
            200,
            {"records": [{"uri": u, "cid": r["cid"], "value": r["record"]} for u, r in newest]},
        )

    def _create_record(self, request: Recorded) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.access}":
            return _error(401, "AuthenticationRequired", "Authentication Required")
        problems = self.violations(request)
        if problems:
            return _error(400, "InvalidRecord", "; ".join(problems))
        body = request.json()
        if body["repo"] not in (DID, HANDLE):
            return _error(400, "InvalidRequest", "repo is not the account of this session")
        record = body["record"]
        reply = record.get("reply")
        if reply:
            for part in ("root", "parent"):
                ref = reply[part]
                known = self.records.get(ref["uri"])
                if known is None or known["cid"] != ref["cid"]:
                    return _error(400, "InvalidRequest", f"reply {part} {ref['uri']} is unknown")
        uri = f"at://{DID}/{body['collection']}/{_tid(next(self._n))}"
        cid = _cid(json.dumps(record, sort_keys=True).encode())
        self.records[uri] = {"cid": cid, "record": record}
        return Reply(200, {"uri": uri, "cid": cid, "validationStatus": "valid"})

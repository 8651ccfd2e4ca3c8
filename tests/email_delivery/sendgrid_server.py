"""A local SendGrid v3 server: Mail Send validated against the official OpenAPI spec,
plus the suppression list endpoints, with faults injected on demand.

It records what it received so tests can assert recipients, batches and headers.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.servers.base import QuietServer


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    answered: int | str = 202


@dataclass
class SendGridServer:
    api_key: str = "SG.test-key"
    spec: Path | None = None
    record: bool = True
    slow_seconds: float = 3.0
    received: list[Received] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    faults: deque[str] = field(default_factory=deque)
    suppressions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    group_suppressions: dict[str, list[str]] = field(default_factory=dict)
    activity: bool = False
    """Whether the account has the Email Activity API (a paid add-on)."""
    requests: int = 0
    bytes_in: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _validator: Any = None
    _httpd: ThreadingHTTPServer | None = None

    def __post_init__(self) -> None:
        if self.spec is not None:
            from openapi_core import OpenAPI

            document = json.loads(self.spec.read_text(encoding="utf-8"))
            # The spec names SendGrid's hosts; paths are what is checked here.
            document["servers"] = [{"url": "http://127.0.0.1"}]
            self._validator = OpenAPI.from_dict(document)

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> SendGridServer:
        server = self

        class Handler(_Handler):
            owner = server

        self._httpd = QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def inject(self, *faults: str) -> None:
        """Answer the next Mail Send requests with these, in order: "202", "400", "401",
        "403", "429", "500", "slow" (answer after slow_seconds) or "drop" (close the
        connection without answering)."""
        self.faults.extend(faults)

    @property
    def sends(self) -> list[Received]:
        return [r for r in self.received if r.path == "/v3/mail/send"]

    def validate(self, raw: bytes, headers: dict[str, str]) -> list[str]:
        if self._validator is None:
            return []
        from openapi_core.testing import MockRequest

        request = MockRequest(
            "http://127.0.0.1",
            "post",
            "/v3/mail/send",
            data=raw,
            content_type="application/json",
            headers=headers,
        )
        try:
            self._validator.validate_request(request)
        except Exception as exc:
            cause = exc.__cause__
            errors = getattr(cause, "schema_errors", None)
            if errors:
                return [
                    f"{'.'.join(str(p) for p in e.absolute_path) or 'body'}: {e.validator}"
                    for e in errors
                ]
            return [f"{type(exc).__name__}: {str(exc)[:300]}"]
        return []


class _Handler(BaseHTTPRequestHandler):
    owner: SendGridServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {self.owner.api_key}":
            return True
        self._answer(
            401,
            {"errors": [{"field": None, "message": "The provided authorization grant is invalid"}]},
        )
        return False

    def do_GET(self) -> None:
        if not self._authorised():
            return
        parts = urlsplit(self.path)
        segments = parts.path.strip("/").split("/")
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self.owner._lock:
            self.owner.received.append(Received("GET", self.path, dict(self.headers), {}))
        if segments[:2] == ["v3", "suppression"] and len(segments) == 3:
            rows = sorted(
                (
                    r
                    for r in self.owner.suppressions.get(segments[2], [])
                    if r["created"] >= int(query.get("start_time", 0))
                ),
                key=lambda r: r["created"],
            )
            offset, limit = int(query.get("offset", 0)), int(query.get("limit", 500))
            self._answer(200, rows[offset : offset + limit])
        elif segments == ["v3", "messages"]:
            self._messages(query)
        elif segments[:3] == ["v3", "asm", "groups"] and segments[4:] == ["suppressions"]:
            self._answer(200, self.owner.group_suppressions.get(segments[3], []))
        else:
            self._answer(404, {"errors": [{"field": None, "message": "not found"}]})

    def _messages(self, query: dict[str, str]) -> None:
        """The Email Activity API (a paid add-on: 403 unless ``activity`` is on), searched
        by one custom argument: ``unique_args['NAME']="VALUE"``."""
        if not self.owner.activity:
            self._answer(403, {"errors": [{"field": None, "message": "access forbidden"}]})
            return
        found = re.fullmatch(r"unique_args\['(\w+)'\]=\"([^\"]*)\"", query.get("query", ""))
        if found is None:
            self._answer(400, {"errors": [{"field": "query", "message": "invalid query"}]})
            return
        name, value = found.groups()
        messages = [
            {
                "msg_id": f"msg-{n}.{i}",
                "to_email": p["to"][0]["email"],
                "subject": r.body.get("subject", ""),
                "status": "delivered",
                "last_event_time": "2026-11-30T07:01:02Z",
            }
            for n, r in enumerate(self.owner.sends, 1)
            if r.answered in ("202", "slow")  # a slow answer was still accepted
            for i, p in enumerate(r.body.get("personalizations", []))
            if (p.get("custom_args") or {}).get(name) == value
        ]
        self._answer(200, {"messages": messages[: int(query.get("limit", 10))]})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        owner = self.owner
        with owner._lock:
            owner.requests += 1
            owner.bytes_in += len(raw)
        if self.path != "/v3/mail/send":
            self._answer(404, {"errors": [{"field": None, "message": "not found"}]})
            return
        if not self._authorised():
            return
        headers = dict(self.headers)
        problems = owner.validate(raw, headers)
        with owner._lock:
            fault = owner.faults.popleft() if owner.faults else "202"
        if owner.record:
            record = Received("POST", self.path, headers, json.loads(raw) if raw else {}, fault)
            with owner._lock:
                owner.received.append(record)
                owner.violations.extend(problems)
        if problems:
            errors = [{"field": p.split(":")[0], "message": p} for p in problems]
            self._answer(400, {"errors": errors})
            return
        if fault == "202":
            self._answer(202, headers={"X-Message-Id": f"msg-{owner.requests}"})
        elif fault == "400":
            self._answer(
                400,
                {
                    "errors": [
                        {
                            "field": "personalizations.0.to.0.email",
                            "message": "Does not contain a valid address.",
                        }
                    ]
                },
            )
        elif fault in ("401", "403"):
            message = "authorization required" if fault == "401" else "access forbidden"
            self._answer(int(fault), {"errors": [{"field": None, "message": message}]})
        elif fault == "429":
            reset = str(int(time.time()) + 30)
            self._answer(
                429,
                {"errors": [{"field": None, "message": "too many requests"}]},
                {
                    "X-RateLimit-Limit": "600",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": reset,
                },
            )
        elif fault == "500":
            self._answer(500, {"errors": [{"field": None, "message": "internal error"}]})
        elif fault == "slow":
            time.sleep(owner.slow_seconds)
            self._answer(202)
        elif fault == "drop":
            self.close_connection = True
        else:
            raise AssertionError(f"unknown fault {fault!r}")

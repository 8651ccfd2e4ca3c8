"""A small threaded HTTP server on 127.0.0.1 that records what it receives and can be told
to fail: the base of the provider fakes the social tests talk to with the real clients."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    status: int = 0

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (to make a client time out after sending)."""
    then_apply: bool = False
    """Handle the request normally (record its effect) but answer with this reply."""


class QuietServer(ThreadingHTTPServer):
    """A client that gave up on a slow answer is what a delay is for: the broken pipe
    when the answer is flushed is not printed, since a test's CLI run may capture stderr
    and read it as its own output."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class FakeServer:
    """Subclasses implement :meth:`handle`; tests queue failures with :meth:`fail_next`."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._queued: list[tuple[str, Reply]] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- for tests -------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def fail_next(self, path: str, reply: Reply, times: int = 1) -> None:
        """Answer the next ``times`` requests whose path ends with ``path`` with ``reply``."""
        with self._lock:
            self._queued.extend([(path, reply)] * times)

    def calls(self, path_suffix: str) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith(path_suffix)]

    @contextmanager
    def running(self) -> Iterator[FakeServer]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                rec = Recorded(
                    self.command,
                    split.path,
                    parse_qs(split.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                forced = server._take(split.path)
                if forced is not None and forced.then_apply:
                    server.handle(rec)
                reply = forced if forced is not None else server.handle(rec)
                rec.status = reply.status
                with server._lock:
                    server.requests.append(rec)
                if reply.delay:
                    time.sleep(reply.delay)
                payload = b"" if reply.body is None else json.dumps(reply.body).encode("utf-8")
                try:
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    if payload:
                        self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: that is what the delay was for

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    # --- for subclasses --------------------------------------------------------------
    def _take(self, path: str) -> Reply | None:
        with self._lock:
            for i, (suffix, reply) in enumerate(self._queued):
                if path.endswith(suffix):
                    del self._queued[i]
                    return reply
        return None

    def handle(self, request: Recorded) -> Reply:
        raise NotImplementedError

"""A small feed server on 127.0.0.1 that misbehaves on request, for the HTTP fetcher."""

from __future__ import annotations

import gzip
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FEED = (Path(__file__).resolve().parents[2] / "examples" / "feeds" / "news.rss").read_bytes()
ETAG = '"v1"'
LAST_MODIFIED = "Sat, 28 Nov 2026 08:00:00 GMT"


# Links relative to where the feed is served, as some sites write them.
RELATIVE = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Gov news</title><link>https://news.example.org/</link>
<description>Announcements</description>
<item><title>Bridge repairs finish a month early</title><link>news/bridge</link>
<guid isPermaLink="false">rel-bridge</guid>
<description>The river crossing reopens to buses on Monday.</description>
<enclosure url="img/bridge.jpg" type="image/jpeg" length="1"/></item>
</channel></rss>
"""


@dataclass
class FeedServer:
    url: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    body: bytes = FEED


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        state = self.server.state
        state.requests.append((self.path, dict(self.headers.items())))
        route = getattr(self, "route_" + self.path.strip("/").replace("-", "_"), None)
        if route is None:
            self.send_error(404)
            return
        route()

    def send(self, body: bytes, kind: str = "application/rss+xml", **headers: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def route_feed(self) -> None:
        if self.headers.get("If-None-Match") == ETAG:
            self.send_response(304)
            self.end_headers()
            return
        self.send(self.server.state.body, ETag=ETAG, Last_Modified=LAST_MODIFIED)

    def route_json(self) -> None:
        self.send(
            b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "application/json"
        )

    def route_broken(self) -> None:
        self.send_error(500, "Internal Server Error")

    def route_gone(self) -> None:
        self.send_error(404, "Not Found")

    def route_slow(self) -> None:
        time.sleep(3)
        self.send(FEED)

    def route_trickle(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        for i in range(0, len(FEED), 40):
            self.wfile.write(FEED[i : i + 40])
            self.wfile.flush()
            time.sleep(0.1)

    def route_trickle_headers(self) -> None:
        # The status line and headers a byte at a time, each well inside the read timeout.
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n" + b"X-Pad: " + (b"a" * 200)
        )
        try:
            for byte in head:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass  # the client gave up, as it should

    def route_huge(self) -> None:
        # No Content-Length: the cap must stop the stream itself.
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        try:
            for _ in range(200):
                self.wfile.write(b"<!-- padding -->" * 4096)
        except OSError:
            pass

    def route_declared_huge(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(50_000_000))
        self.end_headers()

    def route_gzipped(self) -> None:
        self.send(gzip.compress(FEED), Content_Encoding="gzip")

    def route_bomb(self) -> None:
        # Small on the wire, 20 MB once decompressed: the cap counts decoded bytes.
        self.send(gzip.compress(b"<rss>" + b" " * 20_000_000), Content_Encoding="gzip")

    def route_moved(self) -> None:
        self.send_response(301)
        self.send_header("Location", "/feed")
        self.end_headers()

    def route_loop(self) -> None:
        self.send_response(302)
        self.send_header("Location", "/loop")
        self.end_headers()

    def route_relative(self) -> None:
        self.send(RELATIVE)

    def route_to_relative(self) -> None:
        self.send_response(302)
        self.send_header("Location", "/relative")
        self.end_headers()

    def route_page(self) -> None:
        self.send(b"<!doctype html><html><body><p>Welcome</p></body></html>", "text/html")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: FeedServer

    def handle_error(self, request: object, client_address: object) -> None:
        # The client hanging up on a slow or huge answer is what those routes test.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = FeedServer(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.state
    finally:
        server.shutdown()
        server.server_close()

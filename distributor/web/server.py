"""Serving the reader-facing apps on waitress, with limits that hold under attack.

waitress reads each request whole on its I/O thread before a worker thread sees it, so
an idle or slow client holds only its own connection: the one-click unsubscribes of
everyone else go on. A connection idle for ``idle_seconds`` is closed; a body over
``max_body`` bytes or headers over ``max_header`` bytes are refused (413/431) without
being read; ``Content-Length: -1`` is a 400. The access log names the link's key and
day, never the reader's token.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from waitress.server import create_server

from distributor.compose.links import redact
from distributor.errors import ConfigError
from distributor.web.page import StartResponse
from distributor.web.unsubscribe import MAX_BODY, WSGIApp

access_log = logging.getLogger("distributor.web.access")


@dataclass(frozen=True)
class Limits:
    """What one client may take of the server."""

    threads: int = 4
    idle_seconds: int = 15
    max_body: int = MAX_BODY
    max_header: int = 16 * 1024
    connections: int = 200
    trusted_proxy: str = ""
    """The reverse proxy whose X-Forwarded-For names the client (REMOTE_ADDR)."""


def access_logged(app: WSGIApp) -> WSGIApp:
    """``app`` with one log line per request: method, path, the link redacted, status
    and time taken."""

    def logged(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        began = time.perf_counter()
        status: list[str] = []

        def capture(code: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            status.append(code.split(" ", 1)[0])
            return start_response(code, headers, *exc)

        try:
            return app(environ, capture)
        finally:
            query = parse_qs(environ.get("QUERY_STRING", ""))
            name = "t" if "t" in query else "u"
            link = (query.get(name) or [""])[0]
            access_log.info(
                "%s %s %s=%s %s %.0f ms",
                environ.get("REQUEST_METHOD", "-"),
                environ.get("PATH_INFO", "/"),
                name,
                redact(link) if link else "-",
                status[0] if status else "-",
                (time.perf_counter() - began) * 1000,
            )

    return logged


def make_server(app: WSGIApp, host: str, port: int, limits: Limits = Limits()) -> Any:
    """A waitress server for ``app`` bound to ``host:port`` (0 picks a free port; the
    server's ``effective_port`` tells which). ``run()`` serves, ``close()`` stops."""
    proxy: dict[str, Any] = {}
    if limits.trusted_proxy:
        # Only that proxy's X-Forwarded-For is believed, and only its last hop.
        proxy = {
            "trusted_proxy": limits.trusted_proxy,
            "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-for"},
        }
    return create_server(
        access_logged(app),
        host=host,
        port=port,
        threads=limits.threads,
        channel_timeout=limits.idle_seconds,
        # waitress checks idle channels this often; the default (30 s) would let an
        # idle client stay twice as long as idle_seconds says.
        cleanup_interval=max(1, limits.idle_seconds // 2),
        max_request_body_size=limits.max_body,
        max_request_header_size=limits.max_header,
        connection_limit=limits.connections,
        ident="distributor",
        clear_untrusted_proxy_headers=True,
        **proxy,
    )


def stop(server: Any) -> None:
    """Stop a server whose ``run()`` is on another thread. Its sockets are closed on that
    thread (closing them from here would pull them out from under its ``select``);
    with nothing left to watch, ``run()`` returns."""

    def close_all() -> None:
        for channel in list(server._map.values()):
            channel.close()

    # Its trigger closed already means the loop has stopped on its own.
    with contextlib.suppress(OSError):
        server.trigger.pull_trigger(close_all)
    server.task_dispatcher.shutdown()


def serve(
    app: WSGIApp, host: str, port: int, *, limits: Limits = Limits(), ready: Callable[[str], None]
) -> None:
    """Serve until interrupted; ``ready`` gets the base URL once the port is bound."""
    try:
        server = make_server(app, host, port, limits)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another "
            "[web] host or port, or pass --host/--port",
            key="web",
        ) from exc
    run(server, ready)


def run(server: Any, ready: Callable[[str], None]) -> None:
    """Run a server of :func:`make_server` until interrupted; ``ready`` gets its base URL."""
    ready(f"http://{server.effective_host}:{server.effective_port}")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()

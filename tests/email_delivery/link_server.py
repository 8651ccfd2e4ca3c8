"""The unsubscribe/preferences app on a real local HTTP server, for the link tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from wsgiref.simple_server import WSGIRequestHandler, make_server

from distributor.pipeline import email_fanout as fo
from distributor.pipeline.unsubscribe import WSGIApp
from distributor.store.subscribers import SubscriberStore


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(app: WSGIApp) -> Iterator[str]:
    """``http://127.0.0.1:PORT`` while the app answers there."""
    httpd = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def link_value(store: SubscriberStore, key: bytes, email: str) -> str:
    """What a reader's links carry as ``u``."""
    subscriber = store.get(email)
    assert subscriber is not None
    return fo.link_value(key, subscriber.token)

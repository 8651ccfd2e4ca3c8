"""The unsubscribe/preferences app on the production server (waitress, with its limits)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from distributor.compose import links
from distributor.store.subscribers import SubscriberStore
from distributor.web.server import Limits, make_server, stop
from distributor.web.unsubscribe import WSGIApp


@contextmanager
def serving(app: WSGIApp, limits: Limits | None = None) -> Iterator[str]:
    """``http://127.0.0.1:PORT`` while the app answers there."""
    server = make_server(app, "127.0.0.1", 0, limits or Limits())
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stop(server)
        thread.join(timeout=5)
        assert not thread.is_alive()


def link_value(store: SubscriberStore, key: bytes, email: str, issued: date | None = None) -> str:
    """What a reader's links carry as ``u`` (issued today unless told)."""
    subscriber = store.get(email)
    assert subscriber is not None
    return links.link_value(key, subscriber.token, issued or datetime.now(UTC).date())

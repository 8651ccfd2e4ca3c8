"""The unsubscribe and preferences links' endpoint: a tiny WSGI app.

``POST ?u=LINK`` (a value of :mod:`distributor.compose.links`) unsubscribes at once:
that is RFC 8058's one-click request (body ``List-Unsubscribe=One-Click``) sent by
Gmail and Yahoo, and also the confirmation form below. ``GET`` only shows that form,
because mail scanners open links to check them and must not unsubscribe anyone by
doing so. Requests to the preferences path go to :mod:`distributor.web.preferences`.
A link past its ``subscribers.link_days`` gets a page that says so and changes nothing.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from distributor.compose.links import check
from distributor.store.subscribers import SubscriberStore
from distributor.web import page
from distributor.web.page import StartResponse
from distributor.web.preferences import preferences_page

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
MAX_BODY = 4096


def _utc_today() -> date:
    return datetime.now(UTC).date()


def make_app(
    store: SubscriberStore,
    keys: Sequence[bytes],
    *,
    link_days: int = 90,
    today: Callable[[], date] = _utc_today,
    publisher: str = "the digest",
    preferences_path: str | None = None,
    topics: Sequence[str] = (),
    unsubscribe_url: str = "",
) -> WSGIApp:
    """The app for both links; requests to ``preferences_path`` get the preferences page
    (offering ``topics``), those to the path of ``unsubscribe_url`` the unsubscribe flow,
    any other path a 404. A link is good when one of ``keys`` signed it at most
    ``link_days`` before ``today()``."""
    unsubscribe_path = urlsplit(unsubscribe_url).path.rstrip("/") if unsubscribe_url else None

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def answer(status: str, title: str, body: str) -> list[bytes]:
            return page.answer(start_response, status, title, body)

        method = environ.get("REQUEST_METHOD", "GET")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        value = (query.get("u") or [""])[0]
        checked = check(keys, value, today=today(), days=link_days)
        token = checked.token
        if checked.expired:
            return answer(
                "410 Gone",
                "This link has expired",
                f"<p>Links in emails work for {link_days} days. Please use the link in the "
                "most recent email, or reply to it and ask to be removed.</p>",
            )
        if token is None:
            return answer(
                "400 Bad Request",
                "This link is not valid",
                "<p>The link is incomplete or was changed. Please use the link from the "
                "most recent email, or reply to it and ask to be removed.</p>",
            )
        if method not in ("GET", "POST"):
            start_response("405 Method Not Allowed", [("Allow", "GET, POST")])
            return [b""]
        path = environ.get("PATH_INFO", "/").rstrip("/")
        on_preferences = preferences_path is not None and path == preferences_path.rstrip("/")
        if not on_preferences and unsubscribe_path is not None and path != unsubscribe_path:
            # Only the unsubscribe link's own path unsubscribes.
            return answer("404 Not Found", "Not found", "<p>There is no page here.</p>")
        # Read whole (and capped) before answering, whichever page answers.
        form = read_form(environ) if method == "POST" else None
        if on_preferences:
            return answer(
                *preferences_page(
                    store,
                    form,
                    token,
                    value,
                    publisher=publisher,
                    topics=topics,
                    unsubscribe_url=unsubscribe_url,
                )
            )
        if method == "GET":
            action = html.escape(f"?u={value}", quote=True)
            return answer(
                "200 OK",
                f"Unsubscribe from {publisher}",
                f'<form method=post action="{action}">'
                "<p>You will stop receiving these emails.</p>"
                "<button type=submit>Unsubscribe</button></form>",
            )
        email = store.unsubscribe_token(token, edition=checked.issued)
        # The same answer whether or not the token is known: the page reveals nothing.
        log.info("unsubscribe link used (%s)", "known" if email else "unknown token")
        return answer(
            "200 OK",
            "You are unsubscribed",
            f"<p>You will not receive {html.escape(publisher)} any more.</p>",
        )

    return app


def read_form(environ: dict[str, Any]) -> dict[str, list[str]]:
    """A POST's url-encoded form, its body read up to MAX_BODY bytes."""
    try:
        # A negative length ("-1") would read the body unbounded.
        length = max(0, min(int(environ.get("CONTENT_LENGTH") or 0), MAX_BODY))
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length else b""
    return parse_qs(body.decode("utf-8", "replace"))

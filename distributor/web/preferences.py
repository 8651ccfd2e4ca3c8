"""The preferences link's page: which topics a reader gets, or unsubscribe instead.

``GET ?u=LINK`` shows the reader's topics as checkboxes (the configured
``subscribers.topics`` and any they already have); ``POST`` saves the ticked ones.
No topics means every story. The page never changes a reader's status: unsubscribing
is the unsubscribe link's job, and a saved choice does not resubscribe anyone.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping, Sequence

from distributor.store.subscribers import Status, Subscriber, SubscriberStore

log = logging.getLogger(__name__)


def masked(email: str) -> str:
    """``a***@example.org``: enough for the reader to recognise, little for anyone else."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def preferences_page(
    store: SubscriberStore,
    form: Mapping[str, list[str]] | None,
    token: str,
    value: str,
    *,
    publisher: str,
    topics: Sequence[str],
    unsubscribe_url: str,
) -> tuple[str, str, str]:
    """(HTTP status, title, body HTML) for one request to the preferences link:
    ``form`` is the POSTed form, None for a GET."""
    subscriber = store.by_token(token)
    if subscriber is None:
        return (
            "404 Not Found",
            "This link is no longer valid",
            "<p>Please use the preferences link from the most recent email.</p>",
        )
    if form is not None:
        # Only topics the page offered: a hand-made request cannot invent audiences.
        allowed = set(topics) | set(subscriber.topics)
        chosen = [t for t in form.get("topic", []) if t in allowed]
        saved = store.set_topics_by_token(token, chosen) or subscriber
        log.info("preferences saved (%d topics)", len(saved.topics))
        return "200 OK", "Your choices are saved", _saved(saved, publisher)
    return "200 OK", f"Your {publisher} emails", _form(subscriber, value, topics, unsubscribe_url)


def _form(subscriber: Subscriber, value: str, topics: Sequence[str], unsubscribe_url: str) -> str:
    action = html.escape(f"?u={value}", quote=True)
    offered = sorted(set(topics) | set(subscriber.topics))
    status = ""
    if subscriber.status is not Status.ACTIVE:
        status = (
            f"<p><strong>No digest is sent to this address now</strong> "
            f"({html.escape(subscriber.status.value)}). Your choices are kept for "
            f"if you subscribe again.</p>"
        )
    boxes = "".join(
        f'<p><label><input type=checkbox name=topic value="{html.escape(t, quote=True)}"'
        f"{' checked' if t in subscriber.topics else ''}> {html.escape(t)}</label></p>"
        for t in offered
    )
    choice = (
        "<p>Tick topics to get full stories on those only; leave them all unticked to get "
        f"every story.</p>{boxes}<button type=submit>Save</button>"
        if offered
        else "<p>You get every story. There are no topics to choose from yet.</p>"
    )
    unsubscribe = html.escape(f"{unsubscribe_url}?u={value}", quote=True)
    return (
        f"<p>For {html.escape(masked(subscriber.email))}.</p>{status}"
        f'<form method=post action="{action}">{choice}</form>'
        f'<p><a href="{unsubscribe}">Unsubscribe from these emails</a></p>'
    )


def _saved(subscriber: Subscriber, publisher: str) -> str:
    if subscriber.topics:
        listed = ", ".join(html.escape(t) for t in subscriber.topics)
        what = f"full stories on {listed}, and the day's other headlines"
    else:
        what = "every story"
    return f"<p>You will get {what} from {html.escape(publisher)}.</p>"

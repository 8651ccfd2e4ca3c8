"""The one web app (``distributor serve``): readers' links, sign-up and provider webhooks.

The unsubscribe and preferences links are answered at the paths of their URLs in
``[subscribers]``; SendGrid's Event Webhook at ``<web.base_url path>/webhooks/sendgrid``;
with ``[signup] enabled``, the sign-up form at ``<web.base_url path>/subscribe`` and its
confirmation link at ``/confirm`` beside it.
It runs on waitress (:mod:`distributor.web.server`) with the webhook's body cap; the
reader pages still refuse a body over their own 4 KiB.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from distributor.compose.links import link_keys
from distributor.pipeline.signup import (
    CONFIRM_PATH,
    SUBSCRIBE_PATH,
    SignUps,
    confirmation_channel,
)
from distributor.settings import Settings
from distributor.store import db
from distributor.store.consents import ConsentStore
from distributor.store.events import EventStore, SoftBounceRule
from distributor.store.outbox import Outbox
from distributor.store.subscribers import SubscriberStore
from distributor.web import sendgrid_events, sendgrid_signature
from distributor.web.page import StartResponse
from distributor.web.rate_limit import RateLimit
from distributor.web.server import Limits, serve
from distributor.web.signup import make_signup_app
from distributor.web.unsubscribe import MAX_BODY, WSGIApp, make_app
from distributor.web.webhook import MAX_BODY as WEBHOOK_MAX_BODY
from distributor.web.webhook import make_webhook_app, process_pending

WEBHOOK_PATH = "/webhooks/sendgrid"


@dataclass(frozen=True)
class WebApp:
    """The app and, for the operator, what it answers where."""

    app: WSGIApp
    unsubscribe_path: str
    preferences_path: str | None
    webhook_url: str
    """Where SendGrid should post: ``web.base_url`` plus the webhook's path."""
    webhook_ready: bool
    """False when ``SENDGRID_WEBHOOK_PUBLIC_KEY`` is not set: every post is refused."""
    pending: int
    """Webhook batches stored before but left unprocessed, processed at this start."""
    signup_url: str | None = None
    """The sign-up form's address (``web.base_url`` plus ``/subscribe``), when
    ``[signup] enabled``."""


def reader_paths(settings: Settings) -> tuple[str, str | None]:
    """The paths of the unsubscribe and preferences links (None for preferences when it
    shares the unsubscribe path: then every link unsubscribes)."""
    subs = settings.subscribers
    unsubscribe = urlsplit(subs.unsubscribe_url).path.rstrip("/") or "/"
    preferences = urlsplit(subs.preferences_url).path.rstrip("/") or "/"
    return unsubscribe, preferences if preferences != unsubscribe else None


def mount(
    webhook: WSGIApp, readers: WSGIApp, path: str, pages: Mapping[str, WSGIApp] | None = None
) -> WSGIApp:
    """``webhook`` at ``path``, each of ``pages`` at its path, ``readers`` everywhere
    else; the webhook takes its own body cap, everything else 4 KiB."""
    routes = dict(pages or {})

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        here = environ.get("PATH_INFO", "/").rstrip("/")
        if here == path:
            return webhook(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            body = json.dumps({"error": f"body over {MAX_BODY} bytes"}).encode()
            start_response(
                "413 Content Too Large",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return routes.get(here, readers)(environ, start_response)

    return app


def build(settings: Settings, engine: Engine) -> WebApp:
    """The app for ``settings`` on a migrated ``engine``. Everything that can be wrong at
    start-up (the link secret, a malformed webhook key) raises here; webhook batches a
    crash left unprocessed are processed now."""
    subs = settings.subscribers
    webhook_key = sendgrid_signature.configured_key()
    unsubscribe_path, preferences_path = reader_paths(settings)
    readers = make_app(
        SubscriberStore(engine),
        link_keys(settings),
        link_days=subs.link_days,
        publisher=settings.publisher.name,
        preferences_path=preferences_path,
        topics=subs.topics,
        unsubscribe_url=subs.unsubscribe_url,
    )
    events = EventStore(engine, sendgrid_events.PROVIDER)
    rule = SoftBounceRule(subs.soft_bounce_limit, subs.soft_bounce_days)
    links = (subs.unsubscribe_url, subs.preferences_url)
    pending = process_pending(events, rule=rule, reader_links=links)
    webhook = make_webhook_app(events, webhook_key, rule=rule, reader_links=links)
    base = settings.web.base_url.rstrip("/")
    prefix = urlsplit(base).path
    pages = signup_pages(settings, engine, prefix)
    return WebApp(
        app=mount(webhook, readers, prefix + WEBHOOK_PATH, pages),
        unsubscribe_path=unsubscribe_path,
        preferences_path=preferences_path,
        webhook_url=base + WEBHOOK_PATH,
        webhook_ready=webhook_key is not None,
        pending=pending,
        signup_url=base + SUBSCRIBE_PATH if pages else None,
    )


def signup_pages(settings: Settings, engine: Engine, prefix: str) -> dict[str, WSGIApp]:
    """The sign-up form and confirmation link at their paths under ``prefix`` (the path
    of ``web.base_url``), or none when ``[signup]`` is not enabled. Raises ConfigError
    when it is but no email channel can send the confirmations."""
    signup = settings.signup
    if not signup.enabled:
        return {}
    channel = confirmation_channel(settings)
    signups = SignUps(
        settings, ConsentStore(Outbox(engine, settings.schedule)), link_keys(settings), channel
    )
    window = signup.limit_minutes * 60.0
    app = make_signup_app(
        signups,
        subscribe_path=prefix + SUBSCRIBE_PATH,
        confirm_path=prefix + CONFIRM_PATH,
        per_ip=RateLimit(signup.ip_limit, window),
        per_address=RateLimit(signup.address_limit, window),
    )
    return {prefix + SUBSCRIBE_PATH: app, prefix + CONFIRM_PATH: app}


def run(
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    ready: Callable[[str, WebApp], None],
) -> None:
    """Serve the app until interrupted (``host`` and ``port`` override ``[web]``);
    ``ready`` gets the address it listens on once the port is bound."""
    engine = db.open_database(settings.database.url, base_dir=settings.base_dir)
    try:
        web = build(settings, engine)
        serve(
            web.app,
            host or settings.web.host,
            port or settings.web.port,
            limits=Limits(max_body=WEBHOOK_MAX_BODY, trusted_proxy=settings.web.trusted_proxy),
            ready=lambda url: ready(url, web),
        )
    finally:
        engine.dispose()

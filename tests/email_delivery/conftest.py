"""Fixtures: a validating SendGrid server on 127.0.0.1 and a channel pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from distributor.channels.sendgrid import SendGridChannel, SendGridOptions
from distributor.models import Audience, Digest
from distributor.settings import Settings
from distributor.web.sendgrid_signature import PUBLIC_KEY_ENV
from tests.email_delivery.event_webhook import SendGrid
from tests.email_delivery.sendgrid_server import SendGridServer

API_KEY = "SG.local-test-key-not-real"
LINK_SECRET = "link-secret-for-tests-0123456789abcdef"


@pytest.fixture
def sendgrid_server(specs_dir: Path) -> Iterator[SendGridServer]:
    server = SendGridServer(
        api_key=API_KEY, spec=specs_dir / "sendgrid" / "tsg_mail_v3.json", slow_seconds=3.0
    ).start()
    yield server
    server.stop()
    assert not server.violations, f"requests broke the Mail Send spec: {server.violations}"


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDGRID_API_KEY", API_KEY)
    monkeypatch.setenv("DISTRIBUTOR_LINK_SECRET", LINK_SECRET)
    monkeypatch.delenv("SENDGRID_API_HOST", raising=False)


@pytest.fixture
def channel(sendgrid_server: SendGridServer, secrets_env: None) -> SendGridChannel:
    options = SendGridOptions(
        api_host=sendgrid_server.url,
        from_email="digest@news.example.org",
        from_name="Government News Daily",
        reply_to="editor@news.example.org",
        asm_group_id=4242,
        # Generous: validating 1,000 personalizations on a busy machine takes a while.
        timeout_seconds=20.0,
    )
    return SendGridChannel(Settings(), options)


def make_digest(variant: str = "all") -> Digest:
    return Digest(
        day=date(2026, 11, 28),
        subject="Rural buses: plan published",
        preheader="and 3 more stories",
        html=(
            '<html><body><p>Hello {{name}}</p><a href="{{unsubscribe_url}}">Unsubscribe</a>'
            ' <a href="{{preferences_url}}">Preferences</a></body></html>'
        ),
        text="Hello {{name}}\nUnsubscribe: {{unsubscribe_url}}\nPreferences: {{preferences_url}}\n",
        story_ids=("s1",),
        audience=Audience.from_key(variant),
    )


@pytest.fixture
def sendgrid(monkeypatch: pytest.MonkeyPatch) -> SendGrid:
    """SendGrid's Event Webhook as it posts: its key is the one the app is told to trust."""
    poster = SendGrid()
    monkeypatch.setenv(PUBLIC_KEY_ENV, poster.public_key)
    monkeypatch.setenv("DISTRIBUTOR_LINK_SECRET", LINK_SECRET)
    return poster

"""The SendGrid channel with the real client against a spec-validating local server."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from distributor.channels.sendgrid import SendGridChannel, SendGridOptions
from distributor.errors import (
    AuthError,
    ConfigError,
    PayloadError,
    Permanent,
    Retryable,
    Uncertain,
)
from distributor.models import Delivery, DeliveryKind
from distributor.settings import Settings, from_mapping
from tests.email_delivery.conftest import API_KEY
from tests.email_delivery.sendgrid_server import SendGridServer


def _delivery(n: int = 2, **extra: object) -> Delivery:
    recipients = [
        {
            "email": f"reader{i}@example.org",
            "name": f"Reader {i}",
            "substitutions": {"{{name}}": f"Reader {i}"},
            "unsubscribe_url": f"https://news.example.org/unsubscribe?t=tok{i}&s=sig",
        }
        for i in range(n)
    ]
    payload: dict[str, object] = {
        "subject": "Today's digest",
        "html": "<p>Hello {{name}}</p>",
        "text": "Hello {{name}}",
        "recipients": recipients,
        "batch_key": "sendgrid:digest:2026-11-28:all:batch-00001",
        "categories": ["digest-2026-11-28"],
        "custom_args": {"digest_date": "2026-11-28"},
    }
    payload.update(extra)
    return Delivery(
        channel="sendgrid",
        kind=DeliveryKind.DIGEST,
        idempotency_key="k",
        due_at=datetime.now(UTC),
        payload=payload,
    )


def test_a_batch_is_one_valid_mail_send(
    channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    result = channel.deliver(_delivery(3))
    assert result.provider_id == "msg-1"
    [sent] = sendgrid_server.sends
    body = sent.body
    assert sent.headers["Authorization"] == f"Bearer {API_KEY}"
    assert [p["to"][0]["email"] for p in body["personalizations"]] == [
        "reader0@example.org",
        "reader1@example.org",
        "reader2@example.org",
    ]
    first = body["personalizations"][0]
    assert first["headers"] == {
        "List-Unsubscribe": "<https://news.example.org/unsubscribe?t=tok0&s=sig>"
    }
    # The same for everyone, so sent once; SendGrid merges it into each message.
    assert body["headers"] == {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    assert first["substitutions"] == {"{{name}}": "Reader 0"}
    assert [c["type"] for c in body["content"]] == ["text/plain", "text/html"]
    assert body["asm"] == {"group_id": 4242}
    assert first["custom_args"] == {
        "digest_date": "2026-11-28",
        "batch_key": "sendgrid:digest:2026-11-28:all:batch-00001",
    }
    assert body["categories"] == ["digest", "digest-2026-11-28"]
    assert body["from"] == {"email": "digest@news.example.org", "name": "Government News Daily"}
    assert body["reply_to"] == {"email": "editor@news.example.org"}
    assert "mail_settings" not in body


def test_sandbox_mode_is_requested(
    channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    channel.deliver(_delivery(1, sandbox=True))
    assert sendgrid_server.sends[0].body["mail_settings"] == {"sandbox_mode": {"enable": True}}


def test_subject_cannot_inject_headers(
    channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    channel.deliver(_delivery(1, subject="Hello\r\nBcc: victim@example.org\nX: y"))
    subject = sendgrid_server.sends[0].body["subject"]
    assert "\r" not in subject and "\n" not in subject
    assert subject == "Hello Bcc: victim@example.org X: y"


def test_the_same_address_twice_is_refused_before_sending(
    channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    d = _delivery(2)
    recipients = d.payload["recipients"]
    assert isinstance(recipients, list)
    recipients[1]["email"] = "READER0@example.org"
    with pytest.raises(Permanent, match="twice"):
        channel.deliver(d)
    assert sendgrid_server.sends == []


def test_more_than_1000_recipients_is_refused(channel: SendGridChannel) -> None:
    with pytest.raises(Permanent, match="at most 1000"):
        channel.deliver(_delivery(1001))


def test_400_is_permanent_with_the_providers_reasons(
    channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    sendgrid_server.inject("400")
    with pytest.raises(Permanent) as err:
        channel.deliver(_delivery(2))
    assert not isinstance(err.value, AuthError)
    assert err.value.status == 400
    assert "personalizations.0.to.0.email: Does not contain a valid address." in str(err.value)
    # The error carries the payload, with recipients redacted.
    shown = json.dumps(err.value.payload)
    assert "reader0@example.org" not in shown and "tok0" not in shown
    assert "2 recipients redacted" in shown


@pytest.mark.parametrize("status", ["401", "403"])
def test_bad_key_is_an_auth_error_that_names_the_variable_not_the_key(
    channel: SendGridChannel, sendgrid_server: SendGridServer, status: str
) -> None:
    sendgrid_server.inject(status)
    with pytest.raises(AuthError) as err:
        channel.deliver(_delivery(1))
    assert "SENDGRID_API_KEY" in str(err.value)
    assert API_KEY not in str(err.value) + json.dumps(err.value.payload)


def test_wrong_key_is_refused_by_the_server(
    sendgrid_server: SendGridServer, secrets_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.wrong")
    ch = SendGridChannel(Settings(), SendGridOptions(api_host=sendgrid_server.url))
    with pytest.raises(AuthError) as err:
        ch.deliver(_delivery(1))
    assert "SG.wrong" not in str(err.value)


def test_429_is_retryable_after_the_reset_time(
    channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    sendgrid_server.inject("429")
    with pytest.raises(Retryable) as err:
        channel.deliver(_delivery(1))
    assert err.value.status == 429
    assert err.value.retry_after is not None and 20 <= err.value.retry_after <= 31


def test_500_is_retryable(channel: SendGridChannel, sendgrid_server: SendGridServer) -> None:
    sendgrid_server.inject("500")
    with pytest.raises(Retryable) as err:
        channel.deliver(_delivery(1))
    assert err.value.status == 500


@pytest.mark.parametrize("fault", ["slow", "drop"])
def test_no_answer_after_sending_is_uncertain(
    channel: SendGridChannel, sendgrid_server: SendGridServer, fault: str
) -> None:
    sendgrid_server.inject(fault)
    impatient = SendGridChannel(Settings(), replace(channel.options, timeout_seconds=1.0))
    with pytest.raises(Uncertain, match="not resent automatically"):
        impatient.deliver(_delivery(1))
    # The server did receive it: that is why it must not be resent blindly.
    assert len(sendgrid_server.sends) == 1


def test_unreachable_host_is_retryable(secrets_env: None) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ch = SendGridChannel(Settings(), SendGridOptions(api_host=f"http://127.0.0.1:{port}"))
    with pytest.raises(Retryable, match="could not reach"):
        ch.deliver(_delivery(1))


def test_host_comes_from_the_environment_over_config(
    sendgrid_server: SendGridServer, secrets_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDGRID_API_HOST", sendgrid_server.url)
    ch = SendGridChannel(Settings(), SendGridOptions(api_host="https://api.eu.sendgrid.com"))
    assert ch.host == sendgrid_server.url
    ch.deliver(_delivery(1))
    assert len(sendgrid_server.sends) == 1


def test_missing_key_is_a_config_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SENDGRID_API_KEY", raising=False)
    ch = SendGridChannel(Settings(), SendGridOptions(asm_group_id=1))
    assert any("SENDGRID_API_KEY" in p for p in ch.preflight())
    with pytest.raises(ConfigError, match="SENDGRID_API_KEY"):
        ch.deliver(_delivery(1))


def test_options_are_validated_from_config() -> None:
    cfg = from_mapping({"channels": {"sendgrid": {"from_email": "not an address"}}})
    with pytest.raises(ConfigError, match=r"channels\.sendgrid"):
        SendGridChannel(cfg)


def test_substitution_values_must_be_strings(channel: SendGridChannel) -> None:
    d = _delivery(1)
    recipients = d.payload["recipients"]
    assert isinstance(recipients, list)
    recipients[0]["substitutions"] = {"{{name}}": 5}
    with pytest.raises(PayloadError) as refused:
        channel.deliver(d)
    assert str(refused.value) == (
        'delivery k: the email payload\'s recipients[0].substitutions["{{name}}"] '
        "is a whole number, not a string"
    )


def test_awkward_names_and_values_stay_valid_json(
    channel: SendGridChannel, sendgrid_server: SendGridServer
) -> None:
    d = _delivery(1)
    recipients = d.payload["recipients"]
    assert isinstance(recipients, list)
    odd = 'Zoë "Q" O\'Brien\u2028\\ <b>&'
    recipients[0]["name"] = odd
    recipients[0]["substitutions"] = {"{{name}}": odd}
    channel.deliver(d)
    p = sendgrid_server.sends[0].body["personalizations"][0]
    assert p["substitutions"] == {"{{name}}": odd}
    # In the To header the line separator becomes a space.
    assert p["to"][0]["name"] == 'Zoë "Q" O\'Brien \\ <b>&'


def test_debug_logging_shows_neither_key_nor_addresses(
    channel: SendGridChannel, sendgrid_server: SendGridServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    channel.deliver(_delivery(2))
    sendgrid_server.inject("400")
    with pytest.raises(Permanent):
        channel.deliver(_delivery(2))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert API_KEY not in logged
    assert "reader0@example.org" not in logged

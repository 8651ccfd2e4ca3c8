"""Sign-up with double opt-in over real HTTP, on SQLite and PostgreSQL.

The app is the one `distributor serve` builds, on waitress on 127.0.0.1; the
confirmation email goes through the outbox and is sent by the worker (the loop engine's
one round, as `distributor worker --once` runs it) to a local SendGrid server that
validates every request against the official Mail Send spec.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, select

from distributor.compose import links
from distributor.errors import ConfigError
from distributor.models import DeliveryKind, DeliveryState
from distributor.pipeline.dispatch import StopFlag
from distributor.pipeline.worker import work
from distributor.settings import (
    DeliverySettings,
    Settings,
    SignupSettings,
    SubscribersSettings,
)
from distributor.store.outbox import Outbox
from distributor.store.subscribers import Status, SubscriberStore
from distributor.store.tables import consents
from distributor.web.app import build
from tests.email_delivery.conftest import LINK_SECRET, make_digest
from tests.email_delivery.link_server import serving
from tests.email_delivery.outbox_send import send_digests
from tests.email_delivery.sendgrid_server import SendGridServer

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CONFIRM_LINK = re.compile(r"https://news\.example\.org/confirm\?t=([A-Za-z0-9_.-]+)")


def _settings(server: SendGridServer, **signup: Any) -> Settings:
    return Settings(
        delivery=DeliverySettings(channels=("sendgrid",)),
        subscribers=SubscribersSettings(topics=("health", "transport"), sync_suppressions=False),
        signup=SignupSettings(enabled=True, **signup),
        channels={
            "sendgrid": {
                "api_host": server.url,
                "from_email": "digest@news.example.org",
                "asm_group_id": 4242,
                "timeout_seconds": 20.0,
            }
        },
    )


@pytest.fixture
def settings(sendgrid_server: SendGridServer, secrets_env: None) -> Settings:
    return _settings(sendgrid_server)


@pytest.fixture
def store(engine: Engine) -> SubscriberStore:
    return SubscriberStore(engine)


def _serve(engine: Engine, settings: Settings) -> Iterator[str]:
    with serving(build(settings, engine).app) as base:
        yield base


@pytest.fixture
def base(engine: Engine, settings: Settings) -> Iterator[str]:
    yield from _serve(engine, settings)


def _sign_up(base: str, email: str, **fields: Any) -> requests.Response:
    data = {"email": email, "name": "", "website": "", "source": "web", **fields}
    return requests.post(f"{base}/subscribe", data=data, headers=FORM, timeout=10)


def _worker(settings: Settings, engine: Engine) -> None:
    """One round of `distributor worker` (the loop engine): what is due is sent."""
    work(
        settings,
        engine,
        worker_id="test-worker",
        stop=StopFlag(),
        engine_name="loop",
        plan=False,
        once=True,
    )


def _config_file(engine: Engine, folder: Path) -> Path:
    """A configuration naming the test's database, for the command line."""
    config = folder / "distributor.toml"
    url = engine.url.render_as_string(hide_password=False)
    config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    return config


def _confirmation_emails(server: SendGridServer) -> list[dict[str, Any]]:
    return [r.body for r in server.sends if "signup-confirmation" in r.body.get("categories", [])]


def _token(mail: dict[str, Any]) -> str:
    text = next(c["value"] for c in mail["content"] if c["type"] == "text/plain")
    found = CONFIRM_LINK.search(text)
    assert found is not None, text
    return found.group(1)


def _status(store: SubscriberStore, email: str) -> Status:
    reader = store.get(email)
    assert reader is not None
    return reader.status


def _consents(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(consents).order_by(consents.c.id)).all())


def _confirmation_rows(engine: Engine) -> list[Any]:
    records = Outbox(engine).records()
    return [r for r in records if r.delivery.kind == DeliveryKind.CONFIRMATION]


def test_sign_up_confirm_and_get_the_next_digest(
    engine: Engine,
    base: str,
    settings: Settings,
    store: SubscriberStore,
    sendgrid_server: SendGridServer,
    channel: Any,
) -> None:
    store.import_csv(io.StringIO("email\nann@example.org\n"))

    form = requests.get(f"{base}/subscribe", params={"source": "homepage"}, timeout=10)
    assert form.status_code == 200
    page = form.text
    assert page.count("<h1>") == 1
    assert '<label for="email">' in page and '<label for="name">' in page
    assert "<legend>Topics (optional)</legend>" in page
    assert 'name=topic value="health"' in page and 'name=topic value="transport"' in page
    assert '<p hidden><label>Leave this field empty <input name="website"' in page
    assert '<input type="hidden" name="source" value="homepage">' in page
    assert "<script" not in page

    r = _sign_up(base, "Sam@Example.ORG", name="Sam", topic=["health"], source="homepage")
    assert r.status_code == 200
    assert "<h1>Check your inbox</h1>" in r.text
    assert _status(store, "sam@example.org") is Status.PENDING
    (row,) = _confirmation_rows(engine)
    assert row.delivery.state == DeliveryState.PLANNED
    assert "sam@example.org" not in row.delivery.idempotency_key
    assert not sendgrid_server.sends  # the worker sends it, not the web app

    _worker(settings, engine)
    (mail,) = _confirmation_emails(sendgrid_server)
    assert mail["personalizations"][0]["to"] == [{"email": "sam@example.org"}]
    assert mail["subject"] == "Confirm your subscription to Government News Daily"
    assert "asm" not in mail  # the reader's own request, not the digest
    assert "List-Unsubscribe-Post" not in mail.get("headers", {})
    html_part = next(c["value"] for c in mail["content"] if c["type"] == "text/html")
    assert "Sam" not in html_part  # nothing the visitor typed reaches the email
    token = _token(mail)
    assert links.redact(token).startswith(f"<{links.key_id(LINK_SECRET.encode())}.")
    assert Outbox(engine).records()[0].delivery.state == DeliveryState.SENT

    shown = requests.get(f"{base}/confirm", params={"t": token}, timeout=10)
    assert shown.status_code == 200
    assert "<form method=post>" in shown.text
    assert "<button type=submit>Confirm my subscription</button>" in shown.text
    assert _status(store, "sam@example.org") is Status.PENDING  # a GET changes nothing

    done = requests.post(f"{base}/confirm", params={"t": token}, headers=FORM, timeout=10)
    assert done.status_code == 200 and "<h1>You are subscribed</h1>" in done.text
    sam = store.get("sam@example.org")
    assert sam is not None
    assert (sam.status, sam.name, sam.topics) == (Status.ACTIVE, "Sam", ("health",))
    (consent,) = _consents(engine)
    assert consent.source == "form:homepage"
    assert consent.requested_ip == consent.confirmed_ip == "127.0.0.0/24"
    assert consent.confirmed_at is not None
    assert "unsubscribe at any time" in consent.wording
    again = requests.post(f"{base}/confirm", params={"t": token}, headers=FORM, timeout=10)
    assert again.status_code == 200  # a second press is harmless

    # A reader still pending is sent no digest; the confirmed one is.
    _sign_up(base, "pat@example.org")
    assert _status(store, "pat@example.org") is Status.PENDING
    before = len(sendgrid_server.sends)
    digests = {"all": make_digest("all"), "health": make_digest("health")}
    report = send_digests(engine, channel, digests, settings)
    assert not report.failed
    to = {
        p["to"][0]["email"]
        for r in sendgrid_server.sends[before:]
        for p in r.body["personalizations"]
    }
    assert to == {"ann@example.org", "sam@example.org"}


def test_a_known_address_gets_the_same_page_and_only_what_its_status_allows(
    engine: Engine,
    base: str,
    settings: Settings,
    store: SubscriberStore,
    sendgrid_server: SendGridServer,
) -> None:
    store.import_csv(
        io.StringIO(
            "email,name,topics,status\n"
            "ann@example.org,Ann,transport,active\n"
            "bob@example.org,Bob,,bounced\n"
            "cat@example.org,Cat,,complained\n"
            "dan@example.org,Dan,,unsubscribed\n"
        )
    )
    new = _sign_up(base, "new@example.org")
    answers = {
        email: _sign_up(base, email, name="Mallory", topic=["health"])
        for email in ("ann@example.org", "bob@example.org", "cat@example.org", "dan@example.org")
    }
    for email, r in answers.items():
        assert (r.status_code, r.text) == (new.status_code, new.text), email
        assert r.headers["Content-Length"] == new.headers["Content-Length"]

    # The downgrade attack: an active reader stays exactly as they were, and is sent nothing.
    ann = store.get("ann@example.org")
    assert ann is not None
    assert (ann.status, ann.name, ann.topics) == (Status.ACTIVE, "Ann", ("transport",))
    assert _status(store, "bob@example.org") is Status.BOUNCED
    assert _status(store, "cat@example.org") is Status.COMPLAINED
    # An unsubscribed reader stays unsubscribed until they confirm again.
    assert _status(store, "dan@example.org") is Status.UNSUBSCRIBED

    _worker(settings, engine)
    mails = _confirmation_emails(sendgrid_server)
    assert sorted(m["personalizations"][0]["to"][0]["email"] for m in mails) == [
        "dan@example.org",
        "new@example.org",
    ]
    dan = next(m for m in mails if m["personalizations"][0]["to"][0]["email"] == "dan@example.org")
    r = requests.post(f"{base}/confirm", params={"t": _token(dan)}, headers=FORM, timeout=10)
    assert r.status_code == 200
    reader = store.get("dan@example.org")
    assert reader is not None
    assert (reader.status, reader.name, reader.topics) == (Status.ACTIVE, "Mallory", ("health",))


def test_a_pending_reader_who_signs_up_again_gets_a_fresh_email_and_either_link_works_once(
    engine: Engine,
    base: str,
    settings: Settings,
    store: SubscriberStore,
    sendgrid_server: SendGridServer,
) -> None:
    _sign_up(base, "sam@example.org")
    _worker(settings, engine)
    _sign_up(base, "sam@example.org")
    _worker(settings, engine)
    first, second = (_token(m) for m in _confirmation_emails(sendgrid_server))
    assert first != second
    r = requests.post(f"{base}/confirm", params={"t": second}, headers=FORM, timeout=10)
    assert r.status_code == 200
    assert _status(store, "sam@example.org") is Status.ACTIVE
    # Unsubscribed since: neither link brings the reader back.
    store.unsubscribe("sam@example.org")
    for token in (first, second):
        r = requests.post(f"{base}/confirm", params={"t": token}, headers=FORM, timeout=10)
        assert r.status_code == 410, r.text
        assert _status(store, "sam@example.org") is Status.UNSUBSCRIBED


def test_an_expired_a_tampered_and_a_foreign_link_are_refused(
    engine: Engine, base: str, settings: Settings, store: SubscriberStore
) -> None:
    _sign_up(base, "sam@example.org")
    (consent,) = _consents(engine)
    key = LINK_SECRET.encode()
    old = datetime.now(UTC) - timedelta(days=settings.signup.confirm_days, minutes=1)
    expired = links.confirm_value(key, consent.reference, old)
    good = links.confirm_value(key, consent.reference, datetime.now(UTC))
    reference, kid, issued, signature = good.split(".")
    tampered = {
        "signature": f"{reference}.{kid}.{issued}.{'0' * 32}",
        "later sent time": f"{reference}.{kid}.{int(issued) + 60}.{signature}",
        "unknown key": links.confirm_value(b"another-key-that-is-32-chars-long!!", reference, old),
        "a reader link": links.link_value(key, reference, datetime.now(UTC).date()),
        "cut short": good[:-1],
        "empty": "",
    }
    for method in ("get", "post"):
        r = requests.request(method, f"{base}/confirm", params={"t": expired}, timeout=10)
        assert r.status_code == 410 and "<h1>This link has expired</h1>" in r.text
        for what, value in tampered.items():
            r = requests.request(method, f"{base}/confirm", params={"t": value}, timeout=10)
            assert r.status_code == 400, what
            assert "<h1>This link is not valid</h1>" in r.text
    assert _status(store, "sam@example.org") is Status.PENDING
    assert _consents(engine)[0].confirmed_at is None


def test_a_link_signed_with_the_previous_key_still_confirms(
    engine: Engine,
    settings: Settings,
    store: SubscriberStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with serving(build(settings, engine).app) as base:
        _sign_up(base, "sam@example.org")
    (consent,) = _consents(engine)
    token = links.confirm_value(LINK_SECRET.encode(), consent.reference, datetime.now(UTC))
    monkeypatch.setenv("DISTRIBUTOR_LINK_SECRET", "the-new-key-after-the-rotation-0123456789")
    monkeypatch.setenv("DISTRIBUTOR_LINK_SECRETS_PREVIOUS", LINK_SECRET)
    with serving(build(settings, engine).app) as base:
        r = requests.post(f"{base}/confirm", params={"t": token}, headers=FORM, timeout=10)
    assert r.status_code == 200
    assert _status(store, "sam@example.org") is Status.ACTIVE


def test_a_filled_honeypot_a_blocked_domain_and_a_bad_address_store_nothing(
    engine: Engine, sendgrid_server: SendGridServer, secrets_env: None, store: SubscriberStore
) -> None:
    settings = _settings(sendgrid_server, blocked_domains=("mailinator.com",))
    with serving(build(settings, engine).app) as base:
        normal = _sign_up(base, "someone@example.org")
        bot = _sign_up(base, "bot@example.net", website="https://spam.example")
        blocked = _sign_up(base, "x@eu.mailinator.com")
        assert (bot.status_code, bot.text) == (normal.status_code, normal.text)
        assert (blocked.status_code, blocked.text) == (normal.status_code, normal.text)
        bad = _sign_up(base, '<script>alert(1)</script>"@', name="<b>Sam</b>")
    assert bad.status_code == 400
    assert "<script>" not in bad.text and "<b>" not in bad.text
    assert 'aria-invalid=true aria-describedby="email-error"' in bad.text
    assert 'value="&lt;b&gt;Sam&lt;/b&gt;"' in bad.text  # kept for the reader, escaped
    assert store.get("bot@example.net") is None
    assert store.get("x@eu.mailinator.com") is None
    assert store.counts()["pending"] == 1
    assert len(_confirmation_rows(engine)) == 1


def test_rate_limits_per_client_and_per_address(
    engine: Engine, sendgrid_server: SendGridServer, secrets_env: None, store: SubscriberStore
) -> None:
    settings = _settings(sendgrid_server, ip_limit=4, address_limit=2)
    with serving(build(settings, engine).app) as base:
        same = [
            _sign_up(base, a) for a in ("sam@example.org", "SAM@example.org ", "sam@example.org")
        ]
        assert {(r.status_code, r.text) for r in same} == {(same[0].status_code, same[0].text)}
        assert len(_confirmation_rows(engine)) == 2  # the third was over the address's limit
        assert _sign_up(base, "tom@example.org").status_code == 200
        over = _sign_up(base, "uma@example.org")
        assert over.status_code == 429
        assert 0 < int(over.headers["Retry-After"]) <= 3600
        assert store.get("uma@example.org") is None
    with serving(build(settings, engine).app) as base:
        # In memory: a new process starts counting again.
        assert _sign_up(base, "uma@example.org").status_code == 200


def test_exactly_one_confirmation_email_however_many_workers_run(
    engine: Engine,
    base: str,
    settings: Settings,
    sendgrid_server: SendGridServer,
) -> None:
    _sign_up(base, "sam@example.org")
    workers = [threading.Thread(target=_worker, args=(settings, engine)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    _worker(settings, engine)
    assert len(_confirmation_emails(sendgrid_server)) == 1
    (row,) = _confirmation_rows(engine)
    assert row.delivery.state == DeliveryState.SENT


def test_the_form_is_off_unless_enabled_and_needs_an_email_channel(
    engine: Engine, sendgrid_server: SendGridServer, secrets_env: None
) -> None:
    off = replace(_settings(sendgrid_server), signup=SignupSettings())
    with serving(build(off, engine).app) as base:
        # Not the form: the readers' links answer there, and need a link.
        r = requests.get(f"{base}/subscribe", timeout=10)
        assert r.status_code == 400 and "<form" not in r.text
        assert _sign_up(base, "sam@example.org").status_code == 400
    no_email = replace(_settings(sendgrid_server), delivery=DeliverySettings(channels=("files",)))
    with pytest.raises(ConfigError, match="email channel"):
        build(no_email, engine)


def test_check_config_reports_a_sign_up_without_an_email_channel(
    engine: Engine, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from distributor.cli import main

    config = _config_file(engine, tmp_path)
    with config.open("a", encoding="utf-8") as fh:
        fh.write('[delivery]\nchannels = ["files"]\n[signup]\nenabled = true\n')
    result = CliRunner().invoke(main, ["--config", str(config), "check-config", "--json"])
    assert result.exit_code == 2
    assert "needs an email channel" in result.output


def test_the_consents_export(
    engine: Engine,
    base: str,
    settings: Settings,
    sendgrid_server: SendGridServer,
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from distributor.cli import main

    _sign_up(base, "sam@example.org", name="=cmd|' /C calc'!A0")
    _worker(settings, engine)
    (mail,) = _confirmation_emails(sendgrid_server)
    requests.post(f"{base}/confirm", params={"t": _token(mail)}, headers=FORM, timeout=10)
    config = _config_file(engine, tmp_path)
    out = tmp_path / "consents.csv"
    result = CliRunner().invoke(
        main, ["--config", str(config), "subscribers", "export", "--consents", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "wrote 1 consent record" in result.output
    header, row = out.read_text(encoding="utf-8").splitlines()
    assert header == (
        "email,source,wording,name,topics,requested_at,requested_ip,confirmed_at,confirmed_ip"
    )
    assert row.startswith("sam@example.org,form:web,")
    assert ",'=cmd|' /C calc'!A0," in row  # never a formula in a spreadsheet
    assert row.count("127.0.0.0/24") == 2


def test_a_confirmation_is_sent_however_late_and_the_operator_sees_it(
    engine: Engine,
    base: str,
    settings: Settings,
    sendgrid_server: SendGridServer,
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from distributor.cli import main
    from distributor.pipeline.run import channels_for, deliver_due

    _sign_up(base, "sam@example.org")
    late = datetime.now(UTC) + timedelta(minutes=settings.schedule.stale_after_minutes + 60)
    report = deliver_due(settings, engine, channels_for(settings), now=late)
    assert len(report.sent) == 1
    assert len(_confirmation_emails(sendgrid_server)) == 1
    config = _config_file(engine, tmp_path)
    listed = CliRunner().invoke(main, ["--config", str(config), "outbox", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert "sendgrid:confirmation:1" in listed.output
    assert "sam@example.org" not in listed.output


def test_the_log_names_neither_the_address_nor_the_link(
    engine: Engine,
    base: str,
    settings: Settings,
    sendgrid_server: SendGridServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    _sign_up(base, "sam@example.org", name="Sam Secret")
    _sign_up(base, "bot@example.org", website="x")
    _worker(settings, engine)
    token = _token(_confirmation_emails(sendgrid_server)[0])
    requests.get(f"{base}/confirm", params={"t": token}, timeout=10)
    requests.post(f"{base}/confirm", params={"t": token}, headers=FORM, timeout=10)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET /confirm t=<" in logged and "sign-up confirmation: confirmed" in logged
    reference = token.split(".")[0]
    for secret in ("sam@example.org", "bot@example.org", "Sam Secret", reference):
        assert secret not in logged

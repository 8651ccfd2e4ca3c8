"""``/subscribe`` and ``/confirm``: the sign-up form and its confirmation link.

``GET /subscribe`` is the form (address, an optional name, the ``[subscribers] topics``
as checkboxes); ``POST`` checks the address and answers one "check your inbox" page
whatever became of it: a confirmation email planned, nothing for a reader already
active, bounced or complained, nothing for a blocked domain, a filled honeypot or an
address over its limit. So the page never tells whether an address is known. Only a
client over its own limit is told so (429), and a malformed address (the form again).

``GET /confirm?t=LINK`` shows one button and changes nothing (mail scanners open
links); its ``POST`` makes the reader active.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs

from distributor.pipeline.signup import SUBSCRIBE_PATH, SignUps, checked_address, wording
from distributor.settings import Settings
from distributor.store.consents import Confirmed
from distributor.web import page
from distributor.web.page import StartResponse
from distributor.web.rate_limit import RateLimit
from distributor.web.unsubscribe import WSGIApp, read_form

log = logging.getLogger(__name__)

Answer = Callable[..., list[bytes]]
"""A page in answer: (status, title, body HTML[, extra headers])."""

HONEYPOT = "website"
"""A field people never see (``hidden``) and bots fill in."""
_SOURCE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


def make_signup_app(
    signups: SignUps,
    *,
    subscribe_path: str,
    confirm_path: str,
    per_ip: RateLimit,
    per_address: RateLimit,
) -> WSGIApp:
    """The app for the form at ``subscribe_path`` and the link at ``confirm_path``."""
    settings = signups.settings
    publisher = settings.publisher.name
    lang = settings.publisher.language
    topics = settings.subscribers.topics
    form_url = settings.web.base_url.rstrip("/") + SUBSCRIBE_PATH

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def answer(
            status: str, title: str, body: str, headers: Sequence[tuple[str, str]] = ()
        ) -> list[bytes]:
            return page.answer(start_response, status, title, body, lang=lang, headers=headers)

        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "POST"):
            start_response("405 Method Not Allowed", [("Allow", "GET, POST")])
            return [b""]
        path = environ.get("PATH_INFO", "/").rstrip("/")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        form = read_form(environ) if method == "POST" else {}
        ip = environ.get("REMOTE_ADDR") or None
        if path == subscribe_path:
            if method == "GET":
                source = _source(query)
                return answer("200 OK", f"Subscribe to {publisher}", _form(settings, source))
            if not per_ip.allow(ip or "-"):
                wait = per_ip.retry_after(ip or "-")
                log.warning("sign-up refused: over the per-client limit")
                return answer(
                    "429 Too Many Requests",
                    "Too many sign-ups",
                    "<p>Too many sign-ups have come from your network. Please try again later.</p>",
                    [("Retry-After", str(wait))],
                )
            return _subscribe(form, ip, answer)
        if path == confirm_path:
            return _confirm(query, form, ip, method, answer)
        return answer("404 Not Found", "Not found", "<p>There is no page here.</p>")

    def _subscribe(form: Mapping[str, list[str]], ip: str | None, answer: Answer) -> list[bytes]:
        raw = _first(form, "email")
        name = _first(form, "name")
        chosen = [t for t in form.get("topic", []) if t in topics]
        source = _source(form)
        if _first(form, HONEYPOT).strip():
            log.info("sign-up with the hidden field filled in: ignored")
            return answer("200 OK", "Check your inbox", _sent(settings))
        try:
            address = checked_address(raw, settings)
        except ValueError as exc:
            body = _form(settings, source, email=raw, name=name, chosen=chosen, error=str(exc))
            return answer("400 Bad Request", f"Subscribe to {publisher}", body)
        if per_address.allow(address):
            signups.request(address, name=name, topics=chosen, source=f"form:{source}", ip=ip)
        else:
            log.warning("sign-up: over the per-address limit; nothing sent")
        return answer("200 OK", "Check your inbox", _sent(settings))

    def _confirm(
        query: Mapping[str, list[str]],
        form: Mapping[str, list[str]],
        ip: str | None,
        method: str,
        answer: Answer,
    ) -> list[bytes]:
        value = _first(query, "t")
        checked = signups.check(value)
        again = f'<p><a href="{html.escape(form_url, quote=True)}">Sign up again</a></p>'
        if checked.expired:
            return answer(
                "410 Gone",
                "This link has expired",
                f"<p>Confirmation links work for {settings.signup.confirm_days} days. "
                f"Please sign up again: a new email will come with a new link.</p>{again}",
            )
        if checked.token is None:
            return answer(
                "400 Bad Request",
                "This link is not valid",
                "<p>The link is incomplete or was changed. Please use the link in the "
                f"email exactly as it came, or sign up again.</p>{again}",
            )
        if method == "GET":
            return answer(
                "200 OK",
                f"Confirm your subscription to {publisher}",
                f"<form method=post><p>{html.escape(wording(settings))}</p>"
                "<button type=submit>Confirm my subscription</button></form>",
            )
        done = signups.confirm(checked.token, ip=ip)
        if done in (Confirmed.CONFIRMED, Confirmed.ALREADY):
            return answer(
                "200 OK",
                "You are subscribed",
                f"<p>Thank you. The next {html.escape(publisher)} email digest will come "
                "to you. Every email has a link to choose topics or to unsubscribe.</p>",
            )
        if done is Confirmed.STALE:
            return answer(
                "410 Gone",
                "This link is no longer valid",
                "<p>This address has changed since this link was sent (it was confirmed, "
                f"or unsubscribed). To subscribe, please sign up again.</p>{again}",
            )
        return answer(
            "400 Bad Request",
            "This link is not valid",
            f"<p>Please use the link in the most recent email, or sign up again.</p>{again}",
        )

    return app


def _first(values: Mapping[str, list[str]], name: str) -> str:
    found = values.get(name) or [""]
    return found[0][:1000]


def _source(values: Mapping[str, list[str]]) -> str:
    """Which form, from its ``source`` (``?source=NAME`` on the form's URL, carried in a
    hidden field): a short lower-case name, else "web"."""
    raw = _first(values, "source")
    return raw if _SOURCE.fullmatch(raw) else "web"


def _form(
    settings: Settings,
    source: str,
    *,
    email: str = "",
    name: str = "",
    chosen: Sequence[str] = (),
    error: str = "",
) -> str:
    e = html.escape
    invalid = ' aria-invalid=true aria-describedby="email-error"' if error else ""
    problem = f'<p id="email-error"><strong>{e(error)}</strong></p>' if error else ""
    topics = settings.subscribers.topics
    boxes = "".join(
        f'<p><label><input type=checkbox name=topic value="{e(t, quote=True)}"'
        f"{' checked' if t in chosen else ''}> {e(t)}</label></p>"
        for t in topics
    )
    choice = (
        "<fieldset><legend>Topics (optional)</legend><p>Tick topics to get full stories on "
        f"those first; leave them all unticked to get every story.</p>{boxes}</fieldset>"
        if topics
        else ""
    )
    return (
        f"<form method=post><p>{e(wording(settings))}</p>"
        f'<p><label for="email">Email address</label><br>'
        f'<input id="email" name="email" type="email" required autocomplete="email" '
        f'maxlength="254" value="{e(email, quote=True)}"{invalid}></p>{problem}'
        f'<p><label for="name">Name (optional, used in the greeting)</label><br>'
        f'<input id="name" name="name" autocomplete="name" maxlength="200" '
        f'value="{e(name, quote=True)}"></p>{choice}'
        f'<p hidden><label>Leave this field empty <input name="{HONEYPOT}" tabindex="-1" '
        'autocomplete="off"></label></p>'
        f'<input type="hidden" name="source" value="{e(source, quote=True)}">'
        "<p><button type=submit>Subscribe</button></p></form>"
        "<p>We will send you one email with a link to confirm; nothing else is sent until "
        "you do.</p>"
    )


def _sent(settings: Settings) -> str:
    days = settings.signup.confirm_days
    return (
        "<p>If this address can be signed up, an email with a link to confirm is on its "
        "way to it. Open the link and press the button to start receiving "
        f"{html.escape(settings.publisher.name)}.</p>"
        f"<p>The link works for {days} days. Nothing is sent to you unless you confirm. "
        "No email after a few minutes? Look in your spam folder.</p>"
    )

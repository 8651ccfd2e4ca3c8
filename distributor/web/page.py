"""The readers' pages (unsubscribe, preferences, sign-up): one plain, accessible HTML
shape, readable without CSS, with one ``h1`` (the title), and the headers they share."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

StartResponse = Callable[..., Any]


def page(title: str, body: str, *, lang: str = "en") -> bytes:
    """A whole page: ``title`` (escaped here) as its title and heading, ``body`` as given
    (HTML its caller has escaped)."""
    return (
        f'<!doctype html><html lang="{html.escape(lang, quote=True)}"><meta charset=utf-8>'
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        '<body style="font-family:sans-serif;max-width:32em;margin:3em auto;padding:0 1em">'
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    ).encode()


def answer(
    start_response: StartResponse,
    status: str,
    title: str,
    body: str,
    *,
    lang: str = "en",
    headers: Sequence[tuple[str, str]] = (),
) -> list[bytes]:
    """Answer with a :func:`page`, never cached, never sending a referrer on."""
    data = page(title, body, lang=lang)
    start_response(
        status,
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
            ("Referrer-Policy", "no-referrer"),
            *headers,
        ],
    )
    return [data]

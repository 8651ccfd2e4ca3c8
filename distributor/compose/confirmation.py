"""The confirmation email a sign-up sends: who it is from, one link, and what happens if
the reader does nothing.

Nothing the form's visitor typed is in it (not even the name): anyone can put anyone's
address in a sign-up form, so the email must not carry a stranger's words to them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from distributor.settings import Settings
from distributor.words import plural


@dataclass(frozen=True, slots=True)
class ConfirmationEmail:
    subject: str
    text: str
    html: str


def render_confirmation(settings: Settings, link: str) -> ConfirmationEmail:
    """The email for a confirmation ``link`` (the full URL)."""
    publisher = settings.publisher
    days = plural(settings.signup.confirm_days, "day")
    subject = f"Confirm your subscription to {publisher.name}"
    asked = (
        f"Someone, we hope you, asked for {publisher.name}'s email digest to be sent "
        "to this address."
    )
    ignore = (
        f"The link works for {days}. If you did not ask, ignore this email: nothing more "
        "will be sent to you."
    )
    text = (
        f"Hello,\n\n{asked}\n\nTo confirm, open this link and press the button on the "
        f"page:\n\n{link}\n\n{ignore}\n\n{publisher.name}\n{publisher.postal_address}\n"
    )
    e = html.escape
    # Colours and the font are validated to hold nothing that could leave the attribute.
    brand = settings.email
    body = (
        f'<!doctype html><html lang="{e(publisher.language)}"><head><meta charset="utf-8">'
        f"<title>{e(subject)}</title></head>"
        f'<body style="font-family:{brand.font_family};color:{brand.text_color};'
        'max-width:36em;margin:0 auto;padding:1em">'
        f"<p>Hello,</p><p>{e(asked)}</p>"
        f'<p><a href="{e(link)}" style="display:inline-block;padding:.75em 1.25em;'
        f"background:{brand.accent_color};color:#ffffff;text-decoration:none;"
        'border-radius:4px">'
        "Confirm my subscription</a></p>"
        f'<p>Or copy this link into your browser:<br><a href="{e(link)}">{e(link)}</a></p>'
        f"<p>{e(ignore)}</p>"
        f'<p style="color:{brand.muted_color}">{e(publisher.name)}<br>'
        f"{e(publisher.postal_address)}</p>"
        "</body></html>"
    )
    return ConfirmationEmail(subject=subject, text=text, html=body)

"""The web archive: each edition that went out as a page anyone may read, an index of
the editions and their RSS feed.

An edition's page is the digest itself, rendered by the same templates and the same
:func:`~distributor.compose.digest.digest_view` as the email, for no one in particular
(``web=True``): no greeting by name, no unsubscribe or preferences link, no tracking
parameters on its links, and its roundup list whole. Beside each page, ``<date>.json``
keeps what the index and the feed list of it (:class:`ArchivedEdition`), so they are
built from the folder alone. Every value is escaped on its way out: the page by the
email's own escaping, the index by Jinja2's autoescape, the feed by the XML writer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from distributor.compose.digest import (
    brand_values,
    bundled_templates,
    digest_view,
    long_date,
    render_view,
)
from distributor.compose.roundup import rss_text, xml_text
from distributor.compose.safe import clean_inline, html_str, safe_url
from distributor.models import Roundup, Story
from distributor.settings import Settings

INDEX = "index.html"
FEED = "feed.xml"
FEED_EDITIONS = 50
"""The newest editions the feed carries (the index lists every one)."""


def page_name(day: date) -> str:
    return f"{day.isoformat()}.html"


def summary_name(day: date) -> str:
    return f"{day.isoformat()}.json"


@dataclass(frozen=True)
class ArchivedEdition:
    """What the index and the feed say of one edition."""

    day: date
    subject: str
    preheader: str
    stories: int
    sent_at: datetime | None = None

    def as_json(self) -> str:
        return (
            json.dumps(
                {
                    "day": self.day.isoformat(),
                    "subject": self.subject,
                    "preheader": self.preheader,
                    "stories": self.stories,
                    "sent_at": self.sent_at.isoformat() if self.sent_at else None,
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )

    @classmethod
    def from_json(cls, text: str) -> ArchivedEdition:
        """Read :meth:`as_json`'s text; a ValueError says what is wrong with it."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        try:
            sent = data.get("sent_at")
            return cls(
                day=date.fromisoformat(str(data["day"])),
                subject=str(data["subject"]),
                preheader=str(data.get("preheader") or ""),
                stories=int(data["stories"]),
                sent_at=datetime.fromisoformat(sent) if isinstance(sent, str) else None,
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"missing or malformed field: {exc}") from exc


def edition_page(
    stories: Sequence[Story],
    roundup: Roundup,
    settings: Settings,
    day: date,
    *,
    sent_at: datetime | None = None,
) -> tuple[str, ArchivedEdition]:
    """The edition's page (HTML) and what the index says of it."""
    view = digest_view(stories, roundup, settings, day, web=True)
    html, _ = render_view(view, settings)
    summary = ArchivedEdition(
        day=day,
        subject=str(view.context["subject"]),
        preheader=str(view.context["preheader"]),
        stories=int(view.context["count"]),
        sent_at=sent_at,
    )
    return html, summary


def edition_url(settings: Settings, day: date) -> str | None:
    """The edition's page at ``[publisher] archive_url`` (None when that is not set)."""
    base = safe_url(settings.publisher.archive_url)
    if not base:
        return None
    last = urlsplit(base).path.rsplit("/", 1)[-1]
    if not base.endswith("/") and "." not in last:
        base += "/"  # the archive's folder, not a page in the folder above it
    return urljoin(base, page_name(day))


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # Every {{ value }} is escaped as the email's are (html_str: braces too, so no
    # article text reads as a placeholder anywhere); only the validated colours and
    # font come in as Markup, for the style sheet.
    return Environment(
        loader=FileSystemLoader(str(bundled_templates("archive"))),
        autoescape=False,  # noqa: S701
        finalize=html_str,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _newest_first(editions: Sequence[ArchivedEdition]) -> list[ArchivedEdition]:
    return sorted(editions, key=lambda e: e.day, reverse=True)


def index_page(editions: Sequence[ArchivedEdition], settings: Settings) -> str:
    """``index.html``: every edition, newest first, each linking to its page."""
    brand = brand_values(settings)
    context: dict[str, Any] = {
        "title": f"{brand['name']}: every edition",
        "name": brand["name"],
        "url": brand["url"],
        "lang": brand["lang"],
        "publisher": brand["publisher_name"],
        "address": clean_inline(settings.publisher.postal_address),
        # Checked by the settings (hex colours; a font of letters, commas and quotes).
        **{
            name: Markup(brand[key])  # noqa: S704
            for name, key in (
                ("font", "font_family"),
                ("text", "text_color"),
                ("muted", "muted_color"),
                ("accent", "accent_color"),
                ("background", "background_color"),
                ("card", "card_color"),
                ("dark_text", "dark_text_color"),
                ("dark_accent", "dark_accent_color"),
                ("dark_background", "dark_background_color"),
                ("dark_card", "dark_card_color"),
            )
        },
        "editions": [
            {
                "day": e.day.isoformat(),
                "date_long": long_date(e.day),
                "count": e.stories,
                "page": page_name(e.day),
                "subject": clean_inline(e.subject),
                "preheader": clean_inline(e.preheader),
            }
            for e in _newest_first(editions)
        ],
    }
    return _environment().get_template("index.html.j2").render(context) + "\n"


def feed(editions: Sequence[ArchivedEdition], settings: Settings) -> str:
    """``feed.xml``: the newest :data:`FEED_EDITIONS` editions as RSS 2.0, each linking
    to its page under ``[publisher] archive_url`` (no link when that is not set)."""
    p = settings.publisher
    zone = ZoneInfo(p.timezone)
    brand = brand_values(settings)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = xml_text(f"{brand['name']}: every edition")
    home = safe_url(p.archive_url) or safe_url(p.url) or ""
    ET.SubElement(channel, "link").text = xml_text(home)
    ET.SubElement(channel, "description").text = xml_text(
        f"Every edition of the daily email from {brand['name']}."
    )
    ET.SubElement(channel, "language").text = xml_text(p.language)
    newest = _newest_first(editions)[:FEED_EDITIONS]

    def published(e: ArchivedEdition) -> datetime:
        if e.sent_at is None:
            return datetime.combine(e.day, time(), zone)
        return e.sent_at if e.sent_at.tzinfo else e.sent_at.replace(tzinfo=UTC)

    if newest:
        ET.SubElement(channel, "lastBuildDate").text = format_datetime(published(newest[0]))
    for e in newest:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = xml_text(e.subject)
        url = edition_url(settings, e.day)
        if url:
            ET.SubElement(item, "link").text = xml_text(url)
            ET.SubElement(item, "guid", {"isPermaLink": "true"}).text = xml_text(url)
        else:
            ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = f"edition-{e.day}"
        if e.preheader:
            ET.SubElement(item, "description").text = xml_text(e.preheader)
        ET.SubElement(item, "pubDate").text = format_datetime(published(e))
    return rss_text(rss)

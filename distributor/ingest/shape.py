"""The article body's shape: one block per line, shared by every reader.

A block is a paragraph, a heading, or a list item starting with ``"- "``. Readers
collect blocks; :func:`body_from_blocks` makes the one string every later stage indexes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit, urlunsplit

_SPACE = re.compile(r"\s+")
BULLET = re.compile(r"^\s*(?:[-*+•‣◦]|\d{1,3}[.)])\s+(.*)$")
BYLINE = re.compile(r"^By\s+\S")
# House-shape date lines, e.g. "Published: 27 November 2026".
DATE_LINE = re.compile(r"^(?:Published|Date)\s*:\s*(.+)$", re.IGNORECASE)
_CLOSING = (".", "!", "?", ":", ";", '"', "”", "’", "'", ")")


# What no database stores as text: NUL (PostgreSQL refuses it) and lone surrogates (not
# encodable as UTF-8). Removed at ingest, so both databases hold the same article.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    return _UNSTORABLE.sub("", text) if _UNSTORABLE.search(text) else text


# Links that wrap the page's own address in a mail or social redirect: the address is
# one query parameter, and the rest can hold the recipient's email address.
_REDIRECTS = {
    "safelinks.protection.outlook.com": "url",
    "www.google.com": "q",
    "google.com": "q",
    "l.facebook.com": "u",
    "lm.facebook.com": "u",
}


# Query parameters that only track who clicked from where (campaign tags, click ids):
# they say nothing of the page, and a post or an email should not pass them on.
_TRACKING = re.compile(
    r"(?:utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|mc_cid|mc_eid"
    r"|_hsenc|_hsmi|mkt_tok|_ga|_gl)",
    re.IGNORECASE,
)


_ROOT_DOT = re.compile(r"\.(?=(?::\d+)?$)")


def page_url(url: str) -> str:
    """The page's own address: unwrapped from a redirect wrapper (Outlook Safe Links,
    Google's and Facebook's link redirects), without tracking parameters."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if _ROOT_DOT.search(parts.netloc):
        # "https://www.example.gov./news": the root's dot, which link detection (and some
        # readers) do not take; the same page without it.
        parts = parts._replace(netloc=_ROOT_DOT.sub("", parts.netloc))
        url = urlunsplit(parts)
    if parts.query and _TRACKING.search(parts.query):
        kept = [
            pair
            for pair in parts.query.split("&")
            if pair and not _TRACKING.fullmatch(pair.split("=", 1)[0])
        ]
        parts = parts._replace(query="&".join(kept))
        url = urlunsplit(parts)
    host = (parts.hostname or "").lower()
    key = next(
        (k for domain, k in _REDIRECTS.items() if host == domain or host.endswith("." + domain)),
        None,
    )
    if key is None or (host.endswith("google.com") and parts.path != "/url"):
        return url
    inner = parse_qs(parts.query).get(key, [""])[0]
    if inner.lower().startswith(("http://", "https://")) and " " not in inner:
        return page_url(inner)
    return url


# An accent typed for an apostrophe between letters ("Thailand´s", "don`t").
_ACCENT_APOSTROPHE = re.compile(r"(?<=[^\W\d_])[´`](?=[^\W\d_])")


# Characters that print as nothing and only break or hyphenate a word (a zero-width space,
# a byte-order mark, a soft hyphen): pasted from web pages, they split a word a reader sees
# as whole ("GOV.UK" searched for, or counted, as two). Joiners stay: a word joiner keeps
# "COVID-19" on one line, and emoji and scripts need the zero-width joiners.
_INVISIBLE = re.compile("[\u200b\ufeff\u00ad]")


def squash(text: str) -> str:
    """Collapse runs of whitespace (newlines included) to one space and trim; an accent
    typed for an apostrophe is written as one, and characters that print as nothing are
    dropped."""
    if "´" in text or "`" in text:
        text = _ACCENT_APOSTROPHE.sub("’", text)
    if not text.isascii():
        text = _INVISIBLE.sub("", text)
    return _SPACE.sub(" ", text).strip()


def body_from_blocks(blocks: Iterable[str]) -> str:
    return "\n".join(b for b in (squash(x) for x in blocks) if b)


def is_byline(line: str) -> bool:
    """A credit line such as "By Hannah Okafor, Education Correspondent"."""
    return bool(BYLINE.match(line)) and len(line) <= 160 and not line.endswith(_CLOSING[:3])


def ends_sentence(line: str) -> bool:
    return line.rstrip().endswith(_CLOSING)


# "Wednesday 7 July 2021", "Tue, November 4, 2025": the weekday adds nothing.
_WEEKDAY = re.compile(
    r"^(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)(?:day|nesday|sday|urday)?\.?,?\s+",
    re.IGNORECASE,
)
# "07/07/2021", "7.7.2021": day and month in an order only the values can tell.
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date(value: str) -> datetime | None:
    """ISO 8601, "27 November 2026", "November 27, 2026" (a weekday before any of them is
    allowed), or "27/11/2026" when the numbers can only be read one way (a part above 12,
    or day and month the same); a date alone is midnight UTC. Naive times are UTC."""
    text = _WEEKDAY.sub("", value.strip())
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for fmt in ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y %H:%M"):
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if parsed is None:
            parsed = _numeric(text)
        if parsed is None:
            return None
    return aware(parsed)


def _numeric(text: str) -> datetime | None:
    """A day/month/year date whose order the values settle: "07/07/2021", "25/12/2021",
    "12/25/2021"; "03/04/2021" (March or April?) is not read."""
    found = _NUMERIC.match(text)
    if found is None:
        return None
    a, b, year = (int(g) for g in found.groups())
    if a != b and a <= 12 and b <= 12:
        return None
    day, month = (a, b) if b <= 12 else (b, a)
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


def aware(value: datetime | date) -> datetime:
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

"""Making untrusted article text safe for email: plain lines, http(s) links, escaped markup.

Every value that comes from an article passes through here before it reaches MJML,
HTML, a subject line or the plain-text twin.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlencode, urlsplit, urlunsplit

import regex
from markupsafe import Markup

# Printable ASCII words separated by single spaces: already clean (stdlib re is the
# faster engine for this check, which runs for nearly every value).
_PLAIN = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
# ...and with nothing that HTML escaping or the brace rule would change.
# That is printable ASCII less & < > " ' { }.
_PLAIN_HTML = re.compile(r"[!#-%(-;=?-z|~]+(?: [!#-%(-;=?-z|~]+)*")
# Controls, format characters and lone surrogates go, except the zero-width joiner and
# non-joiner that emoji and some scripts need (markup gets them as references).
_DROP = regex.compile(r"[[\p{Cc}\p{Cf}\p{Cs}]--[\s\u200c\u200d]]+", regex.V1)
_SPACE = regex.compile(r"[\s\p{Zl}\p{Zp}]+", regex.V1)
_AS_REFERENCE = regex.compile(r"[\p{M}\p{C}]", regex.V1)
_URL_BAD = regex.compile(r"[\s\p{Cc}\p{Cf}\p{Cs}]", regex.V1)
_UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")


def clean_inline(value: str) -> str:
    """One line of text: no control characters, every run of whitespace one space."""
    if _PLAIN.fullmatch(value):
        return value
    if (
        value.isprintable()
        and "  " not in value
        and not value.startswith(" ")
        and not value.endswith(" ")
        and unicodedata.is_normalized("NFC", value)
    ):
        # Printable means no control, format or surrogate character and no whitespace
        # but the ASCII space: nothing below would change it.
        return value
    # Normalise after dropping: a dropped control between a letter and its combining
    # mark would otherwise leave a pair that a second cleaning composes (not idempotent).
    value = _DROP.sub("", value)
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    cleaned: str = _SPACE.sub(" ", value).strip(" ")
    return cleaned


def shorten(value: str, limit: int) -> str:
    """Cut at a word boundary to at most ``limit`` characters, marking the cut with "…"."""
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    head, sep, _ = cut.rpartition(" ")
    if sep and len(head) > limit // 2:
        cut = head
    return cut.rstrip(" ,;:-–—") + "…"


def html_text(value: object) -> Markup:
    """Escape a value for HTML and MJML alike.

    Besides ``& < > " '`` this writes braces as references, so article text can never
    form a ``{{placeholder}}`` that the email channel would fill, and writes combining
    marks and joiners as references because the MJML compiler mangles them inside
    attribute values.
    """
    if isinstance(value, Markup):
        return value
    return Markup(html_str(value))  # noqa: S704 - built from escaped text only


def html_str(value: object) -> str:
    """:func:`html_text` as a plain ``str`` (a ``Markup`` value comes back unchanged), for
    a template engine that adds no escaping of its own."""
    if isinstance(value, Markup):
        return value
    if type(value) is str:
        if _PLAIN_HTML.fullmatch(value):
            return value
        return _escape(value if _PLAIN.fullmatch(value) else clean_inline(value))
    if type(value) is int:
        return str(value)
    return _escape(clean_inline("" if value is None else str(value)))


def _escape(text: str) -> str:
    # The replacements markupsafe.escape makes, without building Markup objects.
    escaped = (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )
    if "{" in escaped or "}" in escaped:
        escaped = escaped.replace("{", "&#123;").replace("}", "&#125;")
    if not escaped.isascii():
        escaped = _AS_REFERENCE.sub(lambda m: f"&#{ord(m.group())};", escaped)
    return escaped


def plain_text(value: object) -> str:
    """A value for the plain-text twin: one clean line that cannot form a placeholder."""
    text = clean_inline("" if value is None else str(value))
    return text.replace("{{", "{ {").replace("}}", "} }")


def safe_url(value: str | None) -> str | None:
    """The URL if it is an absolute http(s) link without spaces or control characters."""
    if not value:
        return None
    url = value.strip()
    if _URL_BAD.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if parts.hostname is None:
        return None
    return url


def add_utm(url: str, *, source: str, medium: str, campaign: str) -> str:
    """``url`` with utm_source/utm_medium/utm_campaign set (replacing any it had).

    The rest of the query is kept byte for byte, so the link still reaches the page
    the article named.
    """
    ours = _utm_query(source, medium, campaign)
    head, _, rest = url.partition("://")
    if head in ("https", "http") and rest[:1] not in ("", "/") and not ("?" in rest or "#" in rest):
        # What urlsplit/urlunsplit would give back for a lower-case scheme and no
        # query or fragment, without their cost.
        return f"{url}?{ours}"
    parts = urlsplit(url)
    kept = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] not in _UTM_KEYS]
    return urlunsplit(parts._replace(query="&".join([*kept, ours])))


@lru_cache(maxsize=64)
def _utm_query(source: str, medium: str, campaign: str) -> str:
    return urlencode({"utm_source": source, "utm_medium": medium, "utm_campaign": campaign})

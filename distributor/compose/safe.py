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

# Controls, format characters and lone surrogates go, except the zero-width joiner and
# non-joiner that emoji and some scripts need (markup gets them as references).
# Controls, format characters, lone surrogates and noncharacters (U+FFFE, U+FDD0…: not
# for interchange; an HTML parser drops them, which left a heading empty).
_DROP = regex.compile(
    r"[[\p{Cc}\p{Cf}\p{Cs}\p{Noncharacter_Code_Point}]--[\s\u200c\u200d]]+", regex.V1
)
_SPACE = regex.compile(r"[\s\p{Zl}\p{Zp}]+", regex.V1)
# What the MJML compiler would write as "\u{...}" where it copies text into an
# attribute: marks, controls, default-ignorable and grapheme-extending characters.
_AS_REFERENCE = regex.compile(r"[\p{M}\p{C}\p{DI}\p{Grapheme_Extend}]", regex.V1)
# Latin letters, general punctuation and currency signs hold none of those (the soft
# hyphen aside): the common non-ASCII text, checked by the faster stdlib engine.
_NO_MARK_OR_CONTROL = re.compile(
    "[\x20-\x7e\xa1-\xac\xae-\u02ff\u2010-\u2027\u2030-\u205e\u20a0-\u20c0]*"
)
# The common shape, accepted without parsing: scheme, plain host, printable ASCII path.
_SIMPLE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][\x21-\x7e]*)?")
# Space, controls, format characters, surrogates and noncharacters (U+FFFE, U+FDD0…):
# none belongs in a link, and noncharacters make XML (roundup.xml) ill-formed.
_URL_BAD = regex.compile(r"[\s\p{Cc}\p{Cf}\p{Cs}\p{Noncharacter_Code_Point}]", regex.V1)
_UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")


class Clean(str):
    """Text that :func:`clean_inline` has cleaned, so that escaping it later for HTML or
    the text twin need not clean it again."""

    __slots__ = ()


def clean_inline(value: str) -> Clean:
    """One line of text: no control characters, every run of whitespace one space."""
    if type(value) is Clean:
        return value
    if (
        value.isprintable()
        and "  " not in value
        and value[:1] != " "
        and value[-1:] != " "
        and (value.isascii() or unicodedata.is_normalized("NFC", value))
    ):
        # Printable means no control, format or surrogate character and no whitespace
        # but the ASCII space: nothing below would change it.
        return Clean(value)
    # Normalise after dropping: a dropped control between a letter and its combining
    # mark would otherwise leave a pair that a second cleaning composes (not idempotent).
    value = _DROP.sub("", value)
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    return Clean(_SPACE.sub(" ", value).strip(" "))


_GRAPHEME = regex.compile(r"\X")


def shorten(value: str, limit: int) -> str:
    """Cut at a word boundary to at most ``limit`` characters, marking the cut with "…";
    never inside a grapheme (an emoji sequence, a letter and its accents)."""
    if len(value) <= limit:
        return value
    end = 0
    for m in _GRAPHEME.finditer(value):
        if m.end() > limit - 1:
            break
        end = m.end()
    cut = value[:end]
    head, sep, _ = cut.rpartition(" ")
    if sep and len(head) > limit // 2:
        cut = head
    return cut.rstrip(" ,;:-–—") + "…"


def html_str(value: object) -> str:
    """Escape a value for HTML and MJML alike, for a template engine that adds no
    escaping of its own (a ``Markup`` value comes back unchanged).

    Besides ``& < > " '`` this writes braces as references, so article text can never
    form a ``{{placeholder}}`` that the email channel would fill, and writes as
    references the characters the MJML compiler mangles inside attribute values.
    """
    if isinstance(value, Markup):
        return value
    if type(value) is Clean:
        return _escape(value)
    if type(value) is str:
        return _escape(clean_inline(value))
    if type(value) is int:
        return str(value)
    return _escape(clean_inline("" if value is None else str(value)))


def _escape(text: str) -> str:
    # The replacements markupsafe.escape makes, without building Markup objects; most
    # values hold none of these characters, and a scan is cheaper than a replace.
    if (
        "&" in text
        or "<" in text
        or ">" in text
        or '"' in text
        or "'" in text
        or "{" in text
        or "}" in text
        or "\\" in text
    ):
        text = (
            text.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace('"', "&#34;")
            .replace("'", "&#39;")
            .replace("{", "&#123;")
            .replace("}", "&#125;")
            # The MJML compiler doubles a backslash where it copies the title.
            .replace("\\", "&#92;")
        )
    if not text.isascii() and not _NO_MARK_OR_CONTROL.fullmatch(text):
        text = _AS_REFERENCE.sub(_reference, text)
        if not text.isprintable():
            # Characters this Python's Unicode tables call unassigned but the regex
            # module's do not: the MJML compiler would write them as "\u{...}".
            text = "".join(c if c.isprintable() else _reference(c) for c in text)
    return text


def _reference(match: regex.Match[str] | str) -> str:
    char = match if isinstance(match, str) else match.group()
    return f"&#{ord(char)};"


def plain_text(value: object) -> str:
    """A value for the plain-text twin and the subject: one clean line that cannot form a
    ``{{placeholder}}`` of the digest's nor a ``{%tag%}`` that SendGrid fills per reader."""
    text = value if type(value) is Clean else clean_inline("" if value is None else str(value))
    if "{" in text or "}" in text:
        return (
            text.replace("{{", "{ {").replace("}}", "} }").replace("{%", "{ %").replace("%}", "% }")
        )
    return text


def safe_url(value: str | None) -> str | None:
    """The URL if it is an absolute http(s) link without spaces or control characters."""
    if not value:
        return None
    url = value.strip()
    if _SIMPLE_URL.fullmatch(url):
        return url
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


@lru_cache(maxsize=64)
def utm_query(source: str, medium: str, campaign: str) -> str:
    """The UTM query string for a digest's links, for :func:`with_utm_query`."""
    return urlencode({"utm_source": source, "utm_medium": medium, "utm_campaign": campaign})


def without_utm(url: str) -> str:
    """``url`` as the article named it: a digest link without the UTM parameters
    :func:`with_utm_query` set (the rest of its query kept byte for byte)."""
    if "utm_" not in url:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query="&".join(_not_utm(parts.query))))


def with_utm_query(url: str, query: str) -> str:
    """``url`` with the UTM ``query`` set, replacing any utm_source/utm_medium/
    utm_campaign it had; the rest of its query is kept byte for byte, so the link still
    reaches the page the article named."""
    head, _, rest = url.partition("://")
    if head in ("https", "http") and rest[:1] not in ("", "/") and not ("?" in rest or "#" in rest):
        # What urlsplit/urlunsplit would give back for a lower-case scheme and no
        # query or fragment, without their cost.
        return f"{url}?{query}"
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query="&".join([*_not_utm(parts.query), query])))


def _not_utm(query: str) -> list[str]:
    """A query's parameters but the UTM ones, as written."""
    return [p for p in query.split("&") if p and p.split("=", 1)[0] not in _UTM_KEYS]

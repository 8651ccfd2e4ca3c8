"""Feeds to articles: RSS 2.0, RSS 1.0 (RDF), Atom through feedparser; JSON Feed by hand.

Entry HTML becomes the body's plain-text shape (see :mod:`html_text`); the HTML itself
is kept in ``Article.html``. One bad entry is reported and skipped, never the whole feed.

Relative links and image addresses are made absolute against, in order: the entry's
``xml:base``, the address the feed was fetched from, and the site the feed names
(RSS and Atom ``link``, JSON Feed ``home_page_url``). A link that stays relative is
dropped, since it would lead nowhere from an email or a post.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import struct_time
from typing import Any
from urllib.parse import urljoin

import feedparser

from distributor.errors import SourceError
from distributor.ingest.html_text import html_to_text, looks_like_html
from distributor.ingest.shape import body_from_blocks, page_url, parse_date, squash
from distributor.models import Article, Image, content_hash

FEED_SUFFIXES = frozenset({".xml", ".rss", ".rdf", ".atom", ".json", ".feed"})
_TITLE_FROM_BODY = 90


@dataclass
class FeedResult:
    articles: list[Article] = field(default_factory=list)
    problems: list[SourceError] = field(default_factory=list)


def parse_feed(
    data: bytes, source: str, *, content_type: str | None = None, base_url: str | None = None
) -> FeedResult:
    """Every entry of one feed document. Raises SourceError when it is not a feed at all.

    ``base_url`` is where the document came from, for relative links.
    """
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"[") or (content_type or "").split(";")[0].strip().endswith("json"):
        return parse_json_feed(data, source, base_url=base_url)
    return parse_xml_feed(data, source, content_type=content_type, base_url=base_url)


_UNSTORABLE_REF = re.compile(
    rb"&#(?:[xX]0*(?:[dD][89a-fA-F][0-9a-fA-F]{2}|0+)"
    rb"|0*(?:5529[6-9]|55[3-9]\d\d|56\d\d\d|57[0-2]\d\d|573[0-3]\d|5734[0-3]|0+));"
)


def parse_xml_feed(
    data: bytes, source: str, *, content_type: str | None = None, base_url: str | None = None
) -> FeedResult:
    headers = {"content-type": content_type} if content_type else {}
    if base_url and _is_web(base_url):
        # feedparser resolves links against the document's address under this name.
        headers["content-location"] = base_url
    # A reference to a surrogate or NUL ("&#xD800;") breaks feedparser for the whole
    # feed; no text can hold one, so it is dropped before parsing.
    data = _UNSTORABLE_REF.sub(b"", data)
    # A stream, never a string: feedparser would fetch a string that looks like a URL.
    # feedparser's own HTML sanitising and relative-link resolution inside content are
    # not needed (html_to_text keeps text only and drops scripts; entry links and images
    # are resolved below) and were half of the parse time.
    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not parsed.get("version"):
        reason = parsed.get("bozo_exception")
        detail = f" ({reason})" if reason else ""
        raise SourceError(source, f"not an RSS, Atom or JSON feed{detail}; check the URL or file")
    if parsed.get("bozo") and not parsed.entries:
        raise SourceError(source, f"the feed is malformed: {parsed.get('bozo_exception')}")
    site = str(parsed.feed.get("link") or "")
    base = base_url if _is_web(base_url) else site
    result = FeedResult()
    for number, entry in enumerate(parsed.entries, start=1):
        try:
            result.articles.append(_xml_entry(entry, source, base))
        except SourceError as exc:
            result.problems.append(SourceError(source, f"entry {number}: {exc.reason}"))
        except Exception as exc:
            result.problems.append(SourceError(source, f"entry {number}: unreadable ({exc!r})"))
    return result


def _xml_entry(entry: Mapping[str, Any], source: str, base: str | None) -> Article:
    html, text = _xml_content(entry)
    title = squash(_plain(entry.get("title", ""), entry.get("title_detail")))
    link = _absolute(entry.get("link") or None, base)
    guid = entry.get("id") or link
    return _article(
        source,
        guid=guid,
        title=title,
        html=html,
        text=text,
        url=link,
        published=_struct_time(entry.get("published_parsed") or entry.get("updated_parsed")),
        tags=[t.get("term") or t.get("label") or "" for t in entry.get("tags", [])],
        image=_xml_image(entry, base),
        byline=entry.get("author") or None,
    )


def _xml_content(entry: Mapping[str, Any]) -> tuple[str | None, str]:
    """The fullest content the entry has: (html or None, plain text)."""
    candidates: list[Mapping[str, Any]] = list(entry.get("content") or [])
    if entry.get("summary"):
        candidates.append(entry.get("summary_detail") or {"value": entry["summary"]})
    for detail in candidates:
        value = str(detail.get("value") or "")
        if not value.strip():
            continue
        if _is_html(detail.get("type"), value):
            return value, html_to_text(value)
        return None, _plain_blocks(value)
    return None, ""


def _is_html(kind: str | None, value: str) -> bool:
    if kind in ("text/html", "application/xhtml+xml", "html", "xhtml"):
        return True
    return kind is None and looks_like_html(value)


def _plain(value: str, detail: Mapping[str, Any] | None) -> str:
    kind = (detail or {}).get("type")
    return html_to_text(value).replace("\n", " ") if _is_html(kind, value) else value


def _plain_blocks(text: str) -> str:
    return body_from_blocks(text.replace("\r\n", "\n").split("\n\n"))


def _struct_time(value: struct_time | None) -> datetime | None:
    # feedparser normalises every date it understands to a UTC struct_time.
    return datetime(*value[:6], tzinfo=UTC) if value else None


def _xml_image(entry: Mapping[str, Any], base: str | None) -> Image | None:
    for enclosure in entry.get("enclosures", []):
        if str(enclosure.get("type", "")).startswith("image/") and enclosure.get("href"):
            return Image(url=_absolute(enclosure["href"], base) or enclosure["href"])
    for media in entry.get("media_content", []):
        kind = str(media.get("type", "")) or ""
        if (media.get("medium") == "image" or kind.startswith("image/")) and media.get("url"):
            return Image(
                url=_absolute(media["url"], base) or media["url"],
                width=_int(media.get("width")),
                height=_int(media.get("height")),
            )
    for thumb in entry.get("media_thumbnail", []):
        if thumb.get("url"):
            return Image(
                url=_absolute(thumb["url"], base) or thumb["url"],
                width=_int(thumb.get("width")),
                height=_int(thumb.get("height")),
            )
    return None


def _is_web(url: str | None) -> bool:
    return bool(url) and str(url).lower().startswith(("http://", "https://"))


def _absolute(url: str | None, base: str | None) -> str | None:
    """``url`` made absolute against ``base`` (an http(s) address); as given otherwise."""
    if not url or _is_web(url) or not _is_web(base):
        return url
    joined = urljoin(str(base), url)
    return joined if _is_web(joined) else url


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# JSON Feed ------------------------------------------------------------------------------


def parse_json_feed(data: bytes, source: str, *, base_url: str | None = None) -> FeedResult:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SourceError(source, "the JSON feed is not UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise SourceError(
            source, f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except RecursionError as exc:
        raise SourceError(source, "the JSON is nested too deeply to be a feed") from exc
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise SourceError(
            source, "not a JSON Feed: expected an object whose 'version' is a jsonfeed.org URL"
        )
    items = document.get("items")
    if not isinstance(items, list):
        raise SourceError(source, "the JSON Feed has no 'items' list")
    base = next(
        (
            str(b)
            for b in (base_url, document.get("feed_url"), document.get("home_page_url"))
            if isinstance(b, str) and _is_web(b)
        ),
        None,
    )
    result = FeedResult()
    for number, item in enumerate(items, start=1):
        try:
            result.articles.append(_json_item(item, source, base))
        except SourceError as exc:
            result.problems.append(SourceError(source, f"item {number}: {exc.reason}"))
        except Exception as exc:
            result.problems.append(SourceError(source, f"item {number}: unreadable ({exc!r})"))
    return result


def _json_item(item: Any, source: str, base: str | None) -> Article:
    if not isinstance(item, dict):
        raise SourceError(source, "an item must be an object")
    html = _json_str(item, "content_html")
    text = html_to_text(html) if html else _plain_blocks(_json_str(item, "content_text") or "")
    if not text and item.get("summary"):
        text = squash(_json_str(item, "summary") or "")
    url = _absolute(_json_str(item, "url") or _json_str(item, "external_url"), base)
    raw_id = item.get("id")
    guid = str(raw_id) if isinstance(raw_id, str | int) and str(raw_id).strip() else url
    when = _json_str(item, "date_published") or _json_str(item, "date_modified")
    published = parse_date(when) if when else None
    if when and published is None:
        raise SourceError(source, f"'date_published' is not an RFC 3339 date: {when!r}")
    tags = item.get("tags") or []
    if not isinstance(tags, list):
        raise SourceError(source, "'tags' must be a list of strings")
    image_url = _absolute(_json_str(item, "image") or _json_str(item, "banner_image"), base)
    authors = item.get("authors") or (
        [item["author"]] if isinstance(item.get("author"), dict) else []
    )
    names = [a.get("name") for a in authors if isinstance(a, dict) and a.get("name")]
    return _article(
        source,
        guid=guid,
        title=squash(_json_str(item, "title") or ""),
        html=html,
        text=text,
        url=url,
        published=published,
        tags=[str(t) for t in tags],
        image=Image(url=image_url) if image_url else None,
        byline=", ".join(str(n) for n in names) or None,
    )


def _json_str(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SourceError("", f"'{key}' must be a string")
    return value.strip() or None


# Shared ---------------------------------------------------------------------------------


def _article(
    source: str,
    *,
    guid: str | None,
    title: str,
    html: str | None,
    text: str,
    url: str | None,
    published: datetime | None,
    tags: list[str],
    image: Image | None,
    byline: str | None,
) -> Article:
    if not title and not text:
        raise SourceError(source, "has neither a title nor any content")
    if not title:
        # Title-less posts (allowed by RSS and JSON Feed) are named by their first words.
        first = text.split("\n", 1)[0]
        title = (
            first
            if len(first) <= _TITLE_FROM_BODY
            else first[:_TITLE_FROM_BODY].rsplit(" ", 1)[0] + "…"
        )
    if not _is_web(url):
        url = None
    elif url is not None:
        url = page_url(url)
    return Article(
        source_id=source,
        # No id and no link: the content itself is the only stable name left.
        guid=guid or f"sha256:{content_hash(title, text)}",
        title=title,
        body=text,
        url=url,
        published_at=published,
        html=html,
        image=image,
        tags=tuple(dict.fromkeys(squash(t) for t in tags if t and squash(t))),
        byline=byline,
    )

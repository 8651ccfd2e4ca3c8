"""Article files: plain text in the publisher's house shape, and Markdown with front matter.

House shape (``.txt``)::

    Title on the first line

    By Name, Role                     (a byline: here, or as one of the last lines)
    Published: 27 November 2026       (optional; ISO 8601 also accepted)
    URL: https://news.example.org/... (optional: the article's page, for links)

    Intro paragraph, one paragraph per line (a wrapped line that starts in lower case,
    or is indented, continues the one above).

    A heading on its own line
    - a bullet per line
    Sources: where the facts come from

Markdown (``.md``) may open with YAML front matter between ``---`` lines: ``title``,
``url``, ``date``, ``tags``, ``image`` (a URL, or ``{url, alt}``), ``image_alt``,
``author`` (or ``byline``) and ``guid``. Inline Markdown becomes plain text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from distributor.errors import SourceError
from distributor.ingest.html_text import html_to_text
from distributor.ingest.shape import (
    BULLET,
    DATE_LINE,
    aware,
    body_from_blocks,
    ends_sentence,
    is_byline,
    page_url,
    parse_date,
    squash,
)
from distributor.models import Article, Image

TEXT_SUFFIXES = frozenset({".txt", ".text"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
ARTICLE_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES
FRONT_MATTER_KEYS = (
    "title",
    "url",
    "date",
    "tags",
    "image",
    "image_alt",
    "author",
    "byline",
    "guid",
)


@dataclass
class _Block:
    text: str
    line: int


def read_article_file(file: Path, *, root: Path | None = None) -> Article:
    """One article file. ``root`` is the source folder; the guid is the path below it."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise SourceError(str(file), f"cannot read the file: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            str(file), f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    base = root if root is not None else file.parent
    source_id = base.name or "files"
    guid = f"{source_id}/{file.relative_to(base).as_posix()}"
    parse = parse_markdown if file.suffix.lower() in MARKDOWN_SUFFIXES else parse_house_text
    return replace(parse(text, str(file), source_id=source_id, guid=guid), path=str(file))


# An HTML tag, comment or character reference in text that should have none.
MARKUP = re.compile(
    r"<(?:[A-Za-z][\w-]*(?:\s[^<>]*)?/?|/[A-Za-z][\w-]*\s*|!--)>"
    r"|&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{2,8});"
)


def parse_house_text(text: str, where: str, *, source_id: str, guid: str) -> Article:
    lines = text.split("\n")
    title = squash(lines[0]) if lines else ""
    if not title:  # empty, or only characters that print as nothing
        raise SourceError(where, "the first line must be the article's title", line=1)
    blocks = _text_blocks(lines[1:], first_line=2)
    byline, published, blocks = _credits(blocks, where)
    url, blocks = _page_link(blocks, where)
    # A headline alone is still news: it gets a one-post thread and a roundup line, and
    # the article lint says it has no body.
    body = body_from_blocks(b.text for b in blocks)
    original = None
    if MARKUP.search(title):
        title = squash(html_to_text(title).replace("\n", " ")) or title
        original = body
    if MARKUP.search(body):
        # Tags, scripts and entities pasted into a plain-text article are read as HTML,
        # so extraction sees text; the original is kept, and the lint flags the article.
        original = body
        body = body_from_blocks(line for b in blocks for line in html_to_text(b.text).split("\n"))
    return Article(
        source_id=source_id,
        guid=guid,
        title=title,
        body=body,
        html=original,
        url=url,
        published_at=published,
        byline=byline,
    )


def _page_link(blocks: list[_Block], where: str) -> tuple[str | None, list[_Block]]:
    """Take a ``URL:`` line (among the first four or the last two) out of the body."""
    last = len(blocks) - 1
    for index, block in enumerate(blocks):
        if not (index < 4 or index >= last - 1):
            continue
        found = _URL_LINE.match(block.text)
        if found is None:
            continue
        url = found.group(1)
        if not url.lower().startswith(("http://", "https://")) or " " in url:
            raise SourceError(
                where,
                f"the URL line must hold the article's web address, such as "
                f"'URL: https://news.example.org/2026/rail-fares', got {url!r}",
                line=block.line,
            )
        return page_url(url), blocks[:index] + blocks[index + 1 :]
    return None, blocks


def _text_blocks(lines: list[str], *, first_line: int) -> list[_Block]:
    blocks: list[_Block] = []
    joinable = False  # whether the next line may continue the previous block
    for offset, line in enumerate(lines):
        number = first_line + offset
        stripped = line.strip()
        if not stripped:
            joinable = False
            continue
        bullet = BULLET.match(stripped)
        continues = joinable and blocks and not bullet
        # A wrapped line continues its paragraph: indented, or mid-sentence in lower case.
        indented = line[:1].isspace()
        if continues and (
            indented or (stripped[:1].islower() and not ends_sentence(blocks[-1].text))
        ):
            blocks[-1].text += " " + stripped
            continue
        if bullet:
            if bullet.group(1).strip():
                blocks.append(_Block("- " + bullet.group(1).strip(), number))
        else:
            blocks.append(_Block(stripped, number))
        joinable = True
    return blocks


def _credits(blocks: list[_Block], where: str) -> tuple[str | None, datetime | None, list[_Block]]:
    """Take the byline and date lines out of the body: near the top or at the very end."""
    byline: str | None = None
    published: datetime | None = None
    kept: list[_Block] = []
    last = len(blocks) - 1
    for index, block in enumerate(blocks):
        near_edge = index < 3 or index >= last - 1
        if byline is None and near_edge and is_byline(block.text):
            byline = block.text[3:].strip()
            continue
        dated = DATE_LINE.match(block.text) if index < 4 else None
        if published is None and dated:
            published = parse_date(dated.group(1))
            if published is None:
                raise SourceError(
                    where,
                    f"cannot read the date {dated.group(1)!r} (a date such as 03/04/2026"
                    " may be March or April); write e.g. 'Published: 27 November 2026' or"
                    " 'Published: 2026-11-27'",
                    line=block.line,
                )
            continue
        kept.append(block)
    return byline, published, kept


_URL_LINE = re.compile(r"^(?:URL|Link)\s*:\s*(.+?)\s*$", re.IGNORECASE)


# Markdown -------------------------------------------------------------------------------

# Every open-ended run is bounded (a link's text or address, a title): a pattern that
# fails far from where it starts would otherwise rescan to the end of the line from
# each "![" or "<", quadratic in the line (50 KB of "![a](" took 30 s).
# A run also stops at the bracket that would open the next link, so a failed try costs
# a few characters, not the bound.
_IMAGE = re.compile(
    r"!\[([^\[\]]{0,1000})\]\(\s{0,20}<?([^()\s>]{0,2048})>?(?:\s{1,20}\"[^\"]{0,1000}\")?"
    r"\s{0,20}\)"
)
_LINK = re.compile(r"\[([^\[\]]{1,1000})\]\([^()]{0,2048}\)")
_REF_LINK = re.compile(r"\[([^\[\]]{1,1000})\]\[[^\[\]]{0,1000}\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]{1,2048})>")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPH_STAR = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_EMPH_UNDER = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_CODE = re.compile(r"`+([^`]+)`+")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,2048}>")
_ATX = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_RULE = re.compile(r"^(?:[-*_]\s*){3,}$")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S")
_FENCE = re.compile(r"^(```|~~~)")
_STASHED = re.compile("\x00(\\d+)\x00")


def markdown_inline(text: str) -> str:
    """Inline Markdown to plain text: links keep their words, emphasis its content."""
    # Code spans and backslash escapes are literal: stash them before reading emphasis.
    stash: list[str] = []

    def keep(match: re.Match[str]) -> str:
        stash.append(match.group(1))
        return f"\x00{len(stash) - 1}\x00"

    out = _CODE.sub(keep, text)
    out = _ESCAPE.sub(keep, out)
    out = _IMAGE.sub("", out)
    out = _LINK.sub(r"\1", out)
    out = _REF_LINK.sub(r"\1", out)
    out = _AUTOLINK.sub(r"\1", out)
    out = _STRONG.sub(r"\2", out)
    out = _STRIKE.sub(r"\1", out)
    out = _EMPH_STAR.sub(r"\1", out)
    out = _EMPH_UNDER.sub(r"\1", out)
    # Tags are dropped (scripts with their content) and entities decoded in one pass.
    out = html_to_text(out).replace("\n", " ") if _TAG.search(out) else html.unescape(out)
    out = _STASHED.sub(lambda m: stash[int(m.group(1))], out)
    return squash(out)


def parse_markdown(text: str, where: str, *, source_id: str, guid: str) -> Article:
    meta, body_start = front_matter(text, where)
    lines = text.split("\n")[body_start:]
    blocks, first_heading, first_image = _markdown_blocks(lines, first_line=body_start + 1)

    title = _string(meta, "title", where, text)
    title_line = 1
    if title is None:
        if first_heading is None:
            raise SourceError(
                where, "no title: add 'title:' to the front matter or a '# Title' line", line=1
            )
        title, title_line = first_heading.text, first_heading.line
    title = squash(title)
    if not title:  # only characters that print as nothing
        raise SourceError(where, "the title is empty: give the article a title", line=title_line)
    # The title repeated as the first heading is not body text.
    if blocks and blocks[0] is first_heading and squash(first_heading.text) == title:
        blocks = blocks[1:]

    byline = _string(meta, "author", where, text) or _string(meta, "byline", where, text)
    found_byline, found_date, blocks = _credits(blocks, where)
    byline = byline or found_byline

    url = _string(meta, "url", where, text)
    if url is not None and not re.match(r"^https?://\S+$", url):
        raise SourceError(
            where,
            f"'url' must be an absolute http(s) address, got {url!r}",
            line=_key_line(text, "url"),
        )
    published = _date(meta, where, text) or found_date
    image = _image(meta, where, text)
    if image is None and first_image is not None:
        image = first_image
    return Article(
        source_id=source_id,
        guid=_string(meta, "guid", where, text) or guid,
        title=title,
        body=body_from_blocks(b.text for b in blocks),
        url=page_url(url) if url else None,
        published_at=published,
        image=image,
        tags=_tags(meta, where, text),
        byline=byline,
    )


def front_matter(text: str, where: str) -> tuple[dict[str, Any], int]:
    """The YAML mapping between the opening and closing ``---``, and where the body starts."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            break
    else:
        raise SourceError(
            where,
            "the front matter opened with '---' is never closed; "
            "add a line with '---' after the last key",
            line=1,
        )
    try:
        loaded = yaml.safe_load("\n".join(lines[1:index]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        line = mark.line + 2 if mark is not None else 1
        raise SourceError(
            where, f"front matter is not valid YAML: {problem}; use 'key: value' lines", line=line
        ) from exc
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise SourceError(
            where, "front matter must be 'key: value' lines (a mapping), not a list or text", line=2
        )
    return {str(k): v for k, v in loaded.items()}, index + 1


def _key_line(text: str, key: str) -> int:
    for number, line in enumerate(text.split("\n"), start=1):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return number
    return 1


def _string(meta: Mapping[str, Any], key: str, where: str, text: str) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise SourceError(
            where, f"'{key}' must be text, got {type(value).__name__}", line=_key_line(text, key)
        )
    return str(value).strip() or None


def _date(meta: Mapping[str, Any], where: str, text: str) -> datetime | None:
    value = meta.get("date")
    if value is None:
        return None
    if isinstance(value, date):
        return aware(value)
    parsed = parse_date(str(value)) if isinstance(value, str) else None
    if parsed is None:
        raise SourceError(
            where,
            f"'date' must be a date such as 2026-11-28 or 2026-11-28T09:30:00+00:00, got {value!r}",
            line=_key_line(text, "date"),
        )
    return parsed


def _tags(meta: Mapping[str, Any], where: str, text: str) -> tuple[str, ...]:
    value = meta.get("tags")
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        items = [None]
    if any(isinstance(i, bool) or not isinstance(i, str | int | float) for i in items):
        raise SourceError(
            where,
            "'tags' must be a list of words, e.g. tags: [health, schools]",
            line=_key_line(text, "tags"),
        )
    tags = (squash(str(i)) for i in items)
    return tuple(dict.fromkeys(t for t in tags if t))


def _image(meta: Mapping[str, Any], where: str, text: str) -> Image | None:
    value = meta.get("image")
    if value is None:
        return None
    alt = _string(meta, "image_alt", where, text) or ""
    if isinstance(value, dict) and isinstance(value.get("url"), str):
        url = value["url"]
        alt = str(value.get("alt") or alt)
    elif isinstance(value, str):
        url = value
    else:
        url = ""
    if not re.match(r"^https?://\S+$", url.strip()):
        raise SourceError(
            where,
            "'image' must be an http(s) URL, or 'url:' and 'alt:' keys below it",
            line=_key_line(text, "image"),
        )
    return Image(url=url.strip(), alt=squash(alt))


def _markdown_blocks(
    lines: list[str], *, first_line: int
) -> tuple[list[_Block], _Block | None, Image | None]:
    blocks: list[_Block] = []
    first_heading: _Block | None = None
    first_image: Image | None = None
    paragraph: list[str] = []
    para_line = 0
    item: _Block | None = None
    fence: str | None = None

    def flush() -> None:
        nonlocal paragraph, item
        if paragraph:
            blocks.append(_Block(markdown_inline(" ".join(paragraph)), para_line))
        paragraph = []
        item = None

    for offset, line in enumerate(lines):
        number = first_line + offset
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            elif stripped:
                blocks.append(_Block(squash(stripped), number))
            continue
        found = _IMAGE.search(line) if first_image is None else None
        if found and found.group(2).startswith(("http://", "https://")):
            first_image = Image(url=found.group(2), alt=squash(found.group(1)))
        opened = _FENCE.match(stripped)
        if opened:
            flush()
            fence = opened.group(1)
            continue
        if not stripped:
            flush()
            continue
        if _REF_DEF.match(line):
            continue
        setext = _SETEXT.match(stripped)
        if setext and len(paragraph) == 1 and item is None:
            heading = _Block(markdown_inline(paragraph[0]), para_line)
            paragraph = []
            blocks.append(heading)
            first_heading = first_heading or heading
            continue
        if _RULE.match(stripped):
            flush()
            continue
        atx = _ATX.match(stripped)
        if atx:
            flush()
            heading = _Block(markdown_inline(atx.group(2)), number)
            blocks.append(heading)
            first_heading = first_heading or heading
            continue
        bullet = BULLET.match(line)
        if bullet:
            flush()
            item = _Block("- " + markdown_inline(bullet.group(1)), number)
            if item.text != "- ":
                blocks.append(item)
            continue
        if item is not None and line[:1].isspace():
            item.text = squash(item.text + " " + markdown_inline(stripped))
            continue
        if item is not None:
            item = None
        content = stripped.lstrip(">").strip() if stripped.startswith(">") else stripped
        if not paragraph:
            para_line = number
        paragraph.append(content)
    flush()
    return [b for b in blocks if b.text.strip()], first_heading, first_image

"""The body's blocks (one per line) with their offsets and what kind of block each is.

Every later step works on these, so that what it reports indexes ``article.body``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass

from distributor.words import MONTH_NAMES


class Kind(enum.Enum):
    PARAGRAPH = "paragraph"
    HEADING = "heading"
    ITEM = "item"
    BYLINE = "byline"
    SOURCES = "sources"


# A dateline before a release's first sentence: "WASHINGTON –", "LONDON, UK —", "ALBANY,
# N.Y. (Feb 5, 2008)–", "DALLAS – (May 15, 2017)", "DAUPHIN—A new …",
# "(Washington, D.C., March 20, 2018) –", "PHILADELPHIA – (January 18, 2018) --", or a
# city and a state with no dash ("WASHINGTON, DC The Department …"), a place in title case
# and a date in brackets ("Miami (May 14, 2024) The State Attorney …"). A date as the
# dateline, or after the place: "May 30, 2018 --", "30 May 2018 –", "Monday, June 22, 2015 -".
# A month's name, for a date given without its year ("CANADA, September 1 - The Prime
# Minister …"): without the year only a month's name makes it a date ("Phase 2 – The
# council …" is none).
_MONTH = "(?:" + "|".join(sorted((m.capitalize() for m in MONTH_NAMES), key=len)[::-1]) + ")"
# A date with its year: "March 25, 2014", "Jan. 8, 2008", "30 May 2018".
DATE_WITH_YEAR = r"(?:[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]{2,8} \d{4})"
_DATED = (
    r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,? )?"
    rf"(?:{DATE_WITH_YEAR}|{_MONTH} \d{{1,2}})"
    r"(?: ?(?:--|[–—-]) +| ?[–—](?=[A-Z]))"
)
DATELINE_LEAD = re.compile(
    r"(?:[A-Z][A-Z.'’-]{2,}(?: [A-Z][A-Z.'’-]+){0,2}(?:, [A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+)?)?"
    r"(?: \([^()]{3,40}\))?(?: ?(?:[–—]|-{1,2}) +| ?[–—](?=[A-Z])"
    # "MADISON-The U.S. Supreme Court …"; "AUGUSTA ? Attorney General …", a dash the
    # page's encoding lost.
    r"|-(?=(?:The|A|An|Today|Governor|Secretary|Attorney|Mayor|State|County|City|Police)\s)"
    r"| \? +(?=[A-Z]))"
    r"(?:\([^()]{3,40}\)(?: ?(?:[–—]|-{1,2}))? +)?"
    r"|\([^()]{3,60}\) ?[–—-] +"
    r"|[A-Z]{4,}(?: [A-Z]{2,})*, (?:D\.?C\.?|[A-Z]{2}) +(?=[A-Z][a-z])"
    # "Miami (May 14, 2024) Miami-Dade State Attorney …": a place in title case and its
    # date in brackets, no dash.
    r"|[A-Z][a-z]+(?: [A-Z][a-z]+){0,2},? \([A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}\) +(?=[A-Z])"
    # "(Miami – July 7, 2024) State Attorney …": place and date in brackets, no dash after.
    r"|\([A-Z][^()]{2,40}\d{4}\) +(?=[A-Z])"
    # "WASHINGTON, March 25, 2014—Agriculture Secretary …": the place, then its date.
    r"|[A-Z]{3,}(?:[ .][A-Z]{2,}){0,2}\.?, (?=[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}"
    rf"|{_MONTH} \d{{1,2}} ?(?:--|[–—-]))"
    # "Miami – April 1, 2025 – Miami-Dade State Attorney …": a place in title case, then
    # its date between dashes.
    r"|[A-Z][a-z]+(?: [A-Z][a-z]+){0,2} ?(?:[–—]|-{1,2}) ?"
    r"(?=[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4} ?(?:--|[–—-]))"
    # "Raleigh - The Board of Transportation approved …", "Saint Paul – Governor Tim
    # Pawlenty today …": a city in title case alone, before the words a release opens with.
    r"|[A-Z][a-z]{3,}(?: [A-Z][a-z]+)? (?:[–—]|-{1,2}) (?=(?:The|A|An|Today|Governor|Mayor"
    r"|Secretary|Attorney|State|County|City|Police|Sheriff|Officials|Residents) \w)"
    # "Hays County Courthouse, San Marcos, TX – The …": a place, its town and its state's
    # postal code.
    r"|[A-Z][a-z]+(?: [A-Z][a-z]+){0,3}(?:, [A-Z][a-z]+(?: [A-Z][a-z]+){0,2}){0,2}"
    r", [A-Z]{2} (?:[–—]|-{1,2}) (?=[A-Z]))"
    rf"(?:{_DATED})?|{_DATED}"
)


_DATELINE_SIGNS = frozenset("–—-(?")


def dateline(text: str) -> re.Match[str] | None:
    """The dateline opening ``text``, if any (:data:`DATELINE_LEAD`). Read at the start of
    every paragraph, so a cheap look first: every dateline has a dash, a bracket or a lost
    dash ("?") near its start, or opens with a place in capitals."""
    head = text[:60]
    if not (_DATELINE_SIGNS.intersection(head) or head[:3].isupper()):
        return None
    return DATELINE_LEAD.match(text)


@dataclass(frozen=True, slots=True)
class Block:
    kind: Kind
    start: int
    end: int
    text: str
    """The block's content: for a list item, without its ``- `` marker."""

    @property
    def index_ok(self) -> bool:
        return self.end >= self.start


_BYLINE = re.compile(r"^(?:by|written by|author:|words by|reporting by)\s+\S", re.IGNORECASE)
_SOURCES = re.compile(
    r"^(?:sources?|references?|further information|notes to editors)\s*:", re.IGNORECASE
)
_CLOSING = (".", "!", "?", ":", ";", "”", "“", "»", "«", '"', "’", "'", ")", "…", ",")
_INNER_STOP = re.compile(r"[.!?…][\"”’']?\s+\S")
_MARKER = re.compile(r"(?:>|#{1,6})[ \t]+")
_DATELINE_BYLINE = re.compile(r"^(?:published|updated|posted)\s*:?\s+\d", re.IGNORECASE)


def _classify(text: str) -> Kind:
    if text.startswith("- ") or text.startswith("* ") or text.startswith("• "):
        return Kind.ITEM
    if _SOURCES.match(text):
        return Kind.SOURCES
    if (_BYLINE.match(text) and len(text) < 120) or _DATELINE_BYLINE.match(text):
        return Kind.BYLINE
    stripped = text.rstrip()
    if len(stripped) <= 100 and not stripped.endswith(_CLOSING) and not _INNER_STOP.search(text):
        return Kind.HEADING
    return Kind.PARAGRAPH


def blocks(body: str) -> Iterator[Block]:
    """Each non-empty line of ``body`` with its offsets, leading and trailing space trimmed."""
    pos = 0
    for line in body.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        lead = len(line) - len(line.lstrip())
        trail = len(line.rstrip())
        if trail <= lead:
            continue
        text = line[lead:trail]
        offset = start + lead
        marker = _MARKER.match(text)
        if marker:
            # A Markdown blockquote or heading marker kept by a plain-text conversion.
            text, offset = text[marker.end() :], offset + marker.end()
            if not text:
                continue
        kind = Kind.HEADING if marker and marker.group(0)[0] == "#" else _classify(text)
        if kind is Kind.ITEM:
            inner = text[2:]
            skip = len(inner) - len(inner.lstrip())
            text = inner.lstrip()
            offset += 2 + skip
            if not text:
                continue
        yield Block(kind, offset, offset + len(text), text)

"""Sentence segmentation with offsets, tuned to the abbreviations of press releases.

A full stop ends a sentence only when it is followed by space and something that can
begin one, and the word before it is not a known abbreviation ("Dr.", "e.g.", "No.")
or an initial. Decimals ("£1.5bn") never split because no space follows the point.
"""

from __future__ import annotations

import re

from distributor.abbreviations import ends_anyway, is_abbreviation
from distributor.models import Span

# A terminator, any closing marks after it, then space, then what may open a sentence.
_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[^\W_a-z])", re.UNICODE)


def split(text: str, offset: int = 0) -> list[Span]:
    """The sentences of ``text``; spans are shifted by ``offset`` into the enclosing body."""
    spans: list[Span] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        term = match.group(1)
        if (
            term == "."
            and is_abbreviation(text, match.start(1))
            and not ends_anyway(text, match.start(1), match.end(3))
        ):
            continue
        end = match.end(2)
        if text[start:end].strip():
            spans.append(_span(text, start, end, offset))
        start = match.end(3)
    if text[start:].strip():
        spans.append(_span(text, start, len(text), offset))
    return spans


def _span(text: str, start: int, end: int, offset: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(text[start:end], offset + start, offset + end)

"""The headline: the article's title without site suffixes, stray punctuation or spacing."""

from __future__ import annotations

import html
import re

from distributor.abbreviations import is_abbreviation

_SUFFIX = re.compile(
    r"\s+[|–—-]\s+(?:GOV\.UK|gov\.uk|News|Press release"
    r"|(?:Department|Ministry|Office|Secretary of State) (?:for|of) [\w ,&’']{2,60}"
    r"|[A-Z][\w&’'. ]{1,60}"
    r"(?:Office|Department|Ministry|Council|Agency|Authority|Government|Service|News|Trust"
    r"|Executive|Commission|Parliament|Press|Gazette|Times|Post|Online|\.\w{2,4}))\s*$"
)
_TRAILING = re.compile(r"[\s.,;:–—|-]+$")
# A date a site put before the title: "18/10/2024: Council secures funding".
_DATED = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\s*[:|–—-]\s+")


def clean(title: str) -> str:
    text = _TRAILING.sub("", _DATED.sub("", " ".join(html.unescape(title).split())))
    for _ in range(3):
        cut = _SUFFIX.sub("", text)
        if cut == text or not cut.strip():
            break
        text = cut
    kept = _TRAILING.sub("", text).strip()
    if f"{kept}." in title and is_abbreviation(f"{kept}.", len(kept)):
        return f"{kept}."  # "Saferoom in St. Clair, Minn.": the abbreviation's own stop
    return kept

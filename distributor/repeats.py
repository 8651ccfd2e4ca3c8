"""Whether a value stated twice is one fact told twice or two facts that share a number:
read the same way by extraction (which figures to keep) and by the posts and cards
(which figures are news beside the ones before them)."""

from __future__ import annotations

import re

from distributor.words import MONTH_NAMES

_SUBSTANCE = re.compile(r"[A-Za-z][a-z’'-]{3,}")
# Words that say nothing of what a rate measures: joining words, time, and the rate's
# own words.
_PLAIN = (
    frozenset(
        [
            "about",
            "also",
            "after",
            "against",
            "been",
            "before",
            "being",
            "between",
            "from",
            "have",
            "into",
            "more",
            "most",
            "over",
            "since",
            "than",
            "that",
            "their",
            "there",
            "these",
            "they",
            "this",
            "those",
            "through",
            "under",
            "were",
            "what",
            "when",
            "where",
            "which",
            "while",
            "will",
            "with",
            "would",
            "said",
            "says",
            "year",
            "years",
            "month",
            "months",
            "week",
            "weeks",
            "estimated",
            "percent",
            "cent",
        ]
    )
    | MONTH_NAMES
)


def same_fact(value: str, first: str, again: str) -> bool:
    """Is ``value``, stated in ``first`` and again in ``again``, one fact told twice?

    Amounts and counts are ("£22 million" in three sentences is one sum). Rates coincide
    where they are not: "employment increased an estimated 2.5%" and "the unemployment
    rate is estimated at 2.5%" are two facts, told apart by sharing no word of substance.
    """
    if not value.rstrip().endswith(("%", "percent", "per cent")):
        return True
    return bool(_substance(first) & _substance(again))


def _substance(text: str) -> set[str]:
    return {w.lower() for w in _SUBSTANCE.findall(text)} - _PLAIN

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


# A sum of money as written: "$7.7 million", "$7,700,000", "£45m", "€2.5bn".
_MONEY = re.compile(
    r"(?P<cur>[£$€])\s?(?P<num>\d[\d,]*(?:\.\d+)?)"
    r"(?:\s?(?P<scale>trillion|billion|million|thousand|bn|tn|m|k)\b)?",
    re.IGNORECASE,
)
_SCALES = {
    "thousand": 10**3,
    "k": 10**3,
    "million": 10**6,
    "m": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "trillion": 10**12,
    "tn": 10**12,
}


def sums(text: str) -> set[str]:
    """The sums of money in ``text``, each as one key however it is written: "$7.7
    million" and "$7,700,000" are both "$7700000"; "$1.69" stays "$1.69"."""
    return {key for m in _MONEY.finditer(text) if (key := _key(m))}


def sum_key(value: str) -> str | None:
    """A value that is a sum of money and nothing else ("$7.7 million", not "$2 per
    gallon"), as :func:`sums` keys it."""
    found = _MONEY.fullmatch(value.strip())
    return _key(found) if found else None


def _key(m: re.Match[str]) -> str | None:
    try:
        amount = float(m.group("num").replace(",", ""))
    except ValueError:
        return None
    scale = _SCALES.get((m.group("scale") or "").lower(), 1)
    return f"{m.group('cur')}{amount * scale:.2f}".rstrip("0").rstrip(".")

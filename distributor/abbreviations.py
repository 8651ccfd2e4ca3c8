"""Which full stops end a sentence: the abbreviations of press releases, read the same
way by extraction (:mod:`distributor.extract.sentences`) and by the posts' sentence
breaks (:mod:`distributor.text`)."""

from __future__ import annotations

import re

# US states as AP style abbreviates them ("St. Clair, Minn."); not "Ill.", "Wash.", "Mass."
# or "Miss.", which are also words that end sentences.
_STATES = frozenset(
    {"ala", "ariz", "ark", "calif", "colo", "conn", "fla", "ga", "kan", "kans", "ky", "md"}
    | {"mich", "minn", "mont", "neb", "nev", "okla", "tenn", "tex", "vt", "wis", "wyo"}
)
ABBREVIATIONS = (
    frozenset(
        [
            "mr",
            "mrs",
            "ms",
            "dr",
            "prof",
            "rt",
            "hon",
            "st",
            "sr",
            "jr",
            "rev",
            "gen",
            "sen",
            "sens",
            "rep",
            "reps",
            "gov",
            "govs",
            "adm",
            "maj",
            "atty",
            "amb",
            "pres",
            "ft",
            "mt",
            "col",
            "capt",
            "lt",
            "sgt",
            "cllr",
            "cmdr",
            "insp",
            "supt",
            "e.g",
            "eg",
            "i.e",
            "ie",
            "etc",
            "vs",
            "v",
            "cf",
            "al",
            "approx",
            "est",
            "no",
            "nos",
            "vol",
            "fig",
            "figs",
            "para",
            "paras",
            "sec",
            "ch",
            "art",
            "jan",
            "feb",
            "mar",
            "apr",
            "jun",
            "jul",
            "aug",
            "sep",
            "sept",
            "oct",
            "nov",
            "dec",
            "mon",
            "tue",
            "wed",
            "thu",
            "fri",
            "sat",
            "sun",
            "co",
            "ltd",
            "inc",
            "plc",
            "corp",
            "dept",
            "govt",
            "gov",
            "u.k",
            "u.s",
            "u.n",
            "p.a",
            "a.m",
            "p.m",
            "c",
            "ca",
            "op",
            "pp",
            "ext",  # a telephone extension: "call 760-863-8216 ext. 4021"
        ]
    )
    | _STATES
)

_WORD_BEFORE = re.compile(r"([^\W\d_][\w.]*)$", re.UNICODE)


_INITIALS = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")


def is_abbreviation(text: str, dot: int) -> bool:
    """Is the full stop at ``text[dot]`` part of an abbreviation or initial?"""
    match = _WORD_BEFORE.search(text, max(0, dot - 40), dot)
    if not match:
        return False
    word = match.group(1)
    lowered = word.lower().rstrip(".")
    if lowered in ABBREVIATIONS:
        return True
    # "J. Smith" and "U.K." style initials.
    return (len(word) == 1 and word.isupper()) or bool(_INITIALS.fullmatch(word))


# Abbreviations that often end a sentence ("… investment in the U.S. The two …"): after
# one, a word that usually opens a sentence starts a new one.
_MAY_END = frozenset({"u.s", "u.k", "u.n", "e.u", "d.c", "a.m", "p.m", "etc"}) | _STATES
_OPENERS = frozenset(
    {"The", "This", "That", "These", "Those", "It", "Its", "He", "She", "They", "We", "I"}
    | {"In", "On", "But", "And", "A", "An", "As", "After", "Today", "However", "There"}
    | {"Our", "His", "Her", "Their", "Meanwhile", "Since", "While", "When", "If"}
)


def ends_anyway(text: str, dot: int, after: int) -> bool:
    """Does the abbreviation at ``text[dot]`` end its sentence all the same?"""
    word = _WORD_BEFORE.search(text, max(0, dot - 40), dot)
    if not word or word.group(1).lower().rstrip(".") not in _MAY_END:
        return False
    following = text[after : after + 12].split(" ", 1)[0]
    return following in _OPENERS

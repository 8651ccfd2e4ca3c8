"""Key figures: whole sentences (or list items) that carry the article's important numbers.

A number is a figure when it is money, a percentage, a rate, a count of something, a
physical quantity or a change ("doubled", "a third"); dates, standalone years, times,
phone numbers, section and bill numbers and names such as G7 or Covid-19 are not. Dates
and durations count only when they are the outcome (a deadline, an effective date).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from distributor.extract import sentences
from distributor.extract.blocks import Block, Kind, dateline
from distributor.models import Figure
from distributor.repeats import same_fact, sum_key

MAX_FIGURES = 6

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"(?:bn|m|mn|k|tn|million|billion|trillion|thousand)\b"
_DASH = r"\s?(?:-|–|—|to|and)\s?"
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)


def _led(first: str, pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``pattern``, told which characters a match can start with: the scan then passes
    over every other position at C speed instead of trying each alternative there."""
    return re.compile(rf"(?=[{first}])(?:{pattern})", flags)


_AMOUNT = rf"(?:{_NUM})(?:\s?{_SCALE})?"
# _NUM and _AMOUNT after their first digit (for patterns that match the digit first).
_NUM_REST = r"\d{0,2}(?:,\d{3})+(?:\.\d+)?|\d*(?:\.\d+)?"
_AMOUNT_REST = rf"(?:{_NUM_REST})(?:\s?{_SCALE})?"
_PER = (
    r"(?:\s(?:an?|per|each)\s(?:hour|day|week|month|year|annum|head|person|pupil|child"
    r"|household|patient|home|tonne|litre|mile|kilometre))"
)
_UNITS = (
    r"(?:km|kilometres?|miles?|metres?|m2|tonnes?|kg|kilograms?|litres?|hectares?|acres?"
    r"|MW|GW|kW|TWh|GWh|MWh|megawatts?|gigawatts?|mph|km/h|sq ft|square (?:metres|feet|miles))"
)

_MONEY = _led(
    r"£$€\d",
    rf"(?:[£$€]\s?{_AMOUNT}(?:{_DASH}[£$€]?\s?{_AMOUNT})?{_PER}?"
    rf"|(?:{_AMOUNT})\s(?:pounds|euros|dollars|pence)\b{_PER}?"
    rf"|\d(?<![\w.]\d)\d*(?:\.\d+)?p\b{_PER}?)",
)
_PERCENT = re.compile(
    rf"\d(?<![\w.]\d)(?:{_NUM_REST})(?:\s?%|\s?(?:per\s?cent|percent))?(?:{_DASH}(?:{_NUM}))?"
    rf"\s?(?:%|per\s?cent\b|percent\b|percentage points?\b)"
)
_CHANGE = re.compile(
    # "double down", "a double standard": idioms, not a change.
    r"(?<!\w)(?:doubl(?:ed|ing|es|e)(?![- ](?:down|standards?|check|edged|act|take|whammy)\b)"
    r"|halv(?:ed|ing|es)|tripl(?:ed|ing|es|e)|trebl(?:ed|ing|es|e)"
    r"|quadrupl(?:ed|ing|es|e)"
    r"|(?:(?:about|around|nearly|almost|more than|less than|over|by|roughly) )half\b"
    r"|(?<!first )(?<!second )half of"
    # A fraction, not an ordinal: "two thirds", "a third of", "cut by a third" ("a third
    # edition" is not).
    r"|(?:two|three|four) (?:thirds|fifths)|three quarters"
    r"|(?:(?<=by )|(?<=about )|(?<=nearly )|(?<=almost )|(?<=than )|(?<=over )|(?<=around )"
    r"|(?<=roughly )|(?<=some )|(?<=just ))(?:a|one) (?:third|quarter|fifth)"
    r"|(?:a|one) (?:third|quarter|fifth)(?= of\b)"
    r"|twice as \w+"
    r"|(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+) (?:in|out of) (?:every )?"
    r"(?:two|three|four|five|six|seven|"
    r"eight|nine|ten|\d+))\b",
    re.IGNORECASE,
)
# "one in five", "seven in 10", "9 out of 10": _CHANGE reads these too; this one alone runs
# when no change word is in the sentence, since " in " is in most sentences.
_RATIO = _led(
    r"\dotfsenOTFSEN",
    r"(?<!\w)(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+) (?:in|out of) (?:every )?"
    r"(?:two|three|four|five|six|seven|eight|nine|ten|\d+)\b",
    re.IGNORECASE,
)
_QUANTITY = re.compile(
    rf"\d(?<![\w.,]\d)(?:{_AMOUNT_REST})(?:{_DASH}(?:{_AMOUNT}))?\s?{_UNITS}\b"
    r"|\d(?<![\w.,]\d)[\d,.]*-(?:mile|km|kilometre|metre|acre|hectare|tonne|megawatt|gigawatt"
    r"|bed|bedroom|storey|hectare|mph)s?\b"
)
_SPELLED_WORDS = [
    *("three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"),
    *("fifteen", "twenty", "thirty", "forty", "fifty", "hundred", "thousand", "hundreds"),
    *("thousands", "millions", "dozens", "a hundred", "a thousand", "tens of thousands"),
    *("thirteen", "fourteen", "sixteen", "seventeen", "eighteen", "nineteen", "sixty"),
    *("seventy", "eighty", "ninety", "billions", "trillions", "hundreds of thousands"),
    *("hundreds of millions", "hundreds of billions", "tens of millions", "tens of billions"),
    *("one million", "two million", "a million", "half a million", "one billion", "a billion"),
]
# Spelled out with both cases rather than (?i:…), which makes the scan several times slower.
_SPELLED = "|".join([*_SPELLED_WORDS, *(w.capitalize() for w in _SPELLED_WORDS)])
_SPELLED_FIRST = "".join(sorted({c for w in _SPELLED_WORDS for c in (w[0], w[0].upper())}))
_DIGIT = re.compile(r"\d")
_PENCE = re.compile(r"\dp\b")
_CHANGE_STEMS = re.compile("doubl|halv|tripl|trebl|quadrupl|third|quarter|fifth|half|twice")
# Whole words only: "ten" is not in "often", nor "six" in "sixth".
_SPELLED_STEMS = re.compile(
    r"\b(?=[bdefhmnst])(?:three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty"
    r"|ninety|hundred|thousand|million|billion|trillion|dozen)s?\b"
)
# One look each for what a pattern needs before it is worth running.
_MONEY_HINT = re.compile("[£$€]|pound|euro|dollar|pence")
# What a record or a run without a digit needs: "in more than a year", "the fourth
# straight month", "in two decades".
_RUN_HINT = re.compile(r" (?:a|two) (?:year|decade|month)| straight | consecutive ")
_TIME_HINT = re.compile("day|week|month|quarter|year|decade|hour|minute|since 1|since 2")
_AGE_HINT = re.compile("aged? |ages |year-old|under|over")
# Every date _DATE reads has a month's name or a year in it; most sentences have neither.
_DATE_HINT = re.compile(r"(?:19|20)\d\d|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")
SMALL_COUNT = 1.1
# "millions of Americans", "thousands of Catholics": a magnitude in words is news in a lede
# and mostly rhetoric after it.
RHETORIC = 1.5
_RHETORIC = re.compile(
    r"(?i:(?:tens of |hundreds of )?(?:millions|thousands|hundreds|dozens)(?: of)?)$"
)
_LIMIT = re.compile(
    r"\b(?:no more than|no fewer than|up to|at least|at most|maximum of|minimum of)\b"
)
_SMALL_SPELLED = re.compile(
    r"(?i:three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen)(?: of)?"
)
_SPAN_OF_TIME = re.compile(
    r"\s(?:[a-z]+\s)?(?:years?|decades?|centuries|century|months?|generations?|terms?)\b"
)
# Money and magnitudes in words ("billions in waste", "a trillion-dollar backlog").
_MAGNITUDE = re.compile(
    r"(?<![\w-])(?:(?:[Hh]undreds|[Tt]ens) of )?(?:[Bb]illions|[Tt]rillions)(?: of dollars)?\b"
    r"|(?<![\w-])(?:billion|trillion)-dollar\b"
)
_COUNT_TAIL = (
    r"(?P<tail>\s(?:new |more |extra |additional |further |fewer |full-time |young |)"
    # "200 American-made Boeing aircraft", "400 U.S. beef facilities": names and proper
    # adjectives between the number and what it counts.
    r"(?:(?:[A-Z][\w.’'-]*|U\.S\.) ){0,3}"
    r"(?P<noun>[a-z][a-z-]+))"
)
_COUNT = re.compile(
    rf"\d(?<![\w.,£$€/-]\d)(?:{_AMOUNT_REST})(?:{_DASH}(?:{_AMOUNT}))?{_COUNT_TAIL}"
)
_COUNT_WORDS = _led(_SPELLED_FIRST, rf"(?<![\w.,£$€/-])(?:{_SPELLED})(?: of)?{_COUNT_TAIL}")
# "millions of Americans": a magnitude in words before a name (rhetoric, mostly).
_MANY_OF = re.compile(
    r"(?<![\w-])(?:(?:[Tt]ens|[Hh]undreds) of )?(?:[Mm]illions|[Tt]housands|[Bb]illions) of "
    r"(?=[A-Z][a-z])"
)
# Patterns that begin with a digit say so first (``\d(?<!…\d)`` rather than ``(?<!…)\d``):
# the regex engine then skips ahead to the next digit instead of trying every position.
_BARE = re.compile(
    rf"\d(?<![\w.,£$€/-]\d)(?:\d{{0,2}}(?:,\d{{3}})+|\d*(?:\.\d+)?\s?{_SCALE})(?![\w%])"
)
_DATE = _led(
    r"\dJFMASONDsaw",
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s(?:{_MONTHS})(?:\s\d{{4}})?|(?:{_MONTHS})\s\d{{1,2}}"
    rf"(?:st|nd|rd|th)?(?:,?\s\d{{4}})?|(?:{_MONTHS}|spring|summer|autumn|winter)\s\d{{4}}"
    r"|(?:19|20)\d\d(?:\s?(?:-|–|/|to)\s?(?:19|20)?\d\d)?)\b",
)
_OUTCOME = _led(
    "itdcofwmbneuITDCOFWMBNEU",
    r"\b(?:into (?:force|effect)|takes? effect|deadline|closes? on|opens? on|from \d|"
    r"will (?:re)?(?:open|close|start|begin|launch|end|run|last)|(?:will|may) resume|"
    r"by (?:the end of )?(?:19|20)\d\d|"
    rf"by (?:the end of |early |late |mid-)?(?:{_MONTHS}|spring|summer|autumn|winter)\b|"
    r"target|no later than|expires?|until|within)\b",
    re.IGNORECASE,
)
_DURATION_UNIT = (
    r"(?:\s(?:days|weeks|months|years|hours)\b|-(?:day|week|month|year|hour)\b|\sminutes\b)"
)
_DURATION = _led(
    rf"\dTt{_SPELLED_FIRST}", rf"(?<![\w.,])(?:{_NUM}|(?:{_SPELLED}|two|Two)){_DURATION_UNIT}"
)
# The same in digits alone, for a sentence with no number in words (most of them).
_DURATION_DIGITS = re.compile(rf"\d(?<![\w.,]\d)(?:{_NUM_REST}){_DURATION_UNIT}")

# A duration is an outcome ("within 28 days"), not background ("in the last 12 months").
_YEARS = re.compile(r"\b(?:years?|decades?)$", re.IGNORECASE)
# A record: a superlative, then "in (more than) N years" within the same clause.
_RECORD = re.compile(
    r"\b(?:[a-z]+est|most|least|highest|lowest|largest|biggest|best|worst|first time)\b"
    r"[^.;:]{0,80}?\b(?P<span>in (?:(?:more than|over|at least|nearly|almost) )?"
    r"(?:the (?:last|past) )?"
    r"(?:\d+|a|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty)"
    r" (?:years?|decades?|months?)"
    # "the lowest level since 1970"
    r"|since (?:19|20)\d\d(?![\d,]))\b"
)
# A run: "for seven straight months", "the fourth consecutive quarter".
_STREAK = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|second|third|fourth"
    r"|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))"
    r" (?:straight|consecutive) (?:days?|weeks?|months?|quarters?|years?)\b"
)
# A life's or a career's length, not news: "served for more than 50 years".
_CAREER = re.compile(
    r"\b(?:serv(?:ed|es|ing)|service|career|spans?|retired|experience|tenure|worked|vision)\b"
)
_DURATION_LEADS = frozenset(
    {"within", "for", "to", "of", "up", "after", "than", "least", "approximately", "about"}
)
_DEADLINE_LEADS = frozenset({"within", "to", "up", "after", "than", "least"})
# Words after a number that say it is not a count.
_NOT_COUNT_NOUNS = frozenset(
    [
        "am",
        "pm",
        "a.m",
        "p.m",
        "o'clock",
        "and",
        "or",
        "to",
        "of",
        "the",
        "per",
        "on",
        "in",
        "at",
        "by",
        "for",
        "from",
        "with",
        "as",
        "is",
        "was",
        "are",
        "were",
        "years",
        "year",
        "months",
        "month",
        "weeks",
        "week",
        "days",
        "day",
        "hours",
        "hour",
        "minutes",
        "minute",
        "seconds",
        "st",
        "nd",
        "rd",
        "th",
        "percent",
        "per-cent",
    ]
)
# Words before a number that make it a label, not a quantity.
_LABEL_WORDS = frozenset(
    [
        "section",
        "sections",
        "clause",
        "clauses",
        "article",
        "articles",
        "bill",
        "bills",
        "schedule",
        "schedules",
        "part",
        "parts",
        "regulation",
        "regulations",
        "rule",
        "rules",
        "chapter",
        "chapters",
        "paragraph",
        "paragraphs",
        "level",
        "stage",
        "tier",
        "phase",
        "category",
        "grade",
        "band",
        "page",
        "pages",
        "room",
        "platform",
        "junction",
        "route",
        "no",
        "no.",
        "number",
        "operation",
        "flight",
        "version",
        "vol",
        "wave",
        "round",
        "step",
        "gate",
        "unit",
        "ward",
        "box",
        "line",
        "lines",
        "item",
        "items",
        "question",
        "annex",
        "appendix",
        "figure",
        "table",
        "option",
        "priority",
        "covid-19",
        "aged",
        "age",
        "ages",
    ]
)
_TIME = re.compile(r"^(?:\s?(?:am|pm|a\.m\.|p\.m\.|hrs|GMT|BST)\b|[:.]\d\d)", re.IGNORECASE)
_PHONE = re.compile(r"(?:\+44\s?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b")
# "over-65s", "under 18s": ages; "over 16,000 arrests" is a count.
_AGE = _led(
    r"Aa\dUuOo", r"[Aa](?<![a-z][Aa])ged?s?\s\d|\d+-year-old|(?:[Uu]nder|[Oo]ver)[- ]\d{1,2}s\b"
)


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    text: str
    value: str
    weight: float
    in_quote: bool
    keys: frozenset[str]
    continues: bool = False


def _normalise(value: str) -> str:
    money = sum_key(value) if value[:1] in "£$€" else None
    if money is not None:
        return money  # "$7.7 million" and "$7,700,000" are one sum
    v = value.lower().replace(",", "").replace(" ", "")
    for long, short in (("percent", "%"), ("per cent", "%"), ("billion", "bn"), ("million", "m")):
        v = v.replace(long.replace(" ", ""), short)
    return v


def _is_label(text: str, start: int, end: int) -> bool:
    """Is the number at ``text[start:end]`` a name, label, time or part of a word?"""
    before = text[max(0, start - 30) : start]
    if before and (
        before[-1].isalpha() or (before[-1] == "-" and len(before) > 1 and before[-2].isalpha())
    ):
        return True
    prev = before.rstrip().split(" ")[-1].lower().strip("(") if before.strip() else ""
    if prev in _LABEL_WORDS or prev.startswith("covid"):
        return True
    after = text[end : end + 6]
    if after.startswith(" block"):
        return True  # "in the 1100 block of North Dearborn Street": an address
    return bool(_TIME.match(after)) or (
        bool(after) and after[0].isalpha() and not after.startswith(" ")
    )


def _is_named_year(text: str, start: int) -> bool:
    """A number right after a capitalised word inside the sentence ("Act 1988",
    "Operation Nightfall 2") is part of a name."""
    before = text[:start].rstrip()
    words = before.split()
    if len(words) < 2 or before != text[:start][: len(before)] or not words[-1][:1].isupper():
        return False
    if words[-1].endswith(",") or words[-1] in _WEEKDAYS:
        return False  # "on Tuesday, December 2, 2025": a date, not a name's number
    return words[-1].lower() not in _HEDGES


_WEEKDAYS = frozenset(
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
)


# Words that open a sentence before its number ("Approximately one million seniors …").
_HEDGES = frozenset(
    [
        "around",
        "about",
        "nearly",
        "almost",
        "some",
        "over",
        "approximately",
        "roughly",
        "more",
        "fewer",
        "less",
        "under",
        "up",
        "at",
        "just",
        "only",
        "another",
        "all",
        "the",
        "these",
        "those",
        "its",
        "their",
        "our",
    ]
)


def _masked(sentence: str, lower: str) -> list[tuple[int, int]]:
    """Ranges of the sentence that are dates, phone numbers and ages: never figures."""
    ranges = (
        [(m.start(), m.end()) for m in _DATE.finditer(sentence)]
        if _DATE_HINT.search(sentence)
        else []
    )
    if " 0" in sentence or "(0" in sentence or "+" in sentence or sentence.startswith("0"):
        ranges += [(m.start(), m.end()) for m in _PHONE.finditer(sentence)]
    if _AGE_HINT.search(lower):
        ranges += [(m.start(), m.end()) for m in _AGE.finditer(sentence)]
    return ranges


def _overlaps(start: int, end: int, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in ranges)


_AGO = re.compile(r"(?:\s(?:[a-z]+\s)?(?:years?|decades?|centuries|months?|weeks?|days?))?\s+ago\b")


def find_values(sentence: str) -> list[tuple[int, int, str, float]]:
    """The figures in one sentence: (start, end, value as written, weight), in text order."""
    found: list[tuple[int, int, str, float]] = []
    # Cheap looks first, so each pattern runs only where it could match.
    lower = sentence.lower()
    digit = _DIGIT.search(sentence) is not None
    change = _CHANGE_STEMS.search(lower) is not None
    spelled = _SPELLED_STEMS.search(lower) is not None
    # Only a sentence with no digit and no number in words needs the look for a run.
    run = not (digit or spelled) and _RUN_HINT.search(lower) is not None
    if not (digit or change or spelled or run):
        return found
    taken: list[tuple[int, int]] = []
    # Dates, phones and ages, looked for only once a value that they could hide is found.
    masks: list[list[tuple[int, int]]] = []
    ago = " ago" in lower

    def add(start: int, end: int, weight: float, *, check_mask: bool = True) -> None:
        if _overlaps(start, end, taken):
            return
        if ago and _AGO.match(sentence, end):
            return  # "more than 2,000 years ago": when, not how much
        if check_mask and digit:
            if not masks:
                masks.append(_masked(sentence, lower))
            if _overlaps(start, end, masks[0]):
                return
        found.append((start, end, sentence[start:end], weight))
        taken.append((start, end))

    money = digit and (_MONEY_HINT.search(lower) is not None or _PENCE.search(sentence) is not None)
    for m in _MONEY.finditer(sentence) if money else ():
        add(m.start(), m.end(), 3.0, check_mask=False)
    percent = digit and ("%" in sentence or "per" in lower)
    for m in _PERCENT.finditer(sentence) if percent else ():
        if not _is_label(sentence, m.start(), m.end()):
            add(m.start(), m.end(), 3.0, check_mask=False)
    ratio = (digit or spelled or "one" in lower) and (" in " in lower or " out of " in lower)
    for m in _CHANGE.finditer(sentence) if change else ():
        add(m.start(), m.end(), 2.5, check_mask=False)
    for m in _RATIO.finditer(sentence) if ratio and not change else ():
        add(m.start(), m.end(), 2.5, check_mask=False)
    for m in _QUANTITY.finditer(sentence) if digit else ():
        add(m.start(), m.end(), 2.2)
    counts = [
        *(_COUNT.finditer(sentence) if digit else ()),
        *(_COUNT_WORDS.finditer(sentence) if spelled else ()),
    ]
    if digit and spelled:
        counts.sort(key=lambda m: m.start())
    for m in counts:
        noun = m.group("noun")
        if noun in _NOT_COUNT_NOUNS or _is_label(sentence, m.start(), m.start("tail")):
            continue
        number = sentence[m.start() : m.start("tail")]
        if re.fullmatch(r"(?:19|20)\d\d", number):
            # "2024 figures", "2024 was": a year; counts that size are written "2,024".
            continue
        if _is_named_year(sentence, m.start()):
            continue
        if _SPAN_OF_TIME.match(sentence, m.start("tail")):
            continue  # "250 glorious years", "three decades": history, not a count
        small = not any(c.isdigit() for c in number) and _SMALL_SPELLED.fullmatch(number.strip())
        if small:
            # "five championships", "all three actions": small counts in words matter in
            # a lede ("named nineteen recipients") and rarely after it.
            add(m.start(), m.start("tail"), SMALL_COUNT)
            continue
        if _RHETORIC.match(number.strip()):
            add(m.start(), m.start("tail"), RHETORIC)  # "millions of Americans", mostly rhetoric
            continue
        if noun == "states" and sentence[max(0, m.start() - 4) : m.start()].lower() == "all ":
            add(m.start(), m.start("tail"), RHETORIC)  # "results in all 50 states": everywhere
            continue
        add(m.start(), m.start("tail"), 2.0)
    for m in _MANY_OF.finditer(sentence) if spelled and " of " in lower else ():
        add(m.start(), m.end() - 4, RHETORIC)  # the value without its " of "
    magnitude = spelled and ("billion" in lower or "trillion" in lower)
    for m in _MAGNITUDE.finditer(sentence) if magnitude else ():
        add(m.start(), m.end(), 2.6)
    for m in _BARE.finditer(sentence) if digit else ():
        if not _is_label(sentence, m.start(), m.end()):
            add(m.start(), m.end(), 1.8)
    timed = (digit or spelled or run or "two" in lower) and _TIME_HINT.search(lower) is not None
    durations = _DURATION if spelled or "two" in lower else _DURATION_DIGITS
    for m in durations.finditer(sentence) if timed else ():
        lead = sentence[max(0, m.start() - 12) : m.start()].lower().split()
        possessive = sentence[m.end() : m.end() + 1] in ("’", "'")
        is_outcome = "-" in m.group(0) or possessive or bool(lead and lead[-1] in _DURATION_LEADS)
        if (
            lead
            and lead[-1] in ("than", "after", "over")
            and _YEARS.search(m.group(0))
            and _CAREER.search(lower)
        ):
            continue  # "retired after 15 years as President", "served for more than 50 years"
        if is_outcome and not _is_label(sentence, m.start(), m.end()):
            # "within 28 days" is an outcome anywhere; "for two years", "a 106-day
            # campaign" mostly background after the lede.
            strong = bool(lead and lead[-1] in _DEADLINE_LEADS)
            add(m.start(), m.end(), 1.2 if strong else SMALL_COUNT)
    if timed and (" straight " in lower or " consecutive " in lower):
        for m in _STREAK.finditer(sentence):
            add(m.start(), m.end(), 2.0, check_mask=False)
    if timed and (" in " in lower or " since " in lower):
        for m in _RECORD.finditer(sentence):
            # "the strongest in 50 years", "the largest surge in more than six years"
            add(m.start("span"), m.end("span"), 2.0, check_mask=False)
    outcome = _OUTCOME.search(sentence) if digit and not found else None
    if outcome:
        dates = [m for m in _DATE.finditer(sentence) if not _is_named_year(sentence, m.start())]
        after = [m for m in dates if m.start() >= outcome.start()]
        for m in (after or dates)[:1]:
            found.append((m.start(), m.end(), m.group(0), 1.0))
    found.sort()
    return found


# A lead-in whose sentence each list item finishes: "The law will:", "Agencies are
# directed to:", "The plan would also:"; its items start with a verb ("Expand access …").
_PREDICATE_LEAD = re.compile(
    r"\b(?:will|would|shall|must|can|could|may|should|to|also)\s*:\s*$", re.IGNORECASE
)


def _units(blocks: Sequence[Block]) -> list[tuple[int, int, str, bool]]:
    """The statements a figure can be: sentences of paragraphs, whole short list items;
    each with whether it finishes a lead-in's sentence (the first sentence of an item
    under "The law will:")."""
    units: list[tuple[int, int, str, bool]] = []
    lead = ""
    for block in blocks:
        if block.kind is Kind.PARAGRAPH:
            parts = sentences.split(block.text, block.start)
            dated = dateline(parts[0].text) if parts else None
            if dated and dated.end() < len(parts[0].text):
                # "WASHINGTON – The Department …": the place is not part of the figure.
                first = parts[0]
                parts[0] = replace(
                    first, text=first.text[dated.end() :], start=first.start + dated.end()
                )
            units += [(s.start, s.end, s.text, False) for s in parts]
            lead = block.text
        elif block.kind is Kind.ITEM:
            continues = bool(_PREDICATE_LEAD.search(lead))
            parts = sentences.split(block.text, block.start)
            if len(parts) <= 2:
                units.append((block.start, block.end, block.text, continues))
            else:
                units += [
                    (s.start, s.end, s.text, continues and i == 0) for i, s in enumerate(parts)
                ]
        else:
            lead = ""
    return units


# A list's lead-in ("Six measures in the rule:"), a question, a transcript's speaker label
# ("MODERATOR:", "MR. KIKUKAWA:"), a phone number.
_SPEAKER_LABEL = re.compile(r"(?:[A-Z][A-Z.]+\s)*[A-Z][A-Z.]+:\s")
_US_PHONE = re.compile(r"\(\d{3}\)\s?\d{3}-\d{4}|\b\d{3}-\d{3}-\d{4}\b")
_BIG = re.compile(r"trillion|billion|\d\s?(?:bn|tn)\b", re.IGNORECASE)
_LARGE = re.compile(r"million|\d\s?m\b", re.IGNORECASE)


def _not_a_statement(text: str) -> bool:
    # Cheap string tests first: this runs on every sentence of every article.
    if text.rstrip().endswith((":", "?")) or text.startswith("IN WITNESS WHEREOF"):
        return True  # a lead-in, a question, a proclamation's signature line
    if " > " in text:
        # A forwarded post or email, its lines still marked "> ": someone else's words.
        return True
    if text[:1].isupper() and text[1:2].isupper() and _SPEAKER_LABEL.match(text):
        return True
    return "-" in text and _US_PHONE.search(text) is not None


def _magnitude(value: str) -> float:
    """Money and counts in billions outrank millions, which outrank the rest."""
    if _BIG.search(value):
        return 0.6
    return 0.3 if _LARGE.search(value) else 0.0


def _inside_open_quotes(blocks: Sequence[Block]) -> list[tuple[int, int]]:
    """Paragraphs without a quote mark of their own after one whose quote is left open
    (‘Chairman Jane Roe said: "We have had tremendous support …’ and no closing mark):
    still her words, up to the paragraph that has marks again."""
    found: list[tuple[int, int]] = []
    open_quote = False
    for block in blocks:
        if block.kind is not Kind.PARAGRAPH:
            open_quote = False
            continue
        text = block.text
        if '"' not in text and "“" not in text and "”" not in text:
            if open_quote:
                found.append((block.start, block.end))
            continue
        straight = text.count('"') % 2 == 1
        curly = text.rfind("“") > text.rfind("”")
        open_quote = straight or curly
    return found


def _another_rate(c: _Candidate, chosen: Sequence[_Candidate]) -> bool:
    """A rate given before, stated again about something else (see
    :func:`distributor.repeats.same_fact`): a figure of its own."""
    return all(k.endswith("%") for k in c.keys) and not any(
        c.keys & d.keys and same_fact(c.value, d.text, c.text) for d in chosen
    )


class _Ranges:
    """Ranges (quote marks' spans) sorted once, so each sentence finds those it touches
    without reading them all."""

    def __init__(self, ranges: Sequence[tuple[int, int]]) -> None:
        self._ranges = sorted(ranges)
        self._starts = [r[0] for r in self._ranges]
        # The furthest end among the ranges up to each: a range nested in or overlapping
        # another is still found when a longer one starts before it.
        self._reach = list(itertools.accumulate((r[1] for r in self._ranges), max))

    def touching(self, start: int, end: int) -> list[tuple[int, int]]:
        found = []
        j = bisect.bisect_left(self._starts, end) - 1
        while j >= 0 and self._reach[j] > start:
            if self._ranges[j][1] > start:
                found.append(self._ranges[j])
            j -= 1
        return found


def key_figures(
    blocks: Sequence[Block], quoted: Sequence[tuple[int, int]] = ()
) -> tuple[Figure, ...]:
    """Up to six figure statements in article order; ``quoted`` are the body's quote ranges.

    A value stated again later counts once, at its first clear statement in narrative
    text; a statement inside a quote counts only when it says something new.
    """
    candidates: list[_Candidate] = []
    touching = _Ranges(quoted).touching
    inside = _inside_open_quotes(blocks)
    for position, (start, end, text, continues) in enumerate(_units(blocks)):
        if _not_a_statement(text):
            continue
        values = find_values(text)
        if not values:
            continue
        best = max(values, key=lambda v: (v[3], -v[0]))
        if best[3] in (SMALL_COUNT, RHETORIC) and position >= 2 and not _LIMIT.search(text):
            continue
        # Said inside a quote when every figure in it is within the quote marks.
        near = touching(start, end)
        in_quote = bool(near) and all(_overlaps(start + v[0], start + v[1], near) for v in values)
        in_quote = in_quote or any(a <= start < b for a, b in inside)
        weight = (
            best[3]
            + (0.6 if position < 3 else 0.0)
            + 0.1 * min(len(values), 3)
            + _magnitude(best[2])
        )
        keys = frozenset(_normalise(v[2]) for v in values if v[3] >= 1.8) or frozenset(
            {_normalise(best[2])}
        )
        candidates.append(_Candidate(start, end, text, best[2], weight, in_quote, keys, continues))

    chosen: list[_Candidate] = []
    seen: set[str] = set()
    narrative = [c for c in candidates if not c.in_quote]
    for c in narrative:
        if c.keys <= seen and not _another_rate(c, chosen):
            continue
        seen |= c.keys
        chosen.append(c)
    for c in candidates:
        if c.in_quote and not c.keys <= seen and c.weight >= 2.0:
            seen |= c.keys
            chosen.append(replace(c, weight=c.weight - 0.8, in_quote=True))
    if len(chosen) > MAX_FIGURES:
        ranked = sorted(chosen, key=lambda c: (-c.weight, c.start))[:MAX_FIGURES]
        chosen = ranked
    chosen.sort(key=lambda c: c.start)
    return tuple(
        Figure(
            text=c.text,
            value=c.value,
            start=c.start,
            end=c.end,
            confidence=round(min(0.95, 0.35 + c.weight / 5), 2),
            quoted=c.in_quote,
            continues=c.continues,
        )
        for c in chosen
    )

"""Length counting and splitting per network.

Each network counts a post's length its own way, and a post over the limit is refused,
so every rule here counts exactly as the network does:

- X: twitter-text v3 weighted length (NFC; every URL 23; CJK and emoji weight 2;
  an emoji sequence counts once). The common case (Latin text) is counted here
  directly; anything else goes through ``twitter_text.parse_tweet``, the reference
  implementation, so the two can never disagree on hard text.
- Bluesky: 300 extended grapheme clusters and 3000 UTF-8 bytes, URLs counted in full.
- Mastodon: the instance's limit in grapheme clusters, every URL with a protocol counting
  the instance's URL cost, ``@user@domain`` counting as ``@user``, content warning included.

``split_text`` cuts long text at the most natural break that fills a post well
(paragraph, then sentence, then clause, then word) and never inside a URL unless a URL
alone is longer than a post. ``shorten`` keeps the leading words and ends with an ellipsis.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import regex
from twitter_text import parse_tweet
from twitter_text.config import config as twitter_config
from twitter_text.extract_urls import extract_urls_with_indices

from distributor.abbreviations import ends_anyway, is_abbreviation

ELLIPSIS = "…"

# Characters twitter-text v3 weighs 1 that can never start or join an emoji (© and ®
# can, so they are left out), and characters it weighs 2 that are never emoji (CJK,
# kana, hangul, currency signs, the rest of general punctuation but ‼ and ⁉). Text
# made only of these is counted without the reference implementation's emoji scan,
# which costs about a millisecond per post.
_X_NARROW = "\x00-\xa8\xaa-\xad\xaf-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037"
_X_WIDE = (
    "\u1100-\u1fff\u2020-\u2031\u2038-\u203b\u203d-\u2048\u204a-\u206f\u20a0-\u20bf"
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3"
)
_X_SIMPLE = re.compile(f"[{_X_NARROW}{_X_WIDE}]*")
_X_WIDE_RE = re.compile(f"[{_X_WIDE}]")
# A URL needs a dot followed by a TLD letter; text without one has no URL to extract.
_DOT_LETTER = re.compile(r"\.[^\W\d_]")


def _maybe_url(text: str) -> bool:
    """False only when twitter-text cannot find a URL: no dot between a character and a
    letter. (A plain search for the dot is many times faster than a character class.)"""
    for m in _DOT_LETTER.finditer(text):
        i = m.start()
        if i > 0 and text[i - 1] != "." and not text[i - 1].isspace():
            return True
    return False


_GRAPHEME = regex.compile(r"\X")
# Mastodon's mention shape: the domain part of @user@domain is free.
_MASTODON_MENTION = re.compile(r"(?<![=/\w])@(\w+(?:[.-]+\w+)*)@[\w.-]*\w", re.UNICODE)


def url_spans(text: str, *, with_protocol_only: bool = False) -> tuple[tuple[int, int], ...]:
    """Where URLs are in ``text`` (code-point offsets), as twitter-text finds them."""
    if with_protocol_only:
        if "://" not in text:
            return ()
    elif not _maybe_url(text):
        return ()
    return _extract_urls(text, with_protocol_only)


@functools.lru_cache(maxsize=4096)
def _extract_urls(text: str, with_protocol_only: bool) -> tuple[tuple[int, int], ...]:
    # The same post is counted several times while a thread is composed.
    found = extract_urls_with_indices(text, not with_protocol_only)
    return tuple((int(u["indices"][0]), int(u["indices"][1])) for u in found)


# Characters that are always a grapheme cluster of their own and never join the next:
# Latin, Greek, Cyrillic letters, general punctuation, currency signs.
_ONE_EACH = re.compile(
    "[\n\x20-\x7e\xa0-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e\u20a0-\u20bf]*"
)


def graphemes(text: str) -> int:
    """Extended grapheme clusters, as Bluesky and Mastodon count."""
    if text.isascii():
        return len(text) - text.count("\r\n")
    if _ONE_EACH.fullmatch(text):
        return len(text)
    return len(_GRAPHEME.findall(text))


def _x_config(version: int) -> dict[str, object]:
    # twitter-text-parser's own v1/v2 configs lack this key and fail without it.
    return {"emoji_parsing_enabled": False, **twitter_config[f"version{version}"]}


def x_weighted_length(text: str) -> int:
    """twitter-text v3 weighted length (what X counts against 280)."""
    t = unicodedata.normalize("NFC", text) if not text.isascii() else text
    if "\r" in t or not _X_SIMPLE.fullmatch(t):
        return int(parse_tweet(text).weightedLength)
    total = len(t) + len(_X_WIDE_RE.findall(t))
    for start, end in url_spans(t):
        piece = t[start:end]
        total += 23 - len(piece) - len(_X_WIDE_RE.findall(piece))
    return total


class LengthRule:
    """How one network counts a post, and its limit. Subclasses are frozen dataclasses."""

    network: ClassVar[str]
    unit: ClassVar[str]
    limit: int

    def length(self, text: str) -> int:
        raise NotImplementedError

    def fits(self, text: str, reserve: int = 0) -> bool:
        """True when ``text`` is a postable, non-empty post with ``reserve`` units to spare."""
        n = self.length(text)
        return n > 0 and n + reserve <= self.limit

    def running_length(self, text: str) -> list[int] | None:
        """An estimate of ``length(text[:i])`` for every ``i``, or None for text too
        intricate to estimate. Only a guide for where to cut: every cut is then checked
        with :meth:`fits`."""
        return None

    def fixed(self) -> int:
        """Units every post spends whatever its text (Mastodon's content warning)."""
        return 0


def _running(weights: list[int]) -> list[int]:
    return [0, *itertools.accumulate(weights)]


def _url_weights(weights: list[int], spans: Sequence[tuple[int, int]], cost: int | None) -> None:
    for start, end in spans:
        weights[start:end] = [0] * (end - start)
        weights[start] = cost if cost is not None else end - start


@dataclass(frozen=True)
class XRule(LengthRule):
    """X's rule. ``version`` 3 is what X counts today; 1 (140 characters) and 2 (no emoji
    sequences) are twitter-text's older configurations, kept for its conformance suite."""

    network: ClassVar[str] = "x"
    unit: ClassVar[str] = "weighted characters"
    limit: int = 280
    version: int = 3

    def __post_init__(self) -> None:
        if self.version not in (1, 2, 3):
            raise ValueError(f"twitter-text config version must be 1, 2 or 3, got {self.version}")

    def length(self, text: str) -> int:
        if self.version == 3:
            return x_weighted_length(text)
        return int(parse_tweet(text, _x_config(self.version)).weightedLength)

    def running_length(self, text: str) -> list[int] | None:
        if (
            self.version != 3
            or "\r" in text
            or not (
                text.isascii()
                or (_X_SIMPLE.fullmatch(text) and unicodedata.is_normalized("NFC", text))
            )
        ):
            return None
        weights = [1] * len(text)
        if not text.isascii():
            for m in _X_WIDE_RE.finditer(text):
                weights[m.start()] = 2
        _url_weights(weights, url_spans(text), 23)
        return _running(weights)

    def fits(self, text: str, reserve: int = 0) -> bool:
        # twitter-text refuses these outright, whatever the length.
        if "\ufffe" in text or "\ufeff" in text or "\uffff" in text:
            return False
        return super().fits(text, reserve)


@dataclass(frozen=True)
class BlueskyRule(LengthRule):
    network: ClassVar[str] = "bluesky"
    unit: ClassVar[str] = "graphemes"
    limit: int = 300
    max_bytes: int = 3000

    def length(self, text: str) -> int:
        return graphemes(text)

    def fits(self, text: str, reserve: int = 0) -> bool:
        return len(text.encode("utf-8")) <= self.max_bytes and super().fits(text, reserve)

    def running_length(self, text: str) -> list[int] | None:
        if "\r" in text or not (text.isascii() or _ONE_EACH.fullmatch(text)):
            return None
        return list(range(len(text) + 1))


@dataclass(frozen=True)
class MastodonRule(LengthRule):
    """Limits come from the instance (``/api/v2/instance``); these are Mastodon's defaults."""

    network: ClassVar[str] = "mastodon"
    unit: ClassVar[str] = "graphemes"
    limit: int = 500
    url_length: int = 23
    spoiler_text: str = ""

    def length(self, text: str) -> int:
        countable = text
        spans = url_spans(text, with_protocol_only=True)
        for start, end in reversed(spans):
            countable = countable[:start] + "x" * self.url_length + countable[end:]
        countable = _MASTODON_MENTION.sub(lambda m: "@" + m.group(1), countable)
        return graphemes(self.spoiler_text) + graphemes(countable)

    def running_length(self, text: str) -> list[int] | None:
        if "\r" in text or not (text.isascii() or _ONE_EACH.fullmatch(text)):
            return None
        weights = [1] * len(text)
        _url_weights(weights, url_spans(text, with_protocol_only=True), self.url_length)
        return _running(weights)

    def fixed(self) -> int:
        return graphemes(self.spoiler_text)


RULES: dict[str, type[LengthRule]] = {"x": XRule, "bluesky": BlueskyRule, "mastodon": MastodonRule}


def rule_for(network: str) -> LengthRule:
    """The default rule of a network by name; raises ValueError naming the known ones."""
    try:
        return RULES[network]()
    except KeyError:
        raise ValueError(
            f"unknown network {network!r}; expected one of {', '.join(sorted(RULES))}"
        ) from None


# Break classes, strongest first.
PARAGRAPH, SENTENCE, CLAUSE, WORD = 0, 1, 2, 3
_WHITESPACE = re.compile(r"\s+")
_CLOSERS = frozenset("\"'”’)]")
_ENDS = frozenset(".!?…")
_CLAUSES = frozenset(",;:")


class _Break(NamedTuple):
    cut: int
    """Where the part ends (exclusive)."""
    resume: int
    """Where the next part starts (after the whitespace)."""
    strength: int


def _protected(text: str) -> tuple[tuple[int, int], ...]:
    return url_spans(text)


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s < pos < e for s, e in spans)


def _breaks(text: str, spans: Sequence[tuple[int, int]]) -> list[_Break]:
    """Every place ``text`` may be cut (a run of whitespace), with how natural a cut it is."""
    out: list[_Break] = []
    n = len(text)
    for m in _WHITESPACE.finditer(text):
        cut, resume = m.start(), m.end()
        if cut == 0 or resume >= n or (spans and _inside(cut, spans)):
            continue
        if "\n" in m.group():
            strength = PARAGRAPH
        else:
            q = cut
            while q > 0 and text[q - 1] in _CLOSERS:
                q -= 1
            before = text[q - 1] if q > 0 else " "
            if before in _ENDS and not (
                before == "."
                and is_abbreviation(text, q - 1)
                and not ends_anyway(text, q - 1, resume)
            ):
                strength = SENTENCE
            elif text[cut - 1] in _CLAUSES or text.startswith(("— ", "– "), resume):
                strength = CLAUSE
            else:
                strength = WORD
        out.append(_Break(cut, resume, strength))
    return out


def _grapheme_ends(text: str, start: int, stop: int) -> list[int]:
    ends: list[int] = []
    pos = start
    for m in _GRAPHEME.finditer(text, start, stop):
        pos = m.end()
        ends.append(pos)
    return ends


def split_text(
    text: str, rule: LengthRule, *, reserve: int = 0, min_fill: float = 0.5
) -> list[str]:
    """Cut ``text`` into parts that each fit ``rule`` with ``reserve`` units to spare.

    The cut is the strongest natural break (paragraph, sentence, clause, word) that keeps
    the part at least ``min_fill`` of the longest part that would fit; a word or URL
    longer than a post is cut between graphemes, as a last resort. Whitespace at a cut is
    dropped; nothing else is, and the parts keep the text's order.
    """
    spans = _protected(text)
    breaks = _breaks(text, spans)
    cuts = [b.cut for b in breaks]
    running = rule.running_length(text)
    at_cut = [running[c] for c in cuts] if running is not None else None
    parts: list[str] = []
    n = len(text)
    start = len(text) - len(text.lstrip())
    while start < n:
        rest = text[start:].rstrip()
        if not rest:
            break
        if rule.fits(rest, reserve):
            parts.append(rest)
            break
        first = bisect.bisect_right(cuts, start)
        guess = None
        if running is not None and at_cut is not None:
            budget = running[start] + rule.limit - reserve - rule.fixed()
            guess = bisect.bisect_right(at_cut, budget, first) - 1
        best = _longest_fitting(text, start, breaks, first, rule, reserve, guess)
        if best is None:
            stop = breaks[first].cut if first < len(breaks) else n
            end = _hard_cut(text, start, stop, spans, rule, reserve)
            parts.append(text[start:end])
            start = end
            while start < n and text[start].isspace():
                start += 1
            continue
        chosen = breaks[best]
        span = chosen.cut - start
        for strength in (PARAGRAPH, SENTENCE, CLAUSE):
            pick = next(
                (
                    breaks[i]
                    for i in range(best, first - 1, -1)
                    if breaks[i].strength <= strength and breaks[i].cut - start >= min_fill * span
                ),
                None,
            )
            if pick is not None:
                chosen = pick
                break
        parts.append(text[start : chosen.cut].rstrip())
        start = chosen.resume
    return parts


def _sentences(text: str) -> list[str]:
    """The text's sentences, at the breaks :func:`split_text` reads as sentence ends."""
    spans = _protected(text)
    ends = [b for b in _breaks(text, spans) if b.strength <= SENTENCE]
    found: list[str] = []
    start = len(text) - len(text.lstrip())
    for b in [*ends, _Break(len(text.rstrip()), len(text), PARAGRAPH)]:
        if b.cut > start:
            found.append(text[start : b.cut].strip())
        start = b.resume
    return found


def sentences(text: str) -> list[str]:
    """The text's sentences, as :func:`sentence_parts` packs them."""
    return _sentences(text)


def first_sentence(text: str) -> str:
    """The text's first sentence, by the same breaks :func:`sentence_parts` packs."""
    return next(iter(_sentences(text)), "")


def sentence_parts(
    text: str, rule: LengthRule, *, reserve: int = 0, first_reserve: int | None = None
) -> tuple[list[str], bool]:
    """Whole sentences of ``text`` packed into as few parts as fit, and whether anything was
    left out. A sentence is never split across two parts, nor cut: the text stops before
    one longer than a part (cut, a sentence can come to say the opposite). The first part
    keeps ``first_reserve`` free instead of ``reserve`` (room for who speaks above it)."""
    first_room = reserve if first_reserve is None else first_reserve
    sentences_ = _sentences(text)
    parts: list[str] = []
    for i, sentence in enumerate(sentences_):
        joined = f"{parts[-1]} {sentence}" if parts else sentence
        if parts and rule.fits(joined, first_room if len(parts) == 1 else reserve):
            parts[-1] = joined
        elif rule.fits(sentence, reserve if parts else first_room):
            parts.append(sentence)
        else:
            return parts, True
        if i == len(sentences_) - 1:
            return parts, False
    return parts, False


def _longest_fitting(
    text: str,
    start: int,
    breaks: Sequence[_Break],
    first: int,
    rule: LengthRule,
    reserve: int,
    guess: int | None = None,
) -> int | None:
    """Index of the last break whose part fits: the estimate if :meth:`fits` confirms it,
    else a galloping search, then bisection."""

    def ok(i: int) -> bool:
        return rule.fits(text[start : breaks[i].cut].rstrip(), reserve)

    confirmed = (
        guess is not None
        and guess >= first
        and ok(guess)
        and (guess + 1 >= len(breaks) or not ok(guess + 1))
    )
    if confirmed:
        return guess
    if first >= len(breaks) or not ok(first):
        return None
    lo, step = first, 1
    hi = len(breaks)
    while lo + step < len(breaks):
        if ok(lo + step):
            lo += step
            step *= 2
        else:
            hi = lo + step
            break
    # Invariant: ok(lo) is true and everything at or past hi fails.
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo


def _hard_cut(
    text: str,
    start: int,
    stop: int,
    spans: Sequence[tuple[int, int]],
    rule: LengthRule,
    reserve: int,
) -> int:
    """The furthest grapheme boundary in (start, stop] whose part fits; URLs kept whole if
    they can be."""
    ends = _grapheme_ends(text, start, stop)
    safe = [e for e in ends if not _inside(e, spans)]
    for candidates in (safe, ends):
        lo, hi = -1, len(candidates)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if rule.fits(text[start : candidates[mid]], reserve):
                lo = mid
            else:
                hi = mid
        if lo >= 0:
            return candidates[lo]
    # Not even one grapheme fits: take it anyway rather than loop forever.
    return ends[0] if ends else stop


_TRAILING = " \t\n,;:—–-"


def shorten(
    text: str,
    rule: LengthRule,
    *,
    suffix: str = "",
    ellipsis: str = ELLIPSIS,
    reserve: int = 0,
) -> str:
    """``text + suffix`` if it fits, else the leading words of ``text``, ``ellipsis``,
    then ``suffix`` (a link, say, which is kept whole)."""
    if rule.fits(text + suffix, reserve):
        return text + suffix
    spans = _protected(text)
    word_cuts = [m.start() for m in re.finditer(r"\s+", text) if not _inside(m.start(), spans)]

    def candidate(cut: int) -> str:
        return text[:cut].rstrip(_TRAILING) + ellipsis + suffix

    def ok(cut: int) -> bool:
        return bool(text[:cut].rstrip(_TRAILING)) and rule.fits(candidate(cut), reserve)

    def furthest(cuts: Sequence[int]) -> int | None:
        lo, hi = -1, len(cuts)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if ok(cuts[mid]):
                lo = mid
            else:
                hi = mid
        return cuts[lo] if lo >= 0 else None

    # Guess from the running length, then confirm with the exact rule (two counts
    # instead of a bisection's eight or so).
    running = rule.running_length(text)
    if running is not None and word_cuts:
        budget = rule.limit - reserve - rule.fixed() - rule.length(ellipsis + suffix)
        at_cut = [running[c] for c in word_cuts]
        g = bisect.bisect_right(at_cut, budget) - 1
        if g >= 0 and ok(word_cuts[g]) and (g + 1 >= len(word_cuts) or not ok(word_cuts[g + 1])):
            return candidate(word_cuts[g])
    cut = furthest(word_cuts)
    if cut is None:
        cut = furthest(_grapheme_ends(text, 0, len(text)))
    if cut is None:
        return (ellipsis + suffix).strip()
    return candidate(cut)


# --- mentions, as twitter-text finds them ---------------------------------------------
# twitter-text's validMentionOrList and invalidMentionMatchEnd (Extractor, v3): an @ (or a
# full-width ＠) after the start, a character that cannot end a word of a handle, or "RT"/
# "RT:"; a handle of 1-20 [A-Za-z0-9_]; not followed by another @, a Latin accented
# letter or "://". So "の@user", "RT@jack" and "é@user" are mentions, "me@example.org" is not.
_LATIN_ACCENTS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257"
    "\u0259\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_MENTION = re.compile(
    r"(?:^|(?<=[^a-zA-Z0-9_!#$%&*@＠])|(?:(?<=^[rR][tT])|(?<=[^a-zA-Z0-9_+~.-][rR][tT])):?)"
    r"(?P<at>[@＠]+)(?P<name>[a-zA-Z0-9_]{1,20})(?:/[a-zA-Z][a-zA-Z0-9_-]{0,24})?"
)
_MENTION_END = re.compile(rf"[@＠{_LATIN_ACCENTS}]|://")


def mention_points(text: str) -> list[int]:
    """Where each mention's handle starts (just after its @), as twitter-text links them."""
    points: list[int] = []
    for m in _MENTION.finditer(text):
        if _MENTION_END.match(text, m.end("name")):
            continue
        points.append(m.end("at"))
    return points


# --- hashtags and cashtags, as twitter-text finds them ----------------------------------
# twitter-text's validHashtag (v3): a # or ＃ not after a letter, mark, digit, "&" or one of
# the hashtag's own joiners, then word characters holding at least one letter or mark, not
# followed by another # or "://". validCashtag: a $ at the start or after a space, 1-6
# letters with an optional ".xx"/"_xx" suffix, then the end, a space or punctuation.
_HASHTAG_WORD = (
    r"\p{L}\p{M}\p{Nd}_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c"
    r"\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
)
_HASHTAG = regex.compile(
    rf"(?:^|(?<=[\ufe0e\ufe0f])|(?<=[^&{_HASHTAG_WORD}]))(?P<sign>[#＃])(?!\ufe0f|\u20e3)"
    rf"(?P<tag>[{_HASHTAG_WORD}]*[\p{{L}}\p{{M}}][{_HASHTAG_WORD}]*)"
)
_HASHTAG_END = regex.compile(r"[#＃]|://")
_CASHTAG = regex.compile(
    r"(?:^|(?<=[\s\p{Zs}]))(?P<sign>\$)(?P<tag>[a-z]{1,6}(?:[._][a-z]{1,2})?)"
    r"(?=$|\s|[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])",
    regex.IGNORECASE,
)


def tag_points(text: str, spans: Sequence[tuple[int, int]] | None = None) -> list[int]:
    """Where each hashtag's and cashtag's name starts (just after its sign), as
    twitter-text links them, outside URLs (``spans``, when the caller has them)."""
    if "#" not in text and "＃" not in text and "$" not in text:
        return []
    if spans is None:
        spans = url_spans(text)
    points: list[int] = []
    for m in _HASHTAG.finditer(text):
        if not _HASHTAG_END.match(text, m.end()):
            points.append(m.end("sign"))
    points += [m.end("sign") for m in _CASHTAG.finditer(text)]
    return sorted(p for p in points if not any(a < p <= b for a, b in spans))

"""The summary: the lede's one or two sentences that say what happened.

Bylines, datelines, headings, source lines and quote-only paragraphs are passed over,
so the summary is what the article reports rather than who wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from distributor.extract import sentences
from distributor.extract.blocks import Block, Kind, dateline

SHORT_LEDE = 90
MAX_SUMMARY = 320
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z ]{1,30},?\s+)?(?:\d{1,2}\s\w+\s\d{4}|\w+day\s\d{1,2}\s\w+(?:\s\d{4})?)\s*$"
)
_QUOTE_START = ("“", '"', "‘", "«", "„")
# A run-in label in capitals ("EQUAL OPPORTUNITY FOR WOMEN AND GIRLS: Today, …", a
# transcript's "MODERATOR: …") and a dateline ("WASHINGTON – Today, …") are not the news.
_RUN_IN = re.compile(r"^(?:[A-Z][A-Z0-9.,’'&-]*\s){0,12}[A-Z][A-Z0-9.,’'&-]*:\s+(?=\S)")


def _undated(text: str) -> str:
    """The sentence without the release's dateline ("WASHINGTON –", "BOSTON— Monday, June
    22, 2015 -")."""
    found = dateline(text)
    return text[found.end() :] if found and found.end() < len(text) else text


# How a sentence ends; a standfirst in headline case has none of the first few.
_STOPS = (".", "!", "?", "”", '"', "…")
_ENDS = (*_STOPS, "’", "'", ")")


def _deck(text: str) -> bool:
    """A standfirst in headline case with no full stop ("State Parks Are Open for
    Recreation This Summer; Three Shoreline Parks Accessible via Rail and Bus")."""
    if text.rstrip().endswith(_STOPS):
        return False
    long = [w for w in text.split() if len(w) > 3 and w[:1].isalpha()]
    return len(long) >= 4 and sum(w[:1].isupper() for w in long) >= 0.8 * len(long)


# A line pointing to what the page linked: "Read the full filing here.", "View the
# presentation slides", "Click here to watch".
_POINTER = re.compile(
    r"(?:(?:Read|View|See|Click|Watch|Download|Visit|Listen)\b[^.!?]{0,80}"
    r"|[^.!?]{0,80}\b(?:here|below))[.:]?\s*$"
)


_POINTER_LONGEST = 100  # the pattern matches nothing longer: a cheap test first


def _candidate(block: Block) -> bool:
    if block.kind is not Kind.PARAGRAPH:
        return False
    text = block.text
    if _DATELINE.match(text) or _deck(text):
        return False  # a dateline, a standfirst in headline case
    end = text.rstrip()
    if end.endswith((":", ":)")) and len(sentences.split(text)) < 2:
        # A lead-in, a letter's "Dear Mr. Chairman: (Dear Madam Chair:)"; a paragraph
        # whose last sentence only leads into a list still opens with the news.
        return False
    if end.endswith("?") and len(sentences.split(text)) < 2:
        # A rhetorical opening ("How many more …?"): the news is in what follows.
        return False
    if len(text) < _POINTER_LONGEST and _POINTER.match(text):
        return False  # "Read the full filing here.": a link the text lost, not news
    if text.startswith(_QUOTE_START):
        # A quote-led lede counts when the narrative goes on after the quote ("“…” The
        # First Lady opened her remarks at …"); a paragraph that is only a quote does not.
        # ("“…,” said X." is a quote with its attribution: not the news.)
        return len(_after_quote(text).split()) >= 5
    return len(text.split()) >= 5


def _after_quote(text: str) -> str:
    """The sentence after a quote that ends its own sentence, else ""."""
    close = next((i for i in (text.find("”", 1), text.find('"', 1)) if i > 0), -1)
    if close < 0 or text[close - 1] not in ".!?…":
        return ""
    rest = text[close + 1 :].lstrip()
    return rest if rest[:1].isupper() else ""


def _closes(sentence: str) -> bool:
    """Whether the quote a sentence opens with closes within it."""
    return sentence.find("”", 1) > 0 or sentence.find('"', 1) > 0


def _announcing_lead_in(blocks: Sequence[Block]) -> str:
    """A first paragraph that announces the list under it ("WASHINGTON – Today, President
    Joe Biden announced his intent to nominate the following individuals …:"): the news
    itself, its colon written as a full stop. "" when the article does not open so."""
    first = next((b for b in blocks if b.kind is Kind.PARAGRAPH), None)
    if first is None or not first.text.rstrip().endswith(":") or len(first.text.split()) < 10:
        return ""
    text = _undated(_RUN_IN.sub("", first.text.strip()))
    if not _NEWS_PEG.match(text) or len(text) > MAX_SUMMARY or len(sentences.split(text)) > 1:
        return ""
    if " the following " not in text:
        return ""  # "… signed into law:" is not a sentence without its list
    return text[:-1].rstrip() + "."


_GREETING = re.compile(
    r"(?:Good (?:morning|afternoon|evening)|Hi|Hello|Thanks|Thank you)\b[^.!?]{0,40}[.!]$"
)
_NEWS_PEG = re.compile(
    r"(?:Today|Tonight|Yesterday|This (?:morning|afternoon|evening|week)"
    r"|On (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b"
)


def lede(blocks: Sequence[Block]) -> str:
    announced = _announcing_lead_in(blocks)
    if announced:
        return announced
    found = (b for b in blocks if _candidate(b))
    chosen = next(found, None)
    if chosen is not None and not chosen.text.rstrip().endswith(_ENDS):
        # A standfirst in sentence case with no full stop ("The California Supreme Court
        # declines to review decision …") over the release's own first sentence.
        chosen = next((b for b in found if b.text.rstrip().endswith(_ENDS)), chosen)
    if chosen is None:
        # Anything but someone's words in marks with no one named: a page of bare quotes
        # has no summary in the publisher's voice.
        chosen = next(
            (
                b
                for b in blocks
                if b.kind in (Kind.PARAGRAPH, Kind.ITEM)
                and not b.text.startswith(_QUOTE_START)
                # "Cllr Michael Fuller, Portfolio Holder for Environment said:" over his
                # words: a lead-in, not the news.
                and not b.text.rstrip().endswith(":")
                and not (len(b.text) < _POINTER_LONGEST and _POINTER.match(b.text))
            ),
            None,
        )
    if chosen is None:
        return ""
    # The dateline goes before the sentences are read: "AUGUSTA ? The …" (a dash the
    # page's encoding lost) would otherwise end a sentence at its "?".
    parts = sentences.split(_undated(chosen.text))
    while len(parts) > 1 and _GREETING.match(parts[0].text):
        parts = parts[1:]  # a briefing's "Good afternoon, everyone." is not the news
    if parts and parts[0].text.startswith(_QUOTE_START) and not _closes(parts[0].text):
        # A quote of several sentences opens the paragraph ("“As people we dream. As
        # leaders we progress. …” First Lady Melania Trump welcomed …"): its first
        # sentence is a fragment of someone's words; the narrative after it is the news.
        after = _after_quote(chosen.text)
        parts = sentences.split(after) if after else []
    parts = [p for p in parts if not p.text.rstrip().endswith(":")] or parts[:1]
    if not parts:
        return ""
    text = _undated(_RUN_IN.sub("", parts[0].text))
    quote_led = text.startswith(_QUOTE_START) and text.rstrip().endswith(("”", '"'))
    if quote_led and len(parts) > 1 and len(text) + len(parts[1].text) < MAX_SUMMARY:
        # The quote alone says nothing of who or what: keep the sentence that does.
        return f"{text} {parts[1].text}"
    joins = len(parts) > 1 and len(text) + len(parts[1].text) < MAX_SUMMARY
    if joins and (len(text) < SHORT_LEDE or _NEWS_PEG.match(parts[1].text)):
        # A short opening, or one of background before "Today, the President announced
        # …": the lede is what happened, so the second sentence joins it.
        text = f"{text} {parts[1].text}"
    return text

"""Direct quotes: marked passages with an attribution, and GOV.UK-style "X said:" paragraphs.

A passage in quote marks counts only when something attributes it ("she said",
"said X", "X said:", a dash attribution, or a colon lead-in), or when it continues a
passage by the same speaker in the next paragraph. Scare quotes, titles and reported
speech never count, and nothing unmarked counts unless a "said:" line introduces it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from distributor.abbreviations import is_abbreviation
from distributor.extract import sentences, speakers
from distributor.extract.blocks import DATE_WITH_YEAR, Block, Kind, dateline
from distributor.models import Quote, Span

_VERBS = (
    r"said|says|say|tell|added|adds|explained|explains|continued|continues|stated|states|commented"
    r"|comments|told|tells|warned|warns|insisted|insists|argued|argues|noted|notes|declared"
    r"|announced|confirmed|confirms|acknowledged|admitted|remarked|replied|urged|urges"
    r"|concluded|stressed|stresses|emphasised|emphasises|emphasized|highlighted|wrote|writes"
    r"|recalled|recalls|believes|predicted|promised|pledged|vowed|described|reflected"
    r"|asked|asks|wrote|joked|cautioned|pointed out|put it|exclaimed|affirmed|affirms"
    r"|proclaimed|posted|tweeted|observed|responded|replied|answered|testified|reiterated"
    r"|underscored|emphasizes|declares|vowed|cried out|cried|shouted|called out|quipped|recounted"
    r"|shared|reflected|recalled|reported|reports|asserted|asserts|confessed|conceded|concedes"
    r"|contended|maintained|lamented|boasted|revealed|mused|elaborated|assured|summed up"
    r"|addressed|reminded|challenged|implored"
    # "Secretary Rubio had this to say:", "Here’s what Secretary Rubio had to say:"
    r"|had (?:this |the following )?to say|made clear|makes clear"
    # "Secretary Jane Roe issued the following statement:"
    r"|(?:issued|released|gave|provided|shared) (?:the following|a|this|her|his) statement"
)
# Two apostrophes ('') stand for a double mark in some plain-text feeds.
# So do two curly single marks ("maps,’’ Cr Williamson said"), as some councils write a
# closing double mark.
_MARK_D = re.compile(
    r"''|’’|‘‘|&ldquo;|&rdquo;|&quot;|&#8220;|&#8221;|&#34;|&laquo;|&raquo;|[“”\"«»„]"
)
_MARK_S = re.compile(r"&lsquo;|&rsquo;|&#8216;|&#8217;|(?<!')'(?!')|[‘’]")
_PAIRS = {"„": ("“", "”"), "«": ("»",), "“": ("”",), '"': ('"',)}

# A speech trailed before it is given: "The Chancellor will say:", "She is expected to tell
# the conference:".
_TRAILED = r"(?:will|would|(?:is|are)\s+(?:also\s+)?(?:expected|set|due|going)\s+to)\s+(?:also\s+)?"
_VERB = re.compile(rf"\b(?:has\s+|had\s+|also\s+|then\s+)?(?:{_VERBS})\b", re.IGNORECASE)
# What may stand between a closing mark and an attribution after it.
_AFTER_VERB_WHO = re.compile(rf"^[\s,.!?;:]*(?:{_VERBS})\s+(?P<who>.+)$", re.IGNORECASE | re.DOTALL)
_AFTER_WHO_VERB = re.compile(
    rf"^[\s,.!?;:]*(?P<who>[^;:!?]{{1,120}}?)\s+(?:has\s+|had\s+|also\s+|then\s+)?(?:{_VERBS})\b",
    re.IGNORECASE,
)
_AFTER_REMARKS = re.compile(
    r"^(?P<who>[^;:!?,]{2,120}?)\s+(?:opened|began|started|closed|ended|concluded)\s+"
    r"(?:his|her|their)\s+(?:remarks|speech|address)\b"
)
_AFTER_ACCORDING = re.compile(r"^[\s,.;:]*according to (?P<who>.+)$", re.DOTALL)
_AFTER_DASH = re.compile(r"^[\s,.]*[-–—]\s*(?P<who>[^“”\"]{2,120}?)\s*[.]?$")
_BEFORE_WHO_VERB = re.compile(
    rf"^(?P<who>.{{1,160}}?)\s+(?:has\s+|had\s+|also\s+|then\s+|[a-z]+ly\s+|{_TRAILED})?(?P<verb>{_VERBS})\b"
    r"(?P<rest>[^“”\"]{0,120}?)[,:]\s*$",
    re.IGNORECASE | re.DOTALL,
)
_BEFORE_ACCORDING = re.compile(
    r"(?:^|\s)(?:[Aa]ccording to|[Ii]n the words of) (?P<who>[^,:]{2,120})[,:]\s*$"
)
_PARTICIPLE_LEAD = re.compile(
    r",?\s+(?:saying|noting|adding|declaring|stating|writing|explaining|warning|stressing"
    r"|sharing|emphasi[sz]ing|insisting|arguing|recalling|asserting|affirming)"
    r"(?:\s+(?:that|it|how))?$"
)
# "Governor Jane Hale said that “this is …", "X told Fox News that “…": the subject,
# a speech verb, at most a short object, then "that" and the marks.
_WHO_VERB_THAT = re.compile(
    rf"^(?P<who>[^,;:“”\"]{{2,120}}?)\s+(?:has\s+|had\s+|also\s+|then\s+|[a-z]+ly\s+)?"
    rf"(?:{_VERBS})(?:\s+[^,;:“”\"]{{1,40}}?)?\s+that$"
)
# A first name as an attribution: "Richard continued:", "Jane said", "said Jane".
_SPEAKS_NEXT = re.compile(rf"\s+(?:[a-z]+ly\s+)?(?:{_VERBS})\b|:")
_SAID_BEFORE = ("said", "says", "added", "continued")
_REPORTING_VERBS = "said|says|added|adds|explained|stated|noted|warned"
_REPORTING = re.compile(rf" (?:{_REPORTING_VERBS}|told) ")
_OPENING_MARKS = frozenset("“\"‘'„«")
# Reported speech opening a sentence: "Commissioner Jane Roe said the rain has …",
# "The Minister also told reporters that …" (not a lead-in: no colon, no marks).
_REPORTED = re.compile(
    r"^(?P<who>[A-Z][^,;:“”\"]{1,100}?)\s+(?:also\s+|then\s+|[a-z]+ly\s+)?"
    rf"(?:{_REPORTING_VERBS}|told\s[^,;:“”\"]{{1,40}}?)"
    r"\s+(?:that\s+)?[\w‘’'$£€]"
    r"[^:“”\"]*$"
)
_COLON_LEAD = re.compile(r"^(?P<who>[^:]{2,160}):\s*$", re.DOTALL)
_LEAD_IN = re.compile(
    rf"^(?P<who>.{{2,200}}?)\s+(?:has\s+|also\s+|{_TRAILED})?(?:{_VERBS})(?:\s+[^:]{{0,80}})?:\s*$",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|we|we're|we’re|our|us|my|me|you|your)\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")


@dataclass
class _Marked:
    block: int
    start: int
    end: int
    open_mark: int
    close_end: int
    """Offset just after the closing mark, or the block's end when the mark is never closed."""
    closed: bool = True


@dataclass
class _Passage:
    segments: list[Span]
    who: speakers.Who
    confidence: float
    last_block: int
    explicit: bool
    mentions: list[str] = field(default_factory=list)


def _double_spans(body: str, block: Block, index: int) -> list[_Marked]:
    found: list[_Marked] = []
    open_at: tuple[int, str, int] | None = None  # (content start, mark, mark offset)
    for m in _MARK_D.finditer(body, block.start, block.end):
        mark = m.group(0)
        norm = _norm_mark(mark)
        if open_at is None:
            if norm in ("“", '"', "«", "„"):
                open_at = (m.end(), norm, m.start())
            continue
        start, opener, mark_at = open_at
        closers = _PAIRS.get(opener, ("”",))
        if norm in closers or (opener == "“" and norm == '"') or (opener == '"' and norm == "”"):
            found.append(_Marked(index, start, m.start(), mark_at, m.end()))
            open_at = None
        elif norm in ("“", "«", "„"):
            open_at = (m.end(), norm, m.start())
    if open_at is not None and block.end - open_at[0] > 0:
        start, _, mark_at = open_at
        found.append(_Marked(index, start, block.end, mark_at, block.end, closed=False))
    return found


def _norm_mark(mark: str) -> str:
    return {
        "&ldquo;": "“",
        "&#8220;": "“",
        "&rdquo;": "”",
        "&#8221;": "”",
        "&quot;": '"',
        "''": '"',
        "’’": "”",
        "‘‘": "“",
        "&#34;": '"',
        "&laquo;": "«",
        "&raquo;": "»",
    }.get(mark, mark)


# Where a single mark can open a quote: after a space, a bracket, a double mark, a dash or
# a colon, or at the block's start. Most blocks have apostrophes and no such mark.
_SINGLE_OPENER = re.compile(r"(?:^|[\s(\[“\"—–:-])(?:‘|'|&lsquo;|&#8216;)")


def _single_spans(body: str, block: Block, index: int) -> list[_Marked]:
    """Quotes in single marks, telling them from apostrophes by what surrounds them."""
    text = block.text
    if ("‘" not in text and "'" not in text and "&" not in text) or not _SINGLE_OPENER.search(text):
        return []
    found: list[_Marked] = []
    opening: tuple[int, int] | None = None
    for m in _MARK_S.finditer(body, block.start, block.end):
        before = body[m.start() - 1] if m.start() > block.start else " "
        after = body[m.end()] if m.end() < block.end else " "
        mark = m.group(0)
        can_open = (
            mark in ("‘", "'", "&lsquo;", "&#8216;")
            and (before.isspace() or before in '([“"—–-:' or m.start() == block.start)
            and not after.isspace()
        )
        can_close = (
            mark != "‘" and not before.isspace() and (after.isspace() or after in ',.;:!?)”"—–')
        )
        if opening is not None and can_close:
            tail = body[m.end() : m.end() + 20]
            possessive = (
                before in "sS"
                and re.match(r"^\s[a-z]", tail)
                and not re.match(rf"^\s(?:{_VERBS}|he|she|they|it|we)\b", tail)
            )
            if not possessive:
                found.append(_Marked(index, opening[0], m.start(), opening[1], m.end()))
                opening = None
                continue
        if opening is None and can_open:
            opening = (m.end(), m.start())
    return found


def _marked(body: str, blocks: Sequence[Block]) -> list[_Marked]:
    spans: list[_Marked] = []
    for i, block in enumerate(blocks):
        if block.kind in (Kind.SOURCES, Kind.BYLINE):
            continue
        both = _double_spans(body, block, i) + _single_spans(body, block, i)
        # A quote inside a quote belongs to the outer one: in order of opening, a span is
        # inside another when an earlier one closes at or after it.
        both.sort(key=lambda s: (s.open_mark, -s.close_end))
        reach = -1
        for s in both:
            if s.close_end > reach:
                spans.append(s)
                reach = s.close_end
    return spans


def _trimmed(body: str, start: int, end: int) -> Span | None:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    if end <= start:
        return None
    if (
        end - start > 2
        and body[start] in "‘'"
        and body[end - 1] in "’'"
        and "‘" not in body[start + 1 : end - 1]
    ):
        # “‘We’re expecting …’” [Alaska Public Radio]: words quoted from a report, the
        # report's own marks inside ours; the words are what is between them.
        return _trimmed(body, start + 1, end - 1)
    return Span(body[start:end], start, end)


_SMALL_WORDS = frozenset(
    ["a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"]
)


def _is_speech(text: str, attributed_after: bool) -> bool:
    """Does the marked text read like someone's words rather than a term or a title?"""
    words = _WORD.findall(text)
    if not words:
        return False
    # A title ("Fit for the Future") capitalises every word that is not a small one.
    title = all(w[:1].isupper() for w in words if len(w) > 3) and words[0][:1].isupper()
    if title and len(words) <= 6 and all(w[:1].isupper() or w in _SMALL_WORDS for w in words):
        return False
    if text.rstrip()[-1:] in ".,!?…" or (len(words) >= 6 and not title):
        return True
    return attributed_after and len(words) >= 3 and not title


def _cited_headline(text: str, phrase: str) -> bool:
    """A news headline cited with its outlet ("“California-Mexico border, once overwhelmed,
    now nearly empty” — Los Angeles Times"): a short passage with no closing punctuation,
    attributed to a body, not a person. A title, not anyone's words."""
    if text.rstrip()[-1:] in ".!?…,;:" or len(text.split()) > 14:
        return False
    who = speakers.parse(phrase)
    return bool(who.speaker) and speakers.split_name(who.speaker)[0] is None


def _first_sentence(text: str) -> str:
    parts = sentences.split(text)
    return parts[0].text if parts else ""


def _last_sentence(text: str) -> str:
    parts = sentences.split(text)
    return parts[-1].text if parts else ""


def _who_after(
    body: str, m: _Marked, block: Block, following: Block | None, then: Block | None = None
) -> str | None:
    """The attribution right after a closing mark: "…,” said X." / "…,” X said." / "— X",
    or a line of its own under a quoted paragraph ("— Deputy Press Secretary Kush Desai").
    ``then`` is the block after that line: a name line with a quote under it heads that
    quote, and signs neither."""
    rest = body[m.close_end : min(block.end, m.close_end + 300)]
    if not rest.strip() and following is not None and len(following.text) <= 160:
        dash = _AFTER_DASH.match(following.text)
        if dash and speakers.looks_like_attribution(dash.group("who")):
            return dash.group("who")
        heads_next = then is not None and _MARK_D.match(then.text.lstrip()) is not None
        return following.text if _name_line(following.text) and not heads_next else None
    nxt = _MARK_D.search(rest)
    window = rest[: nxt.start()] if nxt else rest
    dash = _AFTER_DASH.match(window) if window.lstrip(" ,.")[:1] in ("-", "–", "—") else None
    if dash and speakers.looks_like_attribution(dash.group("who")):
        return dash.group("who")  # "…” — Jane Doe, Chief Executive of the Port Authority"
    ended = m.end > m.start and body[m.end - 1] in ".!?…"
    if nxt and ended and window.rstrip().endswith((",", ":")):
        # "…era.” She affirmed, “…": the words before the next mark lead into it.
        return None
    sentence = _first_sentence(window.lstrip(" ,.!?;:")) if window[:1] in " ,.!?;:" else ""
    if not sentence:
        return None
    remarks = _AFTER_REMARKS.match(sentence)
    if remarks and speakers.looks_like_attribution(remarks.group("who")):
        # "“…” The First Lady opened her remarks at …": the sentence names the speech.
        return remarks.group("who")
    if ended and len(sentence.split()) > 8:
        # After a quote that ends its own sentence, only a short "X said." belongs to it;
        # a longer sentence is the narrative going on.
        return None
    sentence = "," + sentence.rstrip(" .;,")
    for pattern in (_AFTER_VERB_WHO, _AFTER_WHO_VERB, _AFTER_ACCORDING):
        found = pattern.match(sentence)
        if found and speakers.looks_like_attribution(found.group("who")):
            if ended and pattern is _AFTER_WHO_VERB and _REPORTS_ON.match(sentence, found.end()):
                # "…fixed.” Councillor Ann Lee said the council would reply.": after a
                # quote that ended its own sentence, "X said" going on to say what X said
                # is X's own reported speech, not the quote's tag.
                return None
            return found.group("who")
    return None


# What follows a speech verb when the sentence reports what was said rather than tagging
# a quote: a subject or "that" ("said the council would reply"), not a place, a time or
# a medium ("said in a statement", "said on Monday").
_REPORTS_ON = re.compile(
    r"\s+(?!(?:in|on|at|during|after|before|while|when|as|of|to|from|via|through|today"
    r"|yesterday|tonight|earlier|later|afterwards|also|too|again|then|recently)\b)"
    r"(?:that\b|[a-z]+\s+\w+)",
    re.IGNORECASE,
)


def _name_line(text: str) -> bool:
    """A line of its own that is only a person and their role ("Jane Doe, Chief Executive
    of the Port Authority"), under a quoted paragraph or above one (ending with a colon):
    a testimonial's signature. A person with a full name, never a body or a phrase. The
    place the person serves may come first ("Los Angeles, California Mayor Antonio
    Villaraigosa:")."""
    line = _undated_line(text).strip().removesuffix(":")
    if len(line.split()) > 16 or line.endswith((".", "!", "?", "”", '"')) or _VERB.search(line):
        return False
    if _person_line(line):
        return True
    place, comma, rest = line.partition(",")
    return bool(comma) and len(place) <= 30 and _person_line(rest.strip())


# The date a line may open with before who speaks: "March 8, 2017, Senator the Hon Wendy
# Phipps, Minister …:".
_LINE_DATE = re.compile(rf"{DATE_WITH_YEAR},\s+")


def _undated_line(text: str) -> str:
    """The line without the date it opens with, if it opens with one."""
    return _LINE_DATE.sub("", text, count=1) if text[:1].isupper() or text[:1].isdigit() else text


def _person_line(line: str) -> bool:
    first, comma, _ = line.partition(",")
    words = first.split()
    if not 2 <= len(words) <= 8 or not all(
        _CAP_RUN.fullmatch(w) or (w in _CONNECTORS and 0 < i < len(words) - 2)
        for i, w in enumerate(words)
    ):
        return False  # "Protecting Parental Rights and …" is a heading, not a signature
    if not comma and not any(speakers.is_title(w) for w in words[:-1]):
        # A bare capitalised run could be anything; a role or title says who
        # ("Treasury Secretary Scott Bessent:", "Secretary of State Marco Rubio:").
        return False
    who = speakers.parse(line)
    person, _ = speakers.split_name(first)
    # A person, not a body or a spokesperson ("Federal Officials" heads a list).
    return bool(who.named and who.speaker and " " in who.speaker and who.speaker == person)


# Lower-case words that make a colon lead-in a clause ("President Trump posted on X:")
# rather than a description of who speaks ("Illinois cattle farmer Alan Adams:").
_CLAUSE_WORDS = frozenset(
    [
        "on",
        "to",
        "in",
        "at",
        "with",
        "from",
        "by",
        "that",
        "which",
        "who",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "its",
        "their",
        "his",
        "her",
        "about",
        "after",
        "before",
        "over",
        "into",
        "during",
        "when",
        "while",
        "as",
        "it",
        "this",
        "these",
        "those",
        "what",
        "how",
        "why",
        "not",
        "no",
        "all",
        "every",
    ]
)


def _colon_lead(sentence: str) -> str | None:
    found = _COLON_LEAD.match(sentence)
    if not found:
        return None
    who = found.group("who").strip()
    words = who.split()
    if len(words) > 12 or _VERB.search(who):
        return None
    for w in words:
        low = w.strip(",()").lower()
        if w[:1].islower() and (low in _CLAUSE_WORDS or low.endswith("ed")):
            return None
    return who


def _dateline_end(text: str) -> int:
    found = dateline(text)
    return found.end() if found else 0


# "Secretary Ann Hale issued the following statement on behalf of Governor Tom Reed:": the
# words are the Governor's, read out or sent by another; whose they are is not for us to
# choose, so they are signed by neither.
_ON_BEHALF = re.compile(
    r"\bon behalf of (?:the )?(?:Governor|Gov\.|President|Vice President|Mayor|Senator|Secretary"
    r"|Premier|Prime Minister|Minister|Chancellor|First Lady)\b"
)
_FOLLOWING_STATEMENT = re.compile(
    r"^(?:(?:Today|Yesterday|Tonight|On \w+ \d+(?:, \d{4})?),\s+)?(?P<who>[^,;:]{2,160}?)\s+"
    r"(?:(?:has|have|had) )?(?:issued|released|made|gave|delivered|shared) the following"
    r" (?:statement|remarks)\b"
)
_NAME_DASH_ROLE = re.compile(r"^(?P<name>[^–—,:]{3,60}?)\s+[–—-]\s+(?P<role>[^–—:]{2,120})$")


def _who_before(
    body: str, m: _Marked, block: Block, prev_close: int, preceding: Block | None
) -> str | None:
    """The attribution right before an opening mark: "X said: “…", "X: “…", "According to X, “…",
    or a "Karen Lynch – CVS Health President" line above a quoted paragraph."""
    # An attribution sits close to its quote; a bounded window keeps huge paragraphs linear.
    lead = body[max(block.start, prev_close, m.open_mark - 400) : m.open_mark].rstrip()
    if not lead and preceding is not None:
        found = _NAME_DASH_ROLE.match(preceding.text)
        if found:
            name, _ = speakers.split_name(found.group("name"))
            if name and name == found.group("name").strip():
                return f"{found.group('name')}, {found.group('role')}"
        if _name_line(preceding.text) and m.open_mark == block.start:
            # "Secretary of Agriculture Brooke Rollins" (with or without a colon) on a line
            # of its own over the paragraph her words make up.
            return _undated_line(preceding.text).rstrip().removesuffix(":")
        if preceding.text.rstrip().endswith(":") and m.open_mark == block.start:
            # "President Trump delivered remarks at the plant:" over a quoted paragraph.
            who = _who_leading(_last_sentence(preceding.text[-400:]))
            if who is not None:
                return who
        last = _last_sentence(preceding.text[-400:]) if " the following " in preceding.text else ""
        # "LANSING, Mich. — Governor Gretchen Whitmer issued the following statement …"
        announced = _FOLLOWING_STATEMENT.match(last[_dateline_end(last) :]) if last else None
        if announced and "behalf" in last and _ON_BEHALF.search(last):
            announced = None  # see _ON_BEHALF
        if announced and speakers.looks_like_attribution(announced.group("who")):
            # "Today, Secretary Jane Roe released the following statement on the vote."
            # and the statement in marks as the next paragraph.
            return announced.group("who")
        return None
    if lead.endswith((",", ":")):
        sentence = _last_sentence(lead)
        who = _who_leading(sentence) if sentence else None
        if who is not None or not lead.endswith(","):
            return who
        lead = lead[:-1]  # "…, writing, “…": a participle before the comma
    if lead.endswith(" that"):  # cheap first: this runs for every unattributed mark
        said_that = _WHO_VERB_THAT.match(
            speakers.without_lead_clause(_last_sentence(lead + " x").removesuffix(" x"))
        )
        if said_that and speakers.looks_like_attribution(said_that.group("who")):
            return said_that.group("who")
    participle = _PARTICIPLE_LEAD.search(lead)
    if participle is None:
        return None
    # "President Trump backed the Act, saying it “…": the sentence's subject, when
    # that is a titled person.
    who = _subject(_last_sentence(lead[: participle.start()] + "."))
    return who if who and speakers.looks_like_attribution(who) else None


def _who_leading(sentence: str) -> str | None:
    """Who a sentence leading into a quote with a comma or colon names: "X said:",
    "According to X,", "X: “…", "President Trump touted the deal: “…"."""
    # "WASHINGTON – The Administrator …, Maria Roe, issued the following statement:": the
    # place is not part of who speaks.
    sentence = sentence[_dateline_end(sentence) :]
    if "behalf" in sentence and _ON_BEHALF.search(sentence):
        return None  # see _ON_BEHALF
    subject_on = speakers.without_lead_clause(sentence)
    if subject_on != sentence and not _VERB.search(subject_on) and _VERB.search(sentence):
        subject_on = sentence  # "Later she said,": no clause before the subject
    for pattern in (_BEFORE_ACCORDING, _BEFORE_WHO_VERB):
        # "When asked about the deal, Jane Roe said,": the speech verb is the subject's,
        # not the opening clause's.
        found = pattern.search(sentence if pattern is _BEFORE_ACCORDING else subject_on)
        if found and pattern is _BEFORE_WHO_VERB and _someone_elses(found):
            # "Mayor Jane Roe said the Governor told her:", "Jane Roe, quoting Governor
            # Tom Hale, said:": the words are another's, passed on.
            return None
        if found and speakers.looks_like_attribution(found.group("who")):
            return found.group("who")
        if (
            found
            and speakers.parse(found.group("who")).speaker is None
            and " and " in found.group("who")
        ):
            # "Jane Roe, John Doe and Bill Lee said:" names several voices, none alone.
            return None
    if sentence.endswith(":"):
        everyone = subject_on[:-1]
        if ", and " in everyone and speakers.parse(everyone).speaker is None:
            return None  # "Union President Ana Brill, …, and Guild President Lena Ostrander:"
        # "Speaking at the plant, President Trump touted the deal:"
        who = _colon_lead(subject_on) or _subject(subject_on)
        if who and speakers.looks_like_attribution(who):
            return who
    return None


def _someone_elses(found: re.Match[str]) -> bool:
    """Are the words another's, passed on by who the lead-in names?"""
    return bool(_VERB.search(found.group("rest")) or _QUOTING.search(found.group("who")))


_QUOTING = re.compile(r"\b(?:quoting|citing|echoing|relaying)\b", re.IGNORECASE)


def _subject(sentence: str) -> str | None:
    """The person opening a sentence that leads into a quote with a colon
    ("President Trump campaigned on banning …: “…”"): a name, or a person's title after
    "The" ("The First Lady also took time …, sharing that “…"), which the resolver signs
    only with someone the body named with that title before; never a body."""
    words = sentence.split()
    if len(words) > 30:
        return None
    taken = _capitalised_opening(words)
    name, role = speakers.split_name(" ".join(taken)) if taken else (None, None)
    after = words[len(taken) : len(taken) + 2] if name and len(words) > len(taken) + 1 else []
    if after and after[0] in ("and", "&") and after[1][:1].isupper():
        # "Both U.S. Attorney Brewer and DA Stephan condemned …:": two voices, none alone
        # ("Deputy Leader and Executive Member for Housing, Councillor …" is one post).
        return None
    if name:
        return " ".join(taken)
    titled = len(taken) >= 2 and taken[0] == "The" and role and speakers.PERSON_ROLE.search(role)
    if titled:
        return " ".join(taken)
    head, comma, rest = sentence.partition(", ")
    if comma and len(head.split()) <= 14 and speakers.PERSON_ROLE.search(head):
        # "Breckland Deputy Leader and Executive Member for Housing, Councillor Sarah
        # Suggitt welcomed the funding, saying: “…": a long role, then the person.
        after = _capitalised_opening(rest.split())
        if after and speakers.split_name(" ".join(after))[0]:
            return " ".join(after)
    return None


def _capitalised_opening(words: list[str]) -> list[str]:
    """The capitalised words a sentence opens with, up to a comma or colon; a leading
    "And" or "But" is passed over ("And the First Lady ended the evening …")."""
    if len(words) > 2 and words[0] in ("And", "But", "Then", "Later", "Finally"):
        words = [words[1][:1].upper() + words[1][1:], *words[2:]]
    taken: list[str] = []
    for word in words:
        if not word[:1].isupper():
            break
        taken.append(word.rstrip(",:"))
        if word.endswith((",", ":")):
            break
    return taken


_LEAD_VERBS = re.compile(
    r"\b(?:said|says|added|adds|commented|comments|explained|explains|stated|states|continued"
    r"|remarked|responded|wrote|writes|(?:will|to) (?:also )?(?:say|tell)"
    r"|(?:issued|released) (?:the following|a|this) statement)\b",
    re.IGNORECASE,
)


def _lead_in_who(text: str) -> str | None:
    """A GOV.UK lead-in line ("The Minister for Schools, Jane Doe, said:") and its speaker."""
    if not text.rstrip().endswith(":"):
        return None
    # The lead-in is the paragraph's last sentence: "The House passed the Act on Friday.
    # Secretary Jane Roe issued the following statement:".
    line = _last_sentence(text.strip()[-400:]) if ". " in text else text.strip()
    line = line[_dateline_end(line) :]  # "WASHINGTON – The Administrator …, said:"
    if "behalf" in line and _ON_BEHALF.search(line):
        return None  # see _ON_BEHALF
    attributed = _ATTRIBUTABLE.match(line)
    if attributed and speakers.looks_like_attribution(attributed.group("who")):
        return attributed.group("who")
    if len(line) > 260 or not _LEAD_VERBS.search(line):
        return None
    found = _LEAD_IN.match(line)
    if not found:
        return None
    who = found.group("who")
    return who if speakers.looks_like_attribution(who) else None


# "Quotes attributable to Minister for Education Jason Clare:", as Australian releases
# head a minister's words.
_ATTRIBUTABLE = re.compile(
    r"^(?:Quotes?|Comments?|Statement) (?:attributable|attributed) to (?P<who>[^:]{3,160}):$"
)
_NOBODY = speakers.Who(None, None, False)


def _fuller_role(role: str | None, than: str | None) -> bool:
    """Does ``role`` say more of the same post than ``than`` ("Scotland Office Minister"
    than "Minister")?"""
    if not role or not than or len(role) <= len(than):
        return False
    return role.lower().endswith(than.lower())


# A person met by a role alone: "the President", "the minister’s", "the First Lady";
# "the President’s plan" too. "President Trump" is named.
_UNNAMED_ROLE = re.compile(
    r"\b[Tt]he\s+(?:[A-Z][\w-]*\s+){0,3}?(?P<role>President|Secretary|[Mm]inister|Governor"
    r"|[Mm]ayor|Senator|Chancellor|Speaker|King|Queen|Prince|Princess|Pope|Ambassador"
    r"|Commissioner|Chair(?:man|woman)?|[Cc]ouncillor|Premier|First Lady|Director"
    r"|[Ss]pokes(?:man|woman|person))\b(?![ \t]+[A-Z])"
)
_LOWER_ROLE_NAME = re.compile(
    r"\b(?P<role>[a-z]+)\s+(?P<name>[A-Z][a-z’'-]+(?:\s[A-Z]\.)?\s[A-Z][a-z’'-]+)\b"
)
_KIN = re.compile(
    r"\b(?:[Hh]is|[Hh]er|[Tt]heir)\s+(?:wife|husband|spouse|partner|son|daughter|mother|father"
    r"|brother|sister|widow|widower|children|grandson|granddaughter|grandmother|grandfather)\b"
)
# A role's lesser holder: "Vice President" is not who "the President said" means.
_LESSER = re.compile(
    r"^(?:vice|deputy|assistant|under|acting|former|associate|shadow|junior)\b", re.IGNORECASE
)


def _lesser(held: str, said: str) -> bool:
    return _LESSER.match(held) is not None and _LESSER.match(said) is None


def _surnamed(
    surname: str, mentions: Sequence[tuple[int, speakers.Who]], runs: dict[str, list[str]]
) -> list[speakers.Who]:
    found = [who for _, who in mentions if (who.speaker or "").endswith(" " + surname)]
    titled = list(found)
    for run in runs.get(surname, ()):
        name, role = speakers.split_name(run)
        if (
            name
            and name.endswith(" " + surname)
            and not any(speakers.same_person(name, t.speaker) for t in titled)
        ):
            found.append(speakers.Who(name, role, True))
    return found


def _bare_surname(word: str) -> bool:
    """ "Bessent": one name word, not a title or a pronoun."""
    return (
        " " not in word
        and speakers.name_token(word)
        and not speakers.is_title(word)
        and word.lower() not in speakers.PRONOUNS
    )


class _Resolver:
    """Names a pronoun, a surname or a bare role from who spoke last or who was named before.

    What it cannot name with confidence it leaves unnamed, and the quote is dropped.
    """

    def __init__(self, body: str, title: str) -> None:
        self.last: speakers.Who | None = None
        self.last_at = 0
        self._title = title
        self._body = body
        self._found: list[tuple[int, speakers.Who]] | None = None
        self._runs: dict[str, list[str]] = {}
        self._surname_cache: dict[str, list[speakers.Who]] = {}
        self._fullest_cache: dict[str, str] = {}
        self._speakers: list[speakers.Who] = []  # everyone who has spoken so far
        self._words_by_first: dict[str, list[list[str]]] | None = None

    def spoke(self, who: speakers.Who, at: int) -> None:
        if who.speaker:
            self.last, self.last_at = who, at
            self._speakers.append(who)

    def resolve(self, phrase: str, before: int) -> tuple[speakers.Who, float]:
        """Who ``phrase`` names, and how sure; ``_NOBODY`` at 0.0 when no one for sure."""
        who = speakers.parse(phrase)
        bare = speakers.core(phrase)
        if who.named and who.speaker and " " not in who.speaker:
            if who.role is None and speakers.organisation(bare) == who.speaker:
                return who, 0.9  # "Per Axios:": an outlet, never a person's surname
            return self._titled_surname(who, who.role or bare)
        if who.named:
            return self._with_role(self._fullest(who)), 0.9
        if not who.role and _bare_surname(bare):
            return self._surname(bare)
        if who.role:
            return self._by_role(who.role, before)
        if bare.lower() in ("he", "she"):
            return self._pronoun(bare.lower(), before)
        return _NOBODY, 0.0

    def _titled_surname(self, who: speakers.Who, how: str) -> tuple[speakers.Who, float]:
        """ "Secretary Rubio": the one person named in full with that surname."""
        full = self._full_name(who.speaker or "", how)
        if full is None:
            return who, 0.8  # nobody named in full: the name as the quote gives it
        if (
            full.speaker
            and who.role
            and (not full.role or not set(who.role.split()) <= set(full.role.split()))
            and not speakers.on_council(who.role, full.role)
        ):
            # "said Commissioner Lacy" after "Clifton R. Lacy, M.D., Commissioner of …":
            # the title the quote gives, where the mention gave none the rules could read,
            # or one that is not a fuller form of it ("DCVice President", a lost space).
            full = speakers.Who(full.speaker, who.role, True)
        return (full, 0.85) if full.speaker else (full, 0.0)

    def _surname(self, bare: str) -> tuple[speakers.Who, float]:
        """ "Bessent said", after "Treasury Secretary Scott Bessent" earlier (or in the
        title): that person. A surname nobody was named with is left unnamed."""
        full = self._full_name(bare)
        if full is None:
            full = self._full_name(bare, text=self._title)
        titles = {who.role for _, who in self._mentions() if who.speaker == bare and who.role}
        if (
            full is not None
            and full.speaker
            and titles
            and (full.role is None or any(speakers.contradicts(full, t) for t in titles))
        ):
            # "President Biden and First Lady Jill Biden visited …", then "Biden said": the
            # surname is the President's as much as the First Lady's.
            return _NOBODY, 0.0
        if full is None and len(titles) == 1:
            # "President Biden signed …", then "Biden said": the one person the body names
            # by title and surname, signed so ("President Biden", never "Biden" alone).
            return speakers.Who(bare, titles.pop(), True), 0.8
        if full is None:
            full = self._first_named(bare)
        return (full, 0.85) if full and full.speaker else (_NOBODY, 0.0)

    def _first_named(self, first: str) -> speakers.Who | None:
        """ "Richard continued:" after "Richard Mason, Community Safety Manager, said:": the
        one person who has spoken, or the body introduced with a title or a role, by that
        first name."""
        people: list[speakers.Who] = []
        for who in [*self._speakers, *(w for _, w in self._mentions())]:
            name = who.speaker or ""
            if (
                " " in name
                and name.split()[0] == first
                and not any(speakers.same_person(name, p.speaker) for p in people)
            ):
                people.append(who)
        if len(people) != 1 or not self._first_name_only_theirs(first, people[0]):
            return None
        return people[0]

    def _first_name_only_theirs(self, first: str, who: speakers.Who) -> bool:
        """Is every "Jane" in the body either "Jane Roe" or an attribution ("Jane said",
        "Jane continued:")? "Jane, a mother of two, …" or "Tenant Jane Hale …" is
        someone else the first name may mean."""
        rest = (who.speaker or "").split(" ", 1)[1]
        for m in re.finditer(rf"\b{re.escape(first)}\b", self._body):
            after = self._body[m.end() : m.end() + 60]
            if after.startswith(" " + rest) or _SPEAKS_NEXT.match(after):
                continue
            if self._body[max(0, m.start() - 12) : m.start()].rstrip().endswith(_SAID_BEFORE):
                continue
            return False
        return True

    def _by_role(self, role: str, before: int) -> tuple[speakers.Who, float]:
        """ "The minister said": the person named earlier with that role."""
        head = role.split()[-1].lower()
        holders: list[speakers.Who] = []
        for _, cand in reversed(self._before(before)):
            if (
                cand.role
                and head in cand.role.lower()
                and not _lesser(cand.role, role)
                and not any(speakers.same_person(cand.speaker, h.speaker) for h in holders)
            ):
                holders.append(cand)
        if len(holders) > 1:
            holders = speakers.fitting(holders, role)  # "the Navy Secretary", if one is
        if len(holders) != 1:
            # "Secretary John Doe met Navy Secretary Bill Roe": "the secretary" is either.
            return _NOBODY, 0.0
        return self._named(holders[0], 0.8)

    def _named(self, who: speakers.Who, conf: float) -> tuple[speakers.Who, float]:
        """A mention as a speaker: "President Trump" by the full name the body or the
        title gives that one Trump, else as written; two people with the name, nobody."""
        if " " in (who.speaker or ""):
            return speakers.Who(who.speaker, who.role, True), conf
        surname, how = who.speaker or "", who.role or ""
        full = self._full_name(surname, how)
        if full is None:
            full = self._full_name(surname, how, text=self._title)
        if full is None:
            return who, min(conf, 0.8)
        return (full, min(conf, 0.85)) if full.speaker else (_NOBODY, 0.0)

    def _pronoun(self, pronoun: str, before: int) -> tuple[speakers.Who, float]:
        """ "she said": the one person named since the last quote, else the last speaker.
        Two people named since ("Secretary Jane Doe toured the plant with Governor Bill
        Lee") and "she" fits only one of them by a gendered role, or it is left unsigned."""
        since: list[tuple[int, speakers.Who]] = []
        for end, w in self._before(before):
            if end >= self.last_at and not any(
                speakers.same_person(w.speaker, r.speaker) for _, r in since
            ):
                since.append((end, w))
        recent = [w for _, w in since]
        if len(recent) > 1:
            recent = speakers.fitting(recent, "Mrs" if pronoun == "she" else "Mr")
            if not recent:
                return _NOBODY, 0.0  # several named since, and "she" fits none of them
        if len(recent) == 1:
            named_at = next(end for end, w in since if w is recent[0])
            if self._someone_unnamed(before, recent[0]) or self._last_in_view(named_at, recent[0]):
                return _NOBODY, 0.0
            return self._named(recent[0], 0.75)
        if recent or self.last is None or self._someone_unnamed(before, self.last):
            return _NOBODY, 0.0
        return self.last, 0.8

    def _last_in_view(self, named_at: int, named: speakers.Who) -> bool:
        """The last speaker still the subject after their quote, before someone new is
        named (‘…,” Governor Hochul said. She thanked Senator Jane Roe. “…,” she said.’):
        "she" may be either of them. The sentence that signs the last quote is not read."""
        name = (named.speaker or "").rstrip(".")  # "said Governor Hochul." ends a sentence
        if self.last is None or speakers.same_person(name, self.last.speaker):
            return False
        after = self._body[self.last_at : named_at]
        parts = sentences.split(after)
        if parts and "\n" not in after[: parts[0].end] and _SPEECH_VERB.search(parts[0].text):
            if len(parts) == 1:
                return True  # named in that sentence (‘…,” she said, thanking Jane Roe.’)
            return _HE_SHE.search(after, parts[0].end) is not None
        return _HE_SHE.search(after) is not None

    def _someone_unnamed(self, before: int, named: speakers.Who) -> bool:
        """Since the last quote, someone met only by a role that is not ``named``'s ("Sean
        Hannity asked the President about the deal. “…,” he replied."): "he" may be
        either of them. "The First Lady" after "First Lady Melania Trump" is her again."""
        ends = [end for end, _ in self._mentions()]
        held = (named.role or "").lower()
        for m in _UNNAMED_ROLE.finditer(self._body, self.last_at, before):
            if m.group("role").lower() in held:
                continue
            # ", the Minister for Schools," right after a name is that person again.
            if not any(m.start() - 3 <= end <= m.start() for end in ends):
                return True
        # "He was joined by his wife, Jennifer.": someone the rules never name as a person.
        if _KIN.search(self._body, self.last_at, before) is not None:
            return True
        # "Opposition spokesman Tom Reed criticised it.": a person named after a role in
        # lower case, which no capitalised run takes for a title.
        for m in _LOWER_ROLE_NAME.finditer(self._body, self.last_at, before):
            if speakers.PERSON_ROLE.fullmatch(m.group("role")) and not speakers.same_person(
                m.group("name"), named.speaker
            ):
                return True
        return False

    def _mention_words(self) -> dict[str, list[list[str]]]:
        """The mentioned names' words, by first name: split once per article."""
        if self._words_by_first is None:
            self._words_by_first = {}
            for _, who in self._mentions():
                full = (who.speaker or "").split()
                if full:
                    self._words_by_first.setdefault(full[0], []).append(full)
        return self._words_by_first

    def _mentions(self) -> list[tuple[int, speakers.Who]]:
        if self._found is None:
            self._found, self._runs = _scan(self._body)
        return self._found

    def _before(self, before: int) -> list[tuple[int, speakers.Who]]:
        return [(end, who) for end, who in self._mentions() if end <= before]

    def _with_role(self, who: speakers.Who) -> speakers.Who:
        """A person quoted by name alone ("John O’Dowd said:") with the role the body
        gives them where it introduces them ("Infrastructure Minister John O’Dowd"); a
        bare title in the quote ("Minister") is completed the same way."""
        if not who.speaker or " " not in who.speaker:
            return who
        for _, other in self._mentions():
            if other.speaker == who.speaker and other.role:
                if who.role is None or _fuller_role(other.role, who.role):
                    return speakers.Who(who.speaker, other.role, True)
                break
        return who

    def _fullest(self, who: speakers.Who) -> speakers.Who:
        """The fullest way the body writes this person's name ("Donald Trump" is
        written "Donald J. Trump" elsewhere): same first name and surname, more between."""
        name = who.speaker or ""
        words = name.split()
        if len(words) < 2 or " and " in name:
            return who
        if name not in self._fullest_cache:
            best, most = name, len(words)
            # The titled mentions only: a name is written in full where it is introduced.
            for full in self._mention_words().get(words[0], ()):
                if len(full) > most and set(words) <= set(full):
                    best, most = " ".join(full), len(full)
            self._fullest_cache[name] = best
        best = self._fullest_cache[name]
        return who if best == name else speakers.Who(best, who.role, True)

    def _surnamed(self, surname: str, text: str | None) -> list[speakers.Who]:
        """Everyone named in full with this surname: the titled mentions first (they carry
        a role), then any other capitalised full name ("Ivanka Trump met …")."""
        if text is not None:
            return _surnamed(surname, *_scan(text))
        if surname not in self._surname_cache:  # once per article and surname
            mentions = self._mentions()  # reads the runs too
            self._surname_cache[surname] = _surnamed(surname, mentions, self._runs)
        return self._surname_cache[surname]

    def _full_name(
        self, surname: str, how: str | None = None, text: str | None = None
    ) -> speakers.Who | None:
        """The one person named in full in the body (or ``text``) with this surname
        ("Rubio" is "Marco Rubio"). Two people share it ("Governor Alice Smith" and
        "Secretary John Smith")? The role or honorific ``how`` the quote gives must tell
        them apart ("Governor Smith", "Mrs. Trump"), or it is ``_NOBODY``: the quote is
        left unsigned. None when no one is named in full with it."""
        people: list[speakers.Who] = []
        for who in self._surnamed(surname, text):
            name = who.speaker or ""
            same = [i for i, p in enumerate(people) if speakers.same_person(p.speaker, name)]
            if not same:
                people.append(who)
                continue
            known = people[same[0]]
            if how and speakers.contradicts(known, how) and not speakers.contradicts(who, how):
                # "Senator the Hon Anne Ruston", then "Minister for Families … Anne Ruston":
                # "Minister Ruston" is her, with the title the quote gives.
                people[same[0]] = speakers.Who(known.speaker, who.role, True)
                continue
            if len(name) > len(known.speaker or ""):
                people[same[0]] = speakers.Who(name, who.role or known.role, True)
            elif _fuller_role(who.role, known.role):
                # "Minister Kirsty McNeill", then "Scotland Office Minister Kirsty McNeill".
                people[same[0]] = speakers.Who(known.speaker, who.role, True)
        if len(people) > 1 and how:
            people = speakers.fitting(people, how)
            if not people:
                return _NOBODY
        if len(people) == 1 and how and speakers.contradicts(people[0], how):
            # "Governor Murphy" is not "First Lady Tammy Murphy", the one Murphy named in
            # full: nobody is named in full with that title.
            return None
        return people[0] if len(people) == 1 else (_NOBODY if people else None)


# A capitalised word (any script with case), and the small words that sit inside names
# and roles ("Secretary of State for", "de Souza").
# "U.S." and "D.C." are one word: a run naming a "U.S. Transportation Secretary" keeps its
# "U.".
_CAP = r"[^\W\d_a-zß-ÿ][\w’'\-\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff]*(?:\.[A-Z])*\.?"
_SMALL = r"(?:of|for|the|and|de|da|van|von|der|den|del|di|du|la|le|al|el|bin|ibn|ní|ó|mac|ap)"
_CAP_RUN = re.compile(rf"{_CAP}(?:[ \t]+(?:{_CAP}|{_SMALL}(?=[ \t])))*")
_CONNECTORS = frozenset({"of", "for", "the", "and"})


_APPOSITION = re.compile(
    # "Her deputy, Tom Reed, said the ward …": a name closing an apposition before its verb.
    rf"(?:,\s+(?:the|a|an|who)\b|,?\s+(?:{_VERBS})\b|,\s+[A-Z][\w-]+ (?:of|for)\b)"
)


def _names(text: str) -> list[tuple[int, speakers.Who]]:
    """People named in ``text`` (two words or more), with where each mention ends.

    Only a mention that reads as a person counts: after a title or role ("First Lady
    Melania Trump"), before an apposition (", the Minister …") or a speech verb. Two
    capitalised words alone ("the Future Together coalition") are not a person.
    """
    return _scan(text)[0]


def _scan(text: str) -> tuple[list[tuple[int, speakers.Who]], dict[str, list[str]]]:
    """:func:`_names`, and every capitalised run of two words or more by its last word
    (where a full name with a given surname may stand): one pass over the text."""
    found: list[tuple[int, speakers.Who]] = []
    runs: dict[str, list[str]] = {}
    for m in _CAP_RUN.finditer(text):
        if " " not in m.group(0):
            continue
        whole = m.group(0)
        if text.endswith(" to the ", 0, m.start()):
            aide = _AIDE_TO.search(text, max(0, m.start() - 40), m.start())
            if aide:
                # "Assistant to the Secretary for Rural Development Anne Hazlett" holds
                # the post "Assistant to the Secretary …", not the Secretary's.
                whole = aide.group(0) + whole
        for run, end in _sentence_pieces(whole, m.end()):
            for part, part_end in _people_joined(run, end):
                _scan_run(text, part, part_end, found, runs)
    return found, runs


def _people_joined(run: str, end: int) -> list[tuple[str, int]]:
    """ "Vice President Joe Biden and Transportation Secretary Ray LaHood": two people in
    one capitalised run, the first titled, each read on their own; any other run as it is
    ("Secretary of Health and Human Services Jane Roe" is one person)."""
    if " and " not in run:
        return [(run, end)]
    head, _, tail = run.rpartition(" and ")
    name, role = speakers.split_name(head)
    other, other_role = speakers.split_name(tail)
    # The first may be a title and a surname ("President Biden and First Lady Jill Biden").
    titled = bool(name and role and speakers.is_title(role.split()[-1]))
    if not (name and (" " in name or titled) and role and other and " " in other):
        return [(run, end)]
    if not speakers.PERSON_ROLE.search(role) or (
        other_role and not speakers.PERSON_ROLE.search(other_role)
    ):
        return [(run, end)]
    # "Secretary Alice Marsh and Ivy Marsh", "Police Captain Ryan Hale and Alonso Vivas":
    # the second person has no title of their own, and never takes the first one's.
    return [(head, end - len(tail) - len(" and ")), (tail, end)]


_AIDE_TO = re.compile(
    r"(?:(?:Special|Senior|Deputy|Principal|Chief) )?(?:Assistant|Adviser|Advisor|Counselor"
    r"|Counsellor|Aide|Secretary|Spokesperson) to the $"
)


def _sentence_pieces(run: str, end: int) -> list[tuple[str, int]]:
    """A capitalised run cut where a sentence ends inside it ("… Chancellor Gordon Brown.
    Mr Brown has …" is two runs): a full stop that ends a word, not an initial or an
    abbreviation ("Dr.", "J.", "Sen.")."""
    if ". " not in run:
        return [(run, end)]
    pieces: list[tuple[str, int]] = []
    begin = 0
    for stop in re.finditer(r"\.[ \t]+", run):
        if not is_abbreviation(run, stop.start()):
            pieces.append((run[begin : stop.start() + 1], end - len(run) + stop.start() + 1))
            begin = stop.end()
    pieces.append((run[begin:], end))
    return pieces


def _scan_run(
    text: str,
    run: str,
    end: int,
    found: list[tuple[int, speakers.Who]],
    runs: dict[str, list[str]],
) -> None:
    """One capitalised run of :func:`_scan`: filed by its last word, and a person when it
    reads as one."""
    if " " not in run:
        return
    if run.endswith(("’s", "'s")):
        run = run[:-2]  # "Mayor Sylvester Turner’s proposed budget": the Mayor is named
    elif run.endswith(".") and _SENTENCE_STOP.search(run):
        run, end = run[:-1], end - 1  # "… said Governor Hochul." ends the sentence
    runs.setdefault(run.rsplit(" ", 1)[1], []).append(run)
    words = run.split()
    while words and words[-1].lower() in _CONNECTORS:
        words.pop()
    if len(words) < 2:
        return
    after = _role_after(text, end, run) if text.startswith(", ", end) else None
    apposition = after is not None or _APPOSITION.match(text, end) is not None
    held = None
    if not any(speakers.is_title(w) for w in words[:-1]):
        held = _role_before(text, end - len(run))
        if held is None and not apposition:
            return  # the cheap test first: most capitalised runs name no one
    name, role = speakers.split_name(" ".join(words))
    if held is not None and name and " " in name and role is None:
        found.append((end, speakers.Who(name, held, True)))
        return
    if name and " " not in name and role and speakers.is_title(words[-2]):
        # "President Trump", "Secretary Rubio": someone a later "the President said" or
        # "he said" may mean, and who makes "he" ambiguous beside another person.
        found.append((end, speakers.Who(name, role, True)))
        return
    if not name or " " not in name:
        return
    titled = role is not None and speakers.is_title(role.split()[-1])
    # "Dr Sophie Bagge, Lived Experience Lead at the Trust, has …": only a person's name
    # follows an honorific, so a later "She said:" may mean her.
    honoured = speakers.is_honorific(words[0]) and len(words) >= 3
    if titled or apposition or honoured:
        found.append((end, speakers.Who(name, role or after, True)))


# A post written after a name and between commas ("Margie Rodriguez, Social Health
# Coordinator for the County’s Local Health Department, told the Court …").
_ROLE_AFTER = re.compile(r",\s+((?:the\s+)?[A-Za-z][^,;:.!?“”\"()]{2,90}?),\s")
_NOT_A_POST = frozenset(
    ["who", "which", "whose", "that", "when", "where", "while", "and", "but", "said", "says"]
)


def _role_after(text: str, end: int, run: str) -> str | None:
    """The post an apposition at ``end`` gives the name ``run`` ends with, as the rules
    read it; None for anything else (", who leads the team,", ", 45,")."""
    found = _ROLE_AFTER.match(text, end)
    if found is None:
        return None
    words = found.group(1).split()
    if words[0].lower() in _NOT_A_POST or not speakers.PERSON_ROLE.search(found.group(1)):
        return None
    who = speakers.parse(f"{run}, {found.group(1)}")
    return who.role if who.speaker and run.endswith(who.speaker) else None


# A full stop after a name word, not an initial ("J.") or "Jr.", "Sr.", "St.".
_SENTENCE_STOP = re.compile(r"(?<![ .][A-Z])(?<!\b[JS]r)(?<!\bSt)\.$")
_RUN_BEFORE_COMMA = re.compile(rf"(?:{_CAP_RUN.pattern}),\s$")


def _role_before(text: str, start: int) -> str | None:
    """The role written before a name and a comma ("Minister for Foreign Affairs, Simon
    Coveney T.D., has welcomed …"), if a titled one is there."""
    if not text.endswith(", ", 0, start):
        return None
    found = _RUN_BEFORE_COMMA.search(text, max(0, start - 80), start)
    if found is None:
        return None
    role = found.group(0)[:-2]
    first = role.split()[0]
    if first in ("The", "the"):
        role = role.split(" ", 1)[1] if " " in role else ""
        first = role.split()[0] if role else ""
    last = role.split()[-1] if role else ""
    if first.endswith(("’s", "'s")) and len(role.split()) > 1:
        # "Council’s Environmental Strategies Officer, Bill Larkin, said …": a body's
        # post, its title last.
        return role if speakers.is_title(last) and speakers.PERSON_ROLE.search(last) else None
    if not first or not speakers.is_title(first) or not speakers.PERSON_ROLE.search(first):
        return None
    return role


def find(body: str, title: str, blocks: Sequence[Block]) -> list[Quote]:
    """Every signed quote passage in article order; the others are left out."""
    return find_with_marks(body, title, blocks)[0]


def find_with_marks(
    body: str, title: str, blocks: Sequence[Block]
) -> tuple[list[Quote], list[tuple[int, int]]]:
    """The signed quotes, and every passage inside quote marks (signed or not): what the
    text puts in someone's mouth, which key figures must know."""
    marked = _marked(body, blocks)
    quotes = [_quote(p, body) for p in _passages(body, title, blocks, marked) if _signed(p, body)]
    return quotes, [(m.start, m.end) for m in marked]


def left_out(body: str, title: str, blocks: Sequence[Block]) -> list[tuple[str, str]]:
    """The attributed passages left out, each with why: for the article lint."""
    out: list[tuple[str, str]] = []
    passages = _passages(body, title, blocks)
    covered = [(s.start, s.end) for p in passages for s in p.segments]
    for m in _marked(body, blocks):
        text = body[m.start : m.end].strip()
        inside = any(a < m.end and m.start < b for a, b in covered)
        if not inside and len(text.split()) >= 8 and _is_speech(text, False) and not _titled(text):
            out.append((text, "nobody is named as saying it"))
    for p in passages:
        if not p.segments or _signed(p, body):
            continue
        text = join_segments(p.segments, body)
        if p.who.speaker is None:
            out.append((text, "no speaker the rules could name"))
        else:
            out.append((text, f"its speaker {p.who.speaker!r} is not in the body"))
    return out


def _titled(text: str) -> bool:
    """Most long words capitalised: the title of an Act, a report or a programme."""
    long = [w for w in _WORD.findall(text) if len(w) > 3]
    return bool(long) and sum(w[:1].isupper() for w in long) >= 0.7 * len(long)


def _signed(p: _Passage, body: str) -> bool:
    return bool(p.segments) and bool(p.who.speaker) and in_body(p.who.speaker or "", body)


def _quote(p: _Passage, body: str) -> Quote:
    return Quote(
        text=join_segments(p.segments, body),
        speaker=p.who.speaker,
        role=p.who.role,
        segments=tuple(p.segments),
        confidence=p.confidence,
    )


def _passages(
    body: str, title: str, blocks: Sequence[Block], marked: list[_Marked] | None = None
) -> list[_Passage]:
    return _Reader(body, title, blocks, marked).passages


class _Reader:
    """Reads the body's blocks in order into quote passages: GOV.UK lead-ins and the
    unmarked paragraphs under them, marked quotes with their attributions, quotes
    continued across paragraphs, and lists of bare quotes under a line naming who says
    them."""

    def __init__(
        self, body: str, title: str, blocks: Sequence[Block], marked: list[_Marked] | None
    ) -> None:
        self.body, self.blocks = body, blocks
        self.passages: list[_Passage] = []
        self.resolver = _Resolver(body, title)
        self.by_block: dict[int, list[_Marked]] = {}
        for m in _marked(body, blocks) if marked is None else marked:
            self.by_block.setdefault(m.block, []).append(m)
        self.lead_in: tuple[speakers.Who, float] | None = None
        # The heading or "X underscored …:" line over a list of bare quotes, read only
        # when such a list comes (most articles have none): the line and where it starts.
        self.list_lead: tuple[str, int] | None = None
        self.list_who: tuple[speakers.Who, float] | None = None
        # "Commissioner Jane Roe said the rain has …": reported speech in a paragraph of its
        # own, whose speaker says the bare quote paragraph right after it (the block index).
        self.reported: tuple[int, speakers.Who, float] | None = None
        # Quote paragraphs opened and never closed, nobody named yet: the words of whoever
        # the paragraph that closes the quote names (block index of the last, segments).
        self.open_run: tuple[int, list[Span]] | None = None
        for i, block in enumerate(blocks):
            self._block(i, block)

    def _block(self, i: int, block: Block) -> None:
        if block.kind is Kind.HEADING:
            self.list_lead, self.list_who = (block.text, block.start), None
        elif block.kind is Kind.PARAGRAPH:
            self.list_lead = self.list_who = None
        if block.kind in (Kind.SOURCES, Kind.BYLINE, Kind.HEADING):
            self.lead_in = None
            return
        spans = self.by_block.get(i, [])
        if self.lead_in is not None and block.kind is Kind.PARAGRAPH:
            if self._under_lead_in(i, block, spans, self.lead_in):
                return
            self.lead_in = None
        lead_phrase = (
            _lead_in_who(block.text) if not spans or spans[-1].close_end < block.end - 1 else None
        )
        if lead_phrase is None and not spans and block.kind is Kind.PARAGRAPH:
            # "Chancellor of the Exchequer Rachel Reeves:" on a line of its own, her words
            # below it without marks, as GOV.UK writes a speaker's words.
            line = block.text.rstrip()
            if line.endswith(":") and _name_line(line):
                lead_phrase = _undated_line(line).removesuffix(":")
        if spans:
            self._marked_spans(i, block, spans)
        elif (
            lead_phrase is None
            and block.kind is Kind.PARAGRAPH
            and self.by_block.get(i + 1)  # a quote comes next (most paragraphs: not)
        ):
            self._reported_speech(i, block)
        if block.kind is Kind.PARAGRAPH and block.text.rstrip().endswith(":"):
            self.list_lead = (block.text[-300:], block.start)
        self.lead_in = None
        if lead_phrase is not None:
            who, conf = self.resolver.resolve(lead_phrase, block.end)
            self.resolver.spoke(who, block.end)
            self.lead_in = (who, min(conf, 0.85)) if who.speaker else None

    def _under_lead_in(
        self, i: int, block: Block, spans: Sequence[_Marked], lead_in: tuple[speakers.Who, float]
    ) -> bool:
        """A paragraph under "X said:": the speaker's words, marked or not. True when the
        lead-in still holds for the next paragraph."""
        who, conf = lead_in
        line = block.text.rstrip()
        if not spans and line.endswith(":") and (_lead_in_who(line) or _name_line(line)):
            return False  # the next speaker's lead-in ("Los Angeles Mayor Jane Roe:")
        segs = _lead_in_segments(self.body, block, spans)
        prev = self.passages[-1] if self.passages else None
        continuing = prev is not None and prev.last_block == i - 1 and prev.who == who
        before = self.by_block.get(i - 1)
        if continuing and not spans and before and before[-1].closed:
            # The speaker's words came in marks, and the marks closed: a paragraph without
            # them is the release's own voice again ("Smoke alarms save lives. …" after
            # the watch manager's closing mark), not more of theirs.
            return False
        if not segs or (
            continuing and not _continues(block.text, spans) and not self._bridged(i, block)
        ):
            return False
        if continuing and prev is not None:
            prev.segments += segs
            prev.last_block = i
        else:
            self.passages.append(_Passage(segs, who, conf, i, True))
        return _lead_in_who(block.text) is None

    def _bridged(self, i: int, block: Block) -> bool:
        """An unmarked paragraph without "I" or "we" in a GOV.UK passage still continues
        it when the next paragraphs, before any heading, marks or attribution, come back
        to the first person ("There can be no doubt …" between two paragraphs of "we")."""
        if self.by_block.get(i) or _who_from_text(block.text) or _FROM_OUTSIDE.search(block.text):
            return False
        for j in range(i + 1, min(i + 3, len(self.blocks))):
            after = self.blocks[j]
            if (
                after.kind is not Kind.PARAGRAPH
                or self.by_block.get(j)
                or _who_from_text(after.text)
            ):
                return False
            if _FIRST_PERSON.search(after.text):
                return True
        return False

    def _marked_spans(self, i: int, block: Block, spans: Sequence[_Marked]) -> None:
        blocks, body = self.blocks, self.body
        prev_close = block.start
        current: _Passage | None = None
        # A quote paragraph with no attribution of its own, right after one, continues it.
        carried = (
            self.passages[-1] if self.passages and self.passages[-1].last_block == i - 1 else None
        )
        for m in spans:
            content = _trimmed(body, m.start, m.end)
            if content is not None and not m.closed:
                content = _cut_lead_in(body, content)
            if content is None:
                continue
            pieces = _unmarked(body, content)
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            preceding = blocks[i - 1] if i > 0 else None
            then = blocks[i + 2] if i + 2 < len(blocks) else None
            after = _who_after(body, m, block, following, then)
            # A line under the paragraph may sign it ("— Jane Roe"), but "X: “…" in the
            # paragraph itself says who it is, and the line heads what follows.
            below = after is not None and not body[m.close_end : block.end].strip()
            before = None
            if after is None or below:
                before = _who_before(body, m, block, prev_close, preceding)
            if below and before and not self.resolver.resolve(before, m.open_mark)[0].speaker:
                # "Quotes:" over the paragraph names no one; the "– Jane Roe" under it does.
                before = None
            phrase = (before or after) if below else (after or before)
            prev_close = m.close_end
            if not _is_speech(content.text, phrase is not None):
                continue
            if phrase is not None and _cited_headline(content.text, phrase):
                continue
            if phrase is None and (listed := self._listed(block, m)) is not None:
                # One list item that is all quote, under a line naming who says them.
                current = _Passage(pieces, listed[0], listed[1], i, True)
                self.passages.append(current)
                carried = None
                continue
            if phrase is not None:
                current = self._signed(i, block, m, pieces, phrase, current, carried)
            elif current is not None:
                current.segments += pieces
            elif carried is not None and m.open_mark == block.start:
                carried.segments += pieces
                carried.last_block = i
                current = carried
            elif m.open_mark == block.start and (reported := self._reported_at(i)):
                current = _Passage(pieces, reported[0], reported[1], i, True)
                self.passages.append(current)
            elif m.open_mark == block.start and not m.closed and len(spans) == 1:
                run = self.open_run
                joined = run[1] if run is not None and run[0] == i - 1 else []
                self.open_run = (i, joined + pieces)
            carried = None

    def _reported_speech(self, i: int, block: Block) -> None:
        """A paragraph whose last sentence reports someone's words without marks
        ("Commissioner Fitzsimmons said the drought …"): who a bare quote paragraph right
        after it is."""
        following = self.blocks[i + 1].text[:1] if i + 1 < len(self.blocks) else ""
        if following not in _OPENING_MARKS or _REPORTING.search(block.text) is None:
            return  # read only when a quote paragraph comes next (most paragraphs: not)
        found = _REPORTED.match(_last_sentence(block.text))
        if found is None or not speakers.looks_like_attribution(found.group("who")):
            return
        who, conf = self.resolver.resolve(found.group("who"), block.start)
        if who.speaker:
            self.resolver.spoke(who, block.end)
            self.reported = (i, who, min(conf, 0.75))

    def _reported_at(self, i: int) -> tuple[speakers.Who, float] | None:
        if self.reported is None or self.reported[0] != i - 1:
            return None
        return self.reported[1], self.reported[2]

    def _listed(self, block: Block, m: _Marked) -> tuple[speakers.Who, float] | None:
        """Who says a bare quote list item: the line over the list, read once."""
        if not _bare_item(self.body, block, m):
            return None
        if self.list_who is None and self.list_lead is not None:
            self.list_who = _list_lead(self.list_lead[0], self.resolver, self.list_lead[1])
            self.list_lead = None if self.list_who is None else self.list_lead
        return self.list_who

    def _signed(
        self,
        i: int,
        block: Block,
        m: _Marked,
        pieces: list[Span],
        phrase: str,
        current: _Passage | None,
        carried: _Passage | None,
    ) -> _Passage:
        """A quote with its attribution: a passage of its own, or the rest of the one it
        continues (the same speaker in the same paragraph, or in the paragraph before)."""
        who, conf = self.resolver.resolve(phrase, m.open_mark)
        self.resolver.spoke(who, m.close_end)
        run, self.open_run = self.open_run, None
        if run is not None and run[0] == i - 1 and m.open_mark == block.start:
            # ‘“Following wet weather …’ / ‘“Our volunteers …’ / ‘“This week …,”
            # Commissioner Fitzsimmons said.’: a quote over several paragraphs opens each
            # and closes only the last, where its speaker is named.
            pieces = run[1] + pieces
        if who.speaker is None:
            pass  # kept aside (with what continues it) so the lint can name it
        elif current is not None and current.who.speaker == who.speaker and current.last_block == i:
            current.segments += pieces
            return current
        elif (
            carried is not None
            and m.open_mark == block.start
            and carried.who.speaker == who.speaker
        ):
            carried.segments += pieces
            carried.last_block = i
            return carried
        passage = _Passage(pieces, who, conf, i, True)
        self.passages.append(passage)
        return passage


# Verbs that say a person spoke, for a heading or a line over a list of their words
# ("President Trump heralded the revival.", "Border Czar Tom Homan underscored …:").
_LIST_VERBS = re.compile(
    rf"(?:{_VERBS}|heralded|touted|underscored|laid out|addressed|celebrated|praised|outlined"
    r"|detailed|hailed|applauded|welcomed|thanked|honou?red|spoke|discussed|reminded"
    r"|made clear|slammed|blasted|condemned|critici[sz]ed|reacted|weighed in|delivered)\b"
)
# After a quote that makes up a list item: nothing, or a parenthesis such as "(Watch)".
_ITEM_TAIL = re.compile(r"[\s.]*(?:\([^()]{1,40}\))?[\s.]*")


def _list_lead(text: str, resolver: _Resolver, at: int) -> tuple[speakers.Who, float] | None:
    """The titled person a heading or a colon line presents as speaking, if any."""
    text = _last_sentence(text)
    if len(text) > 300:
        return None
    for m in _CAP_RUN.finditer(text):
        verb = _LIST_VERBS.match(text, m.end() + 1)
        if verb is None or text[m.end() : m.end() + 1] != " ":
            continue
        name, role = speakers.split_name(m.group(0))
        if not role and not (name is None and speakers.PERSON_ROLE.search(m.group(0))):
            # Only someone the line presents with a title or a role ("Border Czar Tom
            # Homan"), or a role alone that names a person met before ("The Minister").
            return None
        who, conf = resolver.resolve(m.group(0), at)
        return (who, min(conf, 0.8)) if who.named and who.speaker else None
    return None


def _bare_item(body: str, block: Block, m: _Marked) -> bool:
    """A list item that is one quote and nothing else."""
    return (
        block.kind is Kind.ITEM
        and m.closed
        and not body[block.start : m.open_mark].strip()
        and _ITEM_TAIL.fullmatch(body, m.close_end, block.end) is not None
    )


_BLOCKQUOTE_MARK = re.compile(r"\s>\s")


def _unmarked(body: str, content: Span) -> list[Span]:
    """A quote's text in parts around the "> " a blockquote leaves when its lines were
    joined, so the marker is never quoted and every part still indexes the body."""
    if ">" not in content.text:
        return [content]
    parts: list[Span] = []
    start = content.start
    for m in _BLOCKQUOTE_MARK.finditer(content.text):
        piece = _trimmed(body, start, content.start + m.start())
        if piece is not None:
            parts.append(piece)
        start = content.start + m.end()
    last = _trimmed(body, start, content.end)
    return [*parts, *([last] if last is not None else [])]


def in_body(speaker: str, body: str) -> bool:
    """A speaker the body never writes is not a speaker (joint speakers: each of them)."""
    return all(part in body for part in speaker.split(" and "))


def join_segments(segments: Sequence[Span], body: str = "") -> str:
    """The parts of a quote as one text: "This is good,” she said. “It works." is
    "This is good. It works." (the split's comma becomes a full stop before a new sentence).
    With the ``body``, a comma written after the closing mark counts too ("… completely”,
    says X. “Water use …" is "… completely. Water use …")."""
    out = ""
    previous: Span | None = None
    for seg in segments:
        text = seg.text
        if out:
            if out.endswith(",") and text[:1].isupper():
                out = out[:-1] + "."
            elif (
                previous is not None
                and text[:1].isupper()
                and _COMMA_OUTSIDE.match(body, previous.end)
                and not out.endswith((".", "!", "?", "…", ";", ":"))
            ):
                out += "."
            out += " "
        out += text
        previous = seg
    return out


# A closing mark with the split's comma after it: "completely”, says X."
_COMMA_OUTSIDE = re.compile(r"[”\"’']{1,2},")


_EMBEDDED_LEAD_IN = re.compile(
    rf"(?:^|(?<=[.!?…]))\s+[^.!?…]{{2,200}}?\b(?:{_VERBS})(?:\s+[^.!?…:]{{0,80}})?:\s*$",
    re.IGNORECASE,
)


def _cut_lead_in(body: str, content: Span) -> Span | None:
    """An unclosed quote never runs into the next speaker's lead-in ("… X said:")."""
    found = _EMBEDDED_LEAD_IN.search(content.text)
    if found is None:
        return content
    return _trimmed(body, content.start, content.start + found.start())


_SPOKEN_OPENING = re.compile(
    r"^(?:This|That|These|Those|It|It’s|It's|And|But|So|Today|Now|Together|Whether|Only|Every)\b"
)


def _continues(text: str, spans: Sequence[_Marked]) -> bool:
    """Is a paragraph after a quoted one still the speaker's words? One that speaks of
    the government or the department from outside ("These measures come on the back of
    …, and the government’s commitment …") is the release's narrative again."""
    if spans:
        return True
    if _REPORTS_FINDINGS.match(text) and not _SPEAKERS_OWN.search(text):
        # "The latest figures show that … your age …": the release reporting data, though
        # it speaks to the reader.
        return False
    if _FIRST_PERSON.search(text):
        return True
    return (
        bool(_SPOKEN_OPENING.match(text))
        and not _who_from_text(text)
        and not _FROM_OUTSIDE.search(text)
    )


_REPORTS_FINDINGS = re.compile(
    r"(?:The |New |Latest |Official )?(?:latest |new |official )?(?:figures|data|statistics"
    r"|research|survey|report|analysis|findings|study)\b[^.]{0,80}?\b(?:show|shows|showed|found"
    r"|finds|reveal|reveals|revealed|suggest|suggests)\b",
    re.IGNORECASE,
)
_SPEAKERS_OWN = re.compile(r"\b(?:I|I'm|I’m|we|we're|we’re|our|us|my|me)\b", re.IGNORECASE)
_FROM_OUTSIDE = re.compile(
    r"\b(?:the|The) (?:[Gg]overnment|[Dd]epartment|[Mm]inister|[Ss]ecretary of State|[Cc]ouncil)"
    r"(?:[’']s)?\b"
)


def _lead_in_segments(body: str, block: Block, spans: Sequence[_Marked]) -> list[Span]:
    if spans and spans[0].open_mark == block.start:
        segs = [_trimmed(body, s.start, s.end) for s in spans]
        return [s for s in segs if s is not None]
    if _MARK_D.search(block.text) and _who_from_text(block.text):
        return []
    end = block.end
    text = block.text.rstrip()
    if text.endswith(("”", '"')) and not any(mark in text[:-1] for mark in '“"'):
        # The passage's last paragraph closes a mark it never opened (the page lost the
        # opening one): the mark is not part of the words.
        end = block.start + len(text) - 1
    seg = _trimmed(body, block.start, end)
    return [seg] if seg is not None else []


# Searched in lower case: a case-blind scan of this many words is several times slower.
_SPEECH_VERB = re.compile(rf"\b(?:{_VERBS})\b")
_HE_SHE = re.compile(r"\b(?:[Hh]e|[Ss]he|[Hh]is|[Hh]er|[Hh]im|[Hh]imself|[Hh]erself)\b")


def _who_from_text(text: str) -> bool:
    return _SPEECH_VERB.search(text.lower()) is not None


def quoted_ranges(quotes: Sequence[Quote]) -> list[tuple[int, int]]:
    return [(s.start, s.end) for q in quotes for s in q.segments]


_PRINCIPAL_ROLE = re.compile(
    r"minister|secretary|chancellor|prime|spokes|chief executive|commissioner|mayor", re.I
)


_LEADING_ROLE = re.compile(r"Minister|Secretary|Chancellor|Prime|Spokes|spokes")


# A page collecting others' words ("WHAT THEY ARE SAYING: …", "ICYMI: …"): no one
# leads it, so its first quote is its main one.
_ROUNDUP_PAGE = re.compile(
    r"^(?:WHAT THEY(?:’|')?RE SAYING|WHAT THEY ARE SAYING|ICYMI|IN CASE YOU MISSED IT)\b",
    re.IGNORECASE,
)


# A quote that opens by pointing at what the release said before it.
_LEANS_BACK = re.compile(r"(?:Each|Both|These|Those|Such|Another|Also|Additionally|In addition)\b")


def main_quote(quotes: Sequence[Quote], title: str, lede: str) -> int | None:
    """Which quote leads: the first by the principal speaker, else the first; on a page
    of reactions, the first."""
    if not quotes:
        return None
    if _ROUNDUP_PAGE.search(title):
        return 0
    head = f"{title}\n{lede}"
    for i, q in enumerate(quotes):
        if q.speaker and q.speaker.split()[-1] in head and q.speaker[0].isupper():
            # "Each aligns to the fund's criteria …" leans on the sentence before it; the
            # same speaker's next quote, if one stands alone, leads instead.
            if _LEANS_BACK.match(q.text):
                later = next(
                    (
                        j
                        for j in range(i + 1, len(quotes))
                        if quotes[j].speaker == q.speaker and not _LEANS_BACK.match(quotes[j].text)
                    ),
                    None,
                )
                return i if later is None else later
            return i
    for pattern in (_LEADING_ROLE, _PRINCIPAL_ROLE):
        for i, q in enumerate(quotes):
            if pattern.search(f"{q.role or ''} {q.speaker or ''}"):
                return i
    return 0

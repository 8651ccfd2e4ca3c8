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

from distributor.extract import speakers
from distributor.extract.blocks import Block, Kind
from distributor.models import Quote, Span

_VERBS = (
    r"said|says|say|added|adds|explained|explains|continued|continues|stated|states|commented"
    r"|comments|told|tells|warned|warns|insisted|insists|argued|argues|noted|notes|declared"
    r"|announced|confirmed|confirms|acknowledged|admitted|remarked|replied|urged|urges"
    r"|concluded|stressed|stresses|emphasised|emphasises|emphasized|highlighted|wrote|writes"
    r"|recalled|recalls|believes|predicted|promised|pledged|vowed|described|reflected"
    r"|asked|asks|wrote|joked|cautioned|pointed out|put it"
)
_OPEN_D = ("“", '"', "«", "„", "&ldquo;", "&quot;", "&#8220;", "&laquo;", "&#34;")
_CLOSE_D = ("”", '"', "»", "“", "&rdquo;", "&quot;", "&#8221;", "&raquo;", "&#34;")
_MARK_D = re.compile(r"&ldquo;|&rdquo;|&quot;|&#8220;|&#8221;|&#34;|&laquo;|&raquo;|[“”\"«»„]")
_MARK_S = re.compile(r"&lsquo;|&rsquo;|&#8216;|&#8217;|[‘’']")
_PAIRS = {"„": ("“", "”"), "«": ("»",), "“": ("”",), '"': ('"',)}

_AFTER_WHO_VERB = re.compile(
    rf"^[\s,.!?;:]*(?P<who>[^.“”\"!?;:]{{1,140}}?)\s+(?:has\s+|had\s+|also\s+|then\s+)?(?:{_VERBS})\b",
    re.IGNORECASE,
)
_AFTER_VERB_WHO = re.compile(
    rf"^[\s,.!?;:]*(?:{_VERBS})\s+(?P<who>[^“”\"]{{1,160}}?)(?=[.;!?](?:\s|$)|\s*[“\"]|$)",
    re.IGNORECASE,
)
_AFTER_DASH = re.compile(r"^[\s,.]*[-–—]\s*(?P<who>[^“”\"]{2,120}?)\s*[.]?$")
_BEFORE_WHO_VERB = re.compile(
    rf"(?P<who>[^.“”\"!?:]{{1,160}}?)\s+(?:has\s+|had\s+|also\s+|then\s+)?(?P<verb>{_VERBS})\b"
    r"(?P<rest>[^.“”\"!?:]{0,120}?)[,:]\s*$",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    rf"^(?P<who>.{{2,200}}?)\s+(?:has\s+|also\s+)?(?:{_VERBS})(?:\s+[^:]{{0,80}})?:\s*$",
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
        found.append(_Marked(index, start, block.end, mark_at, block.end))
    return found


def _norm_mark(mark: str) -> str:
    return {
        "&ldquo;": "“",
        "&#8220;": "“",
        "&rdquo;": "”",
        "&#8221;": "”",
        "&quot;": '"',
        "&#34;": '"',
        "&laquo;": "«",
        "&raquo;": "»",
    }.get(mark, mark)


def _single_spans(body: str, block: Block, index: int) -> list[_Marked]:
    """Quotes in single marks, telling them from apostrophes by what surrounds them."""
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
    return Span(body[start:end], start, end)


def _is_speech(text: str, attributed_after: bool) -> bool:
    """Does the marked text read like someone's words rather than a term or a title?"""
    words = _WORD.findall(text)
    if not words:
        return False
    if text.rstrip()[-1:] in ".,!?…" or len(words) >= 6:
        return True
    return attributed_after and len(words) >= 3 and not all(w[:1].isupper() for w in words)


def _who_after(body: str, m: _Marked, block: Block) -> str | None:
    rest = body[m.close_end : min(block.end, m.close_end + 400)]
    nxt = _MARK_D.search(rest)
    window = rest[: nxt.start()] if nxt else rest
    for pattern in (_AFTER_WHO_VERB, _AFTER_VERB_WHO, _AFTER_DASH):
        found = pattern.match(window)
        if found and speakers.looks_like_attribution(found.group("who")):
            return found.group("who")
    return None


def _who_before(body: str, m: _Marked, block: Block, prev_close: int) -> str | None:
    # An attribution sits close to its quote; a bounded window keeps huge paragraphs linear.
    lead = body[max(block.start, prev_close, m.open_mark - 400) : m.open_mark]
    found = _BEFORE_WHO_VERB.search(lead)
    if found and speakers.looks_like_attribution(found.group("who")):
        return found.group("who")
    if lead.rstrip().endswith(":"):
        sentence = re.split(r"(?<=[.!?])\s+", lead.rstrip()[:-1])[-1]
        subject = _subject(sentence)
        if subject:
            return subject
    return None


def _subject(sentence: str) -> str | None:
    """The named subject opening a sentence ("Education Secretary Jane Doe emphasised…")."""
    tokens = sentence.split()
    taken: list[str] = []
    for tok in tokens:
        word = tok.strip(",")
        if word[:1].isupper() or (word.lower() in ("of", "for", "the", "and") and taken):
            taken.append(tok)
            if tok.endswith(",") and len(taken) > 1 and not word.lower().endswith("minister"):
                continue
        else:
            break
    phrase = " ".join(taken).strip(" ,")
    if not phrase or not speakers.looks_like_attribution(phrase):
        return None
    return phrase


def _lead_in_who(text: str) -> str | None:
    """A GOV.UK lead-in line ("The Minister for Schools, Jane Doe, said:") and its speaker."""
    if not text.rstrip().endswith(":") or len(text) > 260:
        return None
    found = _LEAD_IN.match(text.strip())
    if not found:
        return None
    who = found.group("who")
    return who if speakers.looks_like_attribution(who) else None


class _Resolver:
    """Names a pronoun or a bare role from who spoke last or who was named before."""

    def __init__(self, body: str, title: str) -> None:
        self.last: speakers.Who | None = None
        self.last_at = 0
        self._title = title
        self._body = body
        self._found: tuple[list[speakers.Who], list[tuple[int, speakers.Who]]] | None = None

    def spoke(self, who: speakers.Who, at: int) -> None:
        self.last, self.last_at = who, at

    def resolve(self, phrase: str, before: int) -> tuple[speakers.Who, float]:
        who = speakers.parse(phrase)
        if who.named and who.speaker and " " not in who.speaker and who.role is None:
            full = self._full_name(who.speaker, before)
            if full:
                return full, 0.85
        if who.named:
            return who, 0.9
        if who.role:
            # "The minister said": the person named earlier with that role.
            head = who.role.split()[-1].lower()
            for cand in reversed(self._mentions()[0] + self._before(before)):
                if cand.role and head in cand.role.lower():
                    return speakers.Who(cand.speaker, cand.role, True), 0.8
        # "she said": whoever was named since the last quote, else the last speaker.
        recent = [w for end, w in self._mentions()[1] if self.last_at <= end <= before]
        if recent:
            return recent[-1], 0.75
        if self.last is not None and self.last.speaker:
            role = who.role or self.last.role
            return speakers.Who(self.last.speaker, role, True), 0.8
        named = self._last_named(before)
        if named is not None:
            return named, 0.7
        if who.role:
            return speakers.Who(who.role, None, False), 0.5
        return speakers.Who(None, None, False), 0.35

    def _mentions(self) -> tuple[list[speakers.Who], list[tuple[int, speakers.Who]]]:
        if self._found is None:
            self._found = ([who for _, who in _names(self._title)], _names(self._body))
        return self._found

    def _before(self, before: int) -> list[speakers.Who]:
        return [who for end, who in self._mentions()[1] if end <= before]

    def _full_name(self, surname: str, before: int) -> speakers.Who | None:
        """The fullest earlier mention ending in this surname ("Ms Reed" is "Steve Reed")."""
        pattern = re.compile(rf"(?<![\w’'-]){re.escape(surname)}(?![\w’'-])")
        for text in (self._body[:before], self._title):
            for m in reversed(list(pattern.finditer(text))):
                window = text[max(0, m.start() - 80) : m.end()]
                piece = re.split(r"[,;:()“”\"\n]|(?<=[a-z])\s+(?=[a-z])", window)[-1]
                name, role = speakers.split_name(piece.strip())
                if name and " " in name and name.split()[-1] == surname:
                    return speakers.Who(name, role, True)
        return None

    def _last_named(self, before: int) -> speakers.Who | None:
        names = self._before(before) or self._mentions()[0]
        return names[-1] if names else None


_TOKENS = re.compile(r"\S+")
_CONNECTORS = frozenset({"of", "for", "the", "and"})


def _names(text: str) -> list[tuple[int, speakers.Who]]:
    """People named in ``text`` (two words or more), with where each mention ends.

    One pass over the words: runs of capitalised words (and the small words inside
    roles, "Secretary of State for") are read by :func:`speakers.split_name`.
    """
    found: list[tuple[int, speakers.Who]] = []
    run: list[str] = []
    run_end = 0

    def flush() -> None:
        while run and run[-1].lower() in _CONNECTORS:
            run.pop()
        if len(run) >= 2:
            name, role = speakers.split_name(" ".join(run))
            if name and " " in name and name.split()[0].lower() not in ("the", "a", "an"):
                found.append((run_end, speakers.Who(name, role, True)))
        run.clear()

    for m in _TOKENS.finditer(text):
        tok = m.group(0)
        word = tok.strip("()[]\"'“”‘’.,;:!?")
        if word and (
            word[0].isupper()
            or (run and word.lower() in _CONNECTORS)
            or word.lower() in speakers.PARTICLES
        ):
            run.append(word)
            run_end = m.start() + len(tok.rstrip(".,;:!?\"'”’)"))
            if tok[-1:] in ".,;:!?":
                flush()
        elif run:
            flush()
    flush()
    return found


def find(body: str, title: str, blocks: Sequence[Block]) -> list[Quote]:
    """Every quote passage in article order."""
    passages: list[_Passage] = []
    resolver = _Resolver(body, title)
    marked = _marked(body, blocks)
    by_block: dict[int, list[_Marked]] = {}
    for m in marked:
        by_block.setdefault(m.block, []).append(m)

    lead_in: tuple[speakers.Who, float] | None = None
    for i, block in enumerate(blocks):
        if block.kind in (Kind.SOURCES, Kind.BYLINE):
            lead_in = None
            continue
        if block.kind is Kind.HEADING:
            lead_in = None
            continue
        spans = by_block.get(i, [])
        if lead_in is not None and block.kind in (Kind.PARAGRAPH, Kind.ITEM):
            who, conf = lead_in
            segs = _lead_in_segments(body, block, spans)
            prev = passages[-1] if passages else None
            continuing = prev is not None and prev.last_block == i - 1 and prev.who == who
            if segs and (not continuing or _continues(block.text, spans)):
                if continuing and prev is not None:
                    prev.segments += segs
                    prev.last_block = i
                else:
                    passages.append(_Passage(segs, who, conf, i, True))
                if _lead_in_who(block.text) is None:
                    continue
            lead_in = None
        lead_phrase = (
            _lead_in_who(block.text) if not spans or spans[-1].close_end < block.end - 1 else None
        )
        prev_close = block.start
        current: _Passage | None = None
        for m in spans:
            content = _trimmed(body, m.start, m.end)
            if content is None:
                continue
            after = _who_after(body, m, block)
            before = None if after else _who_before(body, m, block, prev_close)
            phrase = after or before
            explicit = phrase is not None
            if not _is_speech(content.text, explicit):
                prev_close = m.close_end
                continue
            if phrase is not None:
                who, conf = resolver.resolve(phrase, m.open_mark)
                resolver.spoke(who, m.close_end)
                if (
                    current is not None
                    and current.who.speaker == who.speaker
                    and current.last_block == i
                ):
                    current.segments.append(content)
                elif _joins_previous(passages, i, m, block, who, phrase):
                    passages[-1].segments.append(content)
                    passages[-1].last_block = i
                    current = passages[-1]
                else:
                    current = _Passage([content], who, conf, i, True)
                    passages.append(current)
            elif current is not None:
                current.segments.append(content)
            elif passages and passages[-1].last_block == i - 1 and m.open_mark == block.start:
                passages[-1].segments.append(content)
                passages[-1].last_block = i
                current = passages[-1]
            prev_close = m.close_end
        if lead_phrase is not None:
            who, conf = resolver.resolve(lead_phrase, block.end)
            resolver.spoke(who, block.end)
            lead_in = (who, min(conf, 0.85))
        else:
            lead_in = None
    return [
        Quote(
            text=" ".join(s.text for s in p.segments),
            speaker=p.who.speaker,
            role=p.who.role,
            segments=tuple(p.segments),
            confidence=p.confidence,
        )
        for p in passages
        if p.segments
    ]


def _joins_previous(
    passages: list[_Passage], i: int, m: _Marked, block: Block, who: speakers.Who, phrase: str
) -> bool:
    """A quote paragraph right after one by the same speaker continues that passage."""
    if not passages or m.open_mark != block.start:
        return False
    prev = passages[-1]
    if prev.last_block != i - 1:
        return False
    pronoun = phrase.strip().lower() in speakers.PRONOUNS
    return pronoun or (who.speaker is not None and who.speaker == prev.who.speaker)


_SPOKEN_OPENING = re.compile(
    r"^(?:This|That|These|Those|It|It’s|It's|And|But|So|Today|Now|Together|Whether|Only|Every)\b"
)


def _continues(text: str, spans: Sequence[_Marked]) -> bool:
    """Is a paragraph after a quoted one still the speaker's words?"""
    if spans or _FIRST_PERSON.search(text):
        return True
    return bool(_SPOKEN_OPENING.match(text)) and not _who_from_text(text)


def _lead_in_segments(body: str, block: Block, spans: Sequence[_Marked]) -> list[Span]:
    if spans and spans[0].open_mark == block.start:
        segs = [_trimmed(body, s.start, s.end) for s in spans]
        return [s for s in segs if s is not None]
    if _MARK_D.search(block.text) and _who_from_text(block.text):
        return []
    seg = _trimmed(body, block.start, block.end)
    return [seg] if seg is not None else []


def _who_from_text(text: str) -> bool:
    return bool(re.search(rf"\b(?:{_VERBS})\b", text, re.IGNORECASE))


def quoted_ranges(quotes: Sequence[Quote]) -> list[tuple[int, int]]:
    return [(s.start, s.end) for q in quotes for s in q.segments]


_PRINCIPAL_ROLE = re.compile(
    r"minister|secretary|chancellor|prime|spokes|chief executive|commissioner|mayor", re.I
)


_LEADING_ROLE = re.compile(r"Minister|Secretary|Chancellor|Prime|Spokes|spokes")


def main_quote(quotes: Sequence[Quote], title: str, lede: str) -> int | None:
    """Which quote leads: the first by the principal speaker, else the first."""
    if not quotes:
        return None
    head = f"{title}\n{lede}"
    for i, q in enumerate(quotes):
        if q.speaker and q.speaker.split()[-1] in head and q.speaker[0].isupper():
            return i
    for pattern in (_LEADING_ROLE, _PRINCIPAL_ROLE):
        for i, q in enumerate(quotes):
            if pattern.search(f"{q.role or ''} {q.speaker or ''}"):
                return i
    return 0

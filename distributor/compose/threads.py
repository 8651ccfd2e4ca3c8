"""Social threads and the roundup post, within each network's own length rules.

A story's thread: the headline and link; then its key figures, one per line; then the
main quote with its speaker and role. Every word comes from the article: figures and
quotes the extraction is unsure of are left out, a quote too long for two posts keeps its
leading sentences and ends with an ellipsis, and nothing is reworded.

Article text is untrusted: :func:`social_text` strips control and direction characters
and neutralises ``@mentions``, ``#hashtags``, ``$cashtags`` and bare domains so that an
article can never notify an account, join a tag or gain a link on the publisher's behalf.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import regex

from distributor.compose.facts import (
    TITLE_HEAD,
    Beside,
    adds_to,
    as_posted,
    asserts_guilt,
    figures_signed_by,
    finishes_a_lead_in,
    fresh_figures,
    in_marks,
    in_own_voice,
    leans_on_a_name,
    numbers_given,
    praises,
    says_again,
    signature,
    stands_alone,
    summary_quoted,
    surest,
    title_head,
)
from distributor.compose.safe import safe_url
from distributor.models import Post, Roundup, RoundupItem, Story, Thread
from distributor.payloads import PostPayload
from distributor.settings import Settings, SocialSettings
from distributor.text import (
    ELLIPSIS,
    LengthRule,
    first_sentence,
    mention_points,
    sentence_parts,
    sentences,
    shorten,
    split_text,
    tag_points,
    url_spans,
)

# Keep newlines (they separate figures) and what emoji need (joiners, the tag
# characters of subdivision flags); drop other controls, format characters that can
# reorder or hide text (bidi overrides, BOM), and unassigned/noncharacters.
_DROP = regex.compile(
    r"[[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]--[\n\u200c\u200d\U000E0020-\U000E007F]]", regex.V1
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# @user, #tag and $TAG become inert when a zero-width space follows the sign: no network
# links them, and the text reads the same.
# Mentions, hashtags and cashtags are found exactly as twitter-text finds them.
NEUTRAL = "\u200b"
_SIGNS = re.compile("[@＠#＃$]")
_PROTOCOL = re.compile(r"https?://", re.IGNORECASE)
_HOST = re.compile(r"[^/?#:]*")
# Printable text that needs no cleaning: Latin, Cyrillic, general punctuation, currency.
_ONE_LINE = re.compile(
    "[\x20-\x7e\xa1-\xac\xae-\u02ff\u0400-\u0482\u2010-\u2027\u2030-\u205e\u20a0-\u20bf]*"
)


def _inert_domains(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A zero-width space after each dot of a bare domain's host ("refunds.example.com"):
    X would link it, but the article only wrote it as text. Links written with a protocol
    stay links; the text reads the same. Returns the text and where its links are."""
    spans = url_spans(text)
    bare = [(a, b) for a, b in spans if not _PROTOCOL.match(text, a)]
    if not bare:
        return text, spans
    for start, end in reversed(bare):
        host_end = start + len(_HOST.match(text, start, end).group())  # type: ignore[union-attr]
        host = text[start:host_end].replace(".", "." + NEUTRAL)
        text = text[:start] + host + text[host_end:]
    return text, url_spans(text)


def social_text(value: str) -> str:
    """Untrusted article text made safe for a post."""
    if _ONE_LINE.fullmatch(value):
        # The common case: one line of printable text, nothing to drop.
        text = value.strip(" ")
        if "  " in text:
            text = _SPACES.sub(" ", text)
    else:
        text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
        text = _SPACES.sub(" ", _DROP.sub("", text))
        text = "\n".join(line.strip() for line in text.split("\n")).strip()
    spans = None
    if "." in text:
        text, spans = _inert_domains(text)
    if not _SIGNS.search(text):
        return text
    if spans is None:
        spans = url_spans(text)
    # A zero-width space after the sign of each mention, hashtag and cashtag that
    # twitter-text would link (outside links): the text reads the same and links nothing.
    points = sorted(
        {p for p in mention_points(text) if not any(a < p < b for a, b in spans)}
        | set(tag_points(text, spans))
    )
    if not points:
        return text
    pieces = [text[a:b] for a, b in itertools.pairwise([0, *points, len(text)])]
    return NEUTRAL.join(pieces).strip()


@dataclass(frozen=True)
class Origin:
    """Where a piece of a thread came from in the article body (for the preview)."""

    kind: str
    text: str
    start: int
    end: int
    line: int
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "confidence": self.confidence,
        }


@dataclass
class ThreadPlan:
    """The day's threads for one network, and the stories the budget sent to the roundup."""

    network: str
    threads: list[Thread] = field(default_factory=list)
    to_roundup: list[Story] = field(default_factory=list)
    budget_used: int = 0
    budget_left: int | None = None


def _numbering_reserve(rule: LengthRule, social: SocialSettings, count: int) -> int:
    if not social.numbering:
        return 0
    return rule.length(f" ({count}/{count})")


def _number(posts: list[str], social: SocialSettings) -> list[str]:
    if not social.numbering or len(posts) < 2:
        return posts
    n = len(posts)
    return [f"{p} ({i}/{n})" for i, p in enumerate(posts, 1)]


def _figure_posts(
    lines: list[tuple[str, str]], story: Story, rule: LengthRule, reserve: int
) -> tuple[list[str], list[int]]:
    """The figure posts from (sentence, value) pairs. A statement's figures are its
    issuer's words: each post opens with who says them ("President Joe Biden:") and each
    figure stands in its own quote marks. A sentence too long for a post is cut before a
    trailing clause when what is left still carries its number, else left out; with the
    posts, which of ``lines`` they hold."""
    by = figures_signed_by(story)
    lead = social_text(by[:1].upper() + by[1:]).replace("\n", " ") + ":" if by else ""
    room = reserve + (rule.length(lead + "\n") if by else 0)

    def posted(text: str) -> str:
        return in_marks(text) if by else text

    kept, held = [], []
    for i, (line, value) in enumerate(lines):
        if not rule.fits(posted(line), room):
            line = clause_cut(line, value, lambda t: rule.fits(posted(t), room)) or ""
        if line:
            kept.append(posted(line))
            held.append(i)
    packed = _pack_lines(kept, rule, room)
    return ([f"{lead}\n{post}" for post in packed] if by else packed), held


# Where a figure sentence can stop early: before a trailing participle (", allowing …"),
# a relative or added clause (", which …", ", including …", ", while …"), a dash or a
# semicolon. What is cut is marked "…".
_CLAUSE = re.compile(
    r",\s+(?=[a-z]+ing\b|which\b|while\b|including\b|as well as\b|and\b|but\b|with\b|as part of\b"
    r"|bringing\b|so that\b|where\b|whose\b)|\s+[—–]\s+|;\s+"
    # "(see table below for details)": a pointer into the page, nothing a post can show.
    r"|\s+\((?=see\b)"
)
MIN_CUT_WORDS = 8
# A word in "-ing" that is an item of a list, not a clause: "staffing, cleaning and …".
_LISTED_ING = re.compile(r"[a-z]+ing(?:,| and | or )")
_DASH_PAIR = re.compile(r"\s+[—–]\s+")


# Where someone's words may stop without saying something else: before an added clause
# (", and …", ", which …", ", including …", ", before next steps are discussed …"), an
# aside or a semicolon; never before ", but …", ", while …" or ", unless …", whose loss
# can turn the sentence round.
_QUOTE_CLAUSE = re.compile(
    r",\s+(?=which\b|including\b|as well as\b|and\b|before\b|after\b)|\s+[—–]\s+|;\s+"
)


def clause_cut(
    text: str, value: str, fits: Callable[[str], bool], clauses: re.Pattern[str] = _CLAUSE
) -> str | None:
    """The longest head of ``text`` ending before a clause that ``fits`` and still holds
    ``value``, with "…" for what was cut; None when there is none."""
    for m in reversed(list(clauses.finditer(text))):
        head = text[: m.start()].rstrip(" ,;:—–-")
        if len(head.split()) < MIN_CUT_WORDS or (value and value not in head):
            continue
        if _DASH_PAIR.match(text, m.start()) and (
            _DASH_PAIR.search(text, m.end()) or len(_DASH_PAIR.findall(text, 0, m.start())) % 2
        ):
            # A dash with another after it opens or closes an aside ("The eleven attachés
            # – in Canada, … – work to …"): cut there, the subject would lose its verb.
            continue
        part = head.rsplit(",", 1)[-1] if "," in head else ""
        listed = bool(part) and (len(part.split()) <= 4 or _named(part))
        if (text.startswith(("and ", "or "), m.end()) and listed) or _LISTED_ING.match(
            text, m.end()
        ):
            # ", and" ending a list ("from wildfires, storms, and other disasters", "the
            # State Attorney, the Office of the Tax Collector, and the Department …
            # announce"), or an item in "-ing" inside one ("such as maintenance, staffing,
            # cleaning and …"): cut there, the list would stop half-way.
            continue
        if fits(head + ELLIPSIS):
            return head + ELLIPSIS
    return None


def _named(part: str) -> bool:
    """Is this comma part a name ("the Miami-Dade Office of the Tax Collector")?"""
    words = [w for w in part.split() if w.lower() not in ("the", "of", "for", "and", "a")]
    return bool(words) and sum(w[:1].isupper() for w in words) >= 0.8 * len(words)


def _pack_lines(lines: Sequence[str], rule: LengthRule, reserve: int) -> list[str]:
    """Lines grouped into as few posts as fit; a line longer than a post is split."""
    return [text for text, _ in _packed(lines, rule, reserve)]


def _packed(lines: Sequence[str], rule: LengthRule, reserve: int) -> list[tuple[str, int]]:
    """:func:`_pack_lines`, each post with how many of ``lines`` are whole once it is
    posted (a line split across posts is whole with its last piece)."""
    posts: list[tuple[str, int]] = []
    current: list[str] = []
    for i, line in enumerate(lines):
        if current and rule.fits("\n".join([*current, line]), reserve):
            current.append(line)
            continue
        if current:
            posts.append(("\n".join(current), i))
            current = []
        if rule.fits(line, reserve):
            current = [line]
        else:
            pieces = split_text(line, rule, reserve=reserve)
            posts.extend((piece, i) for piece in pieces[:-1])
            current = pieces[-1:]
    if current:
        posts.append(("\n".join(current), len(lines)))
    return posts


def usable_figures(story: Story, social: SocialSettings, lede: str = "") -> list[Origin]:
    """The figures a thread may post; with ``lede`` posted, none that it already gives."""
    body = story.article.body
    beside: Beside = "summary" if lede else "headline"
    kept = [
        f
        for f in fresh_figures(story, beside=beside, said=lede)
        if f.confidence >= social.min_confidence
        and not f.continues
        and not finishes_a_lead_in(body, f)
        and stands_alone(f.text)
        and not leans_on_a_name(f.text, body[: f.start], f"{story.headline} {lede}")
        and not asserts_guilt(story, f.text)
    ]
    return [
        Origin("figure", f.text, f.start, f.end, body.count("\n", 0, f.start) + 1, f.confidence)
        for f in surest(kept, social.max_figures)
        if social_text(f.text)
    ]


def usable_quote(story: Story, social: SocialSettings) -> Origin | None:
    q = story.quote
    # A quote without a named speaker is not attributed by guesswork: it is left out.
    if q is None or q.confidence < social.min_confidence or not q.speaker or not q.text.strip():
        return None
    start = q.segments[0].start if q.segments else 0
    end = q.segments[-1].end if q.segments else 0
    line = story.article.body.count("\n", 0, start) + 1
    return Origin("quote", q.text, start, end, line, q.confidence)


def usable_lede(story: Story) -> Origin | None:
    """The summary, for a thread with no figure and no quote to post: the news in the
    publisher's own words, rather than a headline alone. Not for a statement in someone's
    own voice, nor a summary that only says the headline again or leans on what came
    before."""
    summary = story.summary.strip()
    body = story.article.body
    start = body.find(summary) if summary else -1
    if start < 0 or story.voice is not None or summary.endswith(":") or summary_quoted(story):
        # "… issued the following statement:" leads into what it announces; the
        # statement's own words are the quote's.
        return None
    if says_again(story.headline, summary, without_number=True) and not adds_to(
        story.headline, summary
    ):
        return _context(story, start + len(summary))
    if not (stands_alone(summary) and in_own_voice(summary)) or praises(summary):
        return None
    line = body.count("\n", 0, start) + 1
    return Origin("summary", summary, start, start + len(summary), line, 1.0)


CONTEXT_PARAGRAPHS = 2


def _context(
    story: Story,
    after: int,
    paragraphs: int = CONTEXT_PARAGRAPHS,
    wanted: re.Pattern[str] | None = None,
    taken: Sequence[tuple[int, int]] | None = None,
) -> Origin | None:
    """When the lede only says the headline again ("Minister X will make a working visit
    to …"), the first sentence of the next paragraphs that says more ("Minister X will
    meet senior officials …"), read alone and in the publisher's own voice; else None.
    See :func:`_contexts`."""
    return next(_contexts(story, after, paragraphs, wanted, taken), None)


def _contexts(
    story: Story,
    after: int,
    paragraphs: int,
    wanted: re.Pattern[str] | None,
    taken: Sequence[tuple[int, int]] | None,
) -> Iterator[Origin]:
    """The sentences after ``after`` that may be posted as context, in order: the first of
    each of the next ``paragraphs`` paragraphs; with ``wanted``, every sentence of them
    that it finds (a court's or a prosecutor's outcome, "Michael Gledhill, 44, is charged
    with one count of murder …"; what a reader can do, "… residents may call the State
    Attorney’s Hotline at …"). ``taken``: the spans posted as figures or the quote (by
    default every key figure and the quote), never posted again as context."""
    body = story.article.body
    if taken is None:
        taken = [(f.start, f.end) for f in story.key_figures]
        taken += [(g.start, g.end) for g in (story.quote.segments if story.quote else ())]
    at = body.find("\n", after)
    seen = 0
    while at >= 0 and seen < paragraphs:
        start = at + 1
        at = body.find("\n", start)
        line = body[start : at if at >= 0 else len(body)]
        if not line.strip():
            continue
        seen += 1
        if line.startswith(("- ", "* ", "• ", "“", '"')):
            continue
        said = sentences(line) or [""]
        for text in said if wanted else said[:1]:
            if wanted and not wanted.search(text):
                continue
            begin = body.find(text.strip(), start)
            found = _context_sentence(story, text.strip(), begin, taken)
            if found is not None:
                yield found


def _context_sentence(
    story: Story, text: str, begin: int, taken: Sequence[tuple[int, int]]
) -> Origin | None:
    """``text`` at ``begin`` as a context post, if it may be one."""
    body = story.article.body
    if (
        not text.endswith((".", "!"))
        or not (stands_alone(text) and in_own_voice(text))
        or praises(text)
        or not adds_to(story.headline, text)
        or leans_on_a_name(text, body[:begin], f"{story.headline} {story.summary}")
        or asserts_guilt(story, text)
    ):
        return None
    end = begin + len(text)
    if any(a < end and begin < b for a, b in taken):
        return None  # posted as a figure or in the quote
    return Origin("context", text, begin, end, body.count("\n", 0, begin) + 1, 1.0)


# What a court or a prosecutor decided, and against whom: a charge, a plea, a verdict, a
# sentence, "The District Attorney identified the defendant as Phillip Estevez, 63, …".
_OUTCOME = re.compile(
    r"\b(?:(?:is|was|were|are|been|being) charged(?: in [^,.;]{1,40})? with"
    r"|charges? (?:of|including)|pleaded guilty"
    r"|pled guilty|plead guilty|(?:was|were) convicted|found guilty|(?:was|were) sentenced"
    r"|(?:was|were) indicted|faces? (?:up to|a maximum|charges)"
    r"|identified the (?:defendants?|suspects?|accused) as|(?:was|were) today sentenced)\b"
    r"|\bthe defendants?, (?=[A-Z])"
)
OUTCOME_PARAGRAPHS = 4
# Naming the defendant: "The District Attorney said that the defendant, Nakwon Foxworth,
# 36, …", "… identified the defendant as Phillip Estevez, 63, …".
_NAMES = re.compile(
    r"\b(?:identified the (?:defendants?|suspects?|accused) as|the defendants?, [A-Z])"
)
# What a reader can do, with the number to do it on: "To report any suspicion of price
# gouging, residents may call the State Attorney’s Hotline at 305-547-3300.", "To arrange
# a free home fire safety visit, call 0300 303 0088 …".
_ACTION = re.compile(
    r"\b(?:call|ring|phone|text|contact)\b[^.!?]{0,80}?"
    r"(?<!\d)(?:\+\d{1,3}[\s.-]?)?(?:\(\d{3,5}\)\s?|\d{3,5}[\s.-])\d{3}[\s.-]?\d{3,4}(?!\d)",
    re.IGNORECASE,
)
ACTION_PARAGRAPHS = 12


def thread_origins(story: Story, settings: Settings, rule: LengthRule) -> list[Origin]:
    """The figures, quote or lede a thread posts, with where each sits in the article body:
    only those the thread still holds once it is cut to ``max_posts_per_thread``."""
    thread, origins = _compose(story, rule, settings)
    posted = " ".join(p.text.replace("\n", " ") for p in thread.posts)
    return [o for o in origins if _shows(o, posted)]


def _shows(origin: Origin, posted: str) -> bool:
    """Does the thread's text hold this origin: its opening, or its middle (a lede that
    lost its opening scene)? Posts shorten at clauses, never inside the first words."""
    text = social_text(origin.text).replace("\n", " ")
    middle = len(text) // 2
    return any(
        piece in posted for piece in (text[:_SHOWN], text[middle : middle + _SHOWN]) if piece
    )


_SHOWN = 24


@dataclass(frozen=True)
class _Content:
    """What one story's thread posts after its headline, and where each part came from."""

    lede: list[str]
    figures: list[str]
    quote: list[str]
    origins: list[Origin]
    more: list[str] = field(default_factory=list)


def _content(story: Story, rule: LengthRule, social: SocialSettings) -> _Content:
    reserve = _numbering_reserve(rule, social, social.max_posts_per_thread)
    opening = _lede_post(story, rule, reserve) if social.lede else None
    values = {f.start: social_text(f.value) for f in story.key_figures}
    used = usable_figures(story, social, opening[0].text if opening else "")
    lines: dict[str, tuple[str, Origin]] = {}
    for o in used:
        lines.setdefault(social_text(o.text).replace("\n", " "), (values.get(o.start, ""), o))
    figures, held = _figure_posts([(t, v) for t, (v, _) in lines.items()], story, rule, reserve)
    used = [o for _, o in lines.values()]
    quote = _quote_posts(story, rule, social, reserve)
    said = usable_quote(story, social) if quote else None
    origins = [*(used[i] for i in held), *([said] if said else [])]
    if not social.lede and not figures and not quote:
        # Nothing else to post: the lede all the same, so the thread says what happened,
        # not only the headline.
        opening = _lede_post(story, rule, reserve)
    if opening is None:
        return _Content([], figures, quote, origins)
    # A usable figure no post could hold (too long to cut keeping its number) may still
    # be the outcome after the lede ("The District Attorney said that the defendant,
    # Elizabeth Nero, … is charged with … 79 counts of second-degree forgery.").
    unheld = {used[i].start for i in range(len(used)) if i not in held}
    more = _more_posts(story, opening[0], rule, reserve, bool(figures), unheld)
    return _Content(
        [opening[1]],
        figures,
        quote,
        [opening[0], *(o for o, _ in more), *origins],
        [text for _, text in more],
    )


def _more_posts(
    story: Story,
    lede: Origin,
    rule: LengthRule,
    reserve: int,
    figures: bool,
    unheld: set[int],
) -> list[tuple[Origin, str]]:
    """What follows the lede: the sentence that gives a charge, a plea, a verdict or a
    sentence the lede does not ("Michael Gledhill, 44, is charged with one count of murder
    …"), or, with no figure to post, the next sentence that says more than the headline
    and the lede ("The male person sustained an injury during the arrest.", "Visiting will
    be limited to one person per patient …"); then what a reader can do, with the number
    to do it on ("… residents may call the State Attorney’s Hotline at 305-547-3300."). A
    thread of a headline and its lede alone leaves out what a reader needs next."""
    # Every key figure and the quote are posted as such, or left out for what they are.
    taken = [(f.start, f.end) for f in story.key_figures]
    taken += [(g.start, g.end) for g in (story.quote.segments if story.quote else ())]
    outcome_taken = [(a, b) for a, b in taken if a not in unheld]
    kinds: list[Iterator[Origin]] = [
        _contexts(story, lede.end, OUTCOME_PARAGRAPHS, _OUTCOME, outcome_taken)
    ]
    if not figures:
        kinds.append(_contexts(story, lede.end, CONTEXT_PARAGRAPHS, None, taken))
    posts: list[tuple[Origin, str]] = []
    # The first of the outcome or the sentence after the lede that may be posted, then
    # what a reader can do.
    for candidates in (
        itertools.chain(*kinds),
        _contexts(story, lede.end, ACTION_PARAGRAPHS, _ACTION, taken),
    ):
        for found in candidates:
            if any(found.start == o.start for o, _ in posts):
                continue
            if says_again(lede.text, found.text) or _POINTS_AWAY.search(found.text):
                continue
            if numbers_given(found.text) & numbers_given(lede.text) and not _NAMES.search(
                found.text
            ):
                # "… was sentenced today to 100 years to life …" again, after the lede;
                # unless the sentence says who the lede's defendant is.
                continue
            text = social_text(found.text).replace("\n", " ")
            if not rule.fits(text, reserve):
                text = clause_cut(text, "", functools.partial(rule.fits, reserve=reserve)) or ""
            if text:
                posts.append((found, text))
                break
    return posts


# A sentence that points to what the page linked ("The proclamation is posted here."),
# lost from the text the thread posts.
_POINTS_AWAY = re.compile(r"\b(?:here|below|above|attached|at this link)\W*$", re.IGNORECASE)


def _lede_post(story: Story, rule: LengthRule, reserve: int) -> tuple[Origin, str] | None:
    """The lede as a post, whole or stopped before a clause; None when it has no place in
    the thread (see :func:`usable_lede`) or cannot be shortened to fit."""
    lede = usable_lede(story)
    if lede is None:
        return None
    text = social_text(lede.text).replace("\n", " ")
    if not rule.fits(text, reserve):
        scene = _SCENE.match(text)
        if scene and rule.fits(text[scene.end() :], reserve):
            # "Surrounded by the beauty of Cranberry Lake Preserve, County Executive …
            # signed …": the scene goes, the whole sentence of what was done stays.
            return lede, text[scene.end() :]
        fits = functools.partial(rule.fits, reserve=reserve)
        text = clause_cut(text, "", fits) or clause_cut(text, "", fits, _WHY_PHRASE) or ""
    return (lede, text) if text else None


# What a lede says of why, after what happened: "… was sentenced today to 60 months in
# federal prison for accepting more than $550,000 in bribes …" and "… will face trial
# after the California Supreme Court declined …" keep what happened.
_WHY_PHRASE = re.compile(
    r"\s+(?=(?:for|by) [a-z]+ing\b|(?:after|because|following) \w|as a result of\b|alleging\b"
    # "… the arrest of 15 individuals over a two-day operation designed to identify …"
    r"|(?:designed|aimed|intended|meant) to\b)"
)


# A participle's clause that sets the scene before a sentence's capitalised subject.
# Or a phrase of whose behest or what it answers: "At the direction of the President of
# the United States, Gov. David Ige has ordered …".
_SCENE = re.compile(
    r"^(?:[A-Z][a-z]+(?:ing|ed|en)|At the (?:direction|request|invitation) of|In response to"
    r"|On behalf of|As part of)\b[^,;:]{0,150}, (?=[A-Z])"
)


def _quote_posts(story: Story, rule: LengthRule, social: SocialSettings, reserve: int) -> list[str]:
    """The quote in whole sentences over at most ``quote_max_posts`` posts, "…" where
    sentences were left out; it stops before a sentence too long for a post, and a quote
    whose first sentence is too long is not posted. Never a sentence split across two
    posts, nor cut. In one post the speaker signs it under the words ("— Jane Doe,
    Minister"); over several, the first post opens with who speaks ("Jane Doe, Minister:")
    and every later one is signed under its words with the name ("— Jane Doe"), each
    closing its own marks: a post is read, and shared, alone, so none reads as unsigned
    words."""
    if usable_quote(story, social) is None:
        return []
    q = story.quote
    assert q is not None and q.speaker
    text = _before_its_list(as_posted(social_text(q.text)))
    if not text:
        return []
    speaker = social_text(q.speaker).replace("\n", " ")
    role = social_text(q.role or "").replace("\n", " ")
    # The full signature, then the role's head title alone ("DEC Commissioner Basil
    # Seggos" as "Commissioner Basil Seggos", "California Attorney General Rob Bonta" as
    # "Attorney General Rob Bonta") when the words need the room, then the name.
    head = title_head(role) if role and " " in role else ""
    shorter = signature(speaker, head) if head and TITLE_HEAD.search(head) else None
    # "clinical collaborative chair at South Tees Hospitals NHS Foundation Trust": the post
    # without the body it is held at, before the name alone.
    post = role.split(" at ", 1)[0] if " at " in role else ""
    held = signature(speaker, post) if post and post != head else None
    # A surname alone is never bare ("Biden:"): it keeps its title, or the quote is cut.
    bare = speaker if " " in speaker.strip() or not role else None
    signers = [w for w in (signature(speaker, role) if role else None, shorter, held, bare) if w]
    # A continuation is signed with the name alone when it is a whole name.
    later = speaker if " " in speaker.strip() else None
    for who in signers:
        whole = f"“{text}”\n— {who}"
        if rule.fits(whole, reserve):
            return [whole]
        # Room for who speaks, the marks and an ellipsis on every part: each part stays a
        # whole sentence wherever it lands. The first post gives the whole signature; the
        # next ones sign with the name alone, so a long role does not crowd out the words.
        again = later or who
        room = reserve + rule.length(f"{who}:\n“{ELLIPSIS}”")
        rest = reserve + rule.length(f"“{ELLIPSIS}”\n— {again}")
        parts, cut = sentence_parts(text, rule, reserve=rest, first_reserve=room)
        if not parts:
            continue
        kept = parts[: social.quote_max_posts]
        cut = cut or len(parts) > len(kept)
        if cut:
            kept = _before_a_turn(text, kept, rule, rest, room)
            if not kept:
                continue
        if cut and (picked := _with_figures(story, text, " ".join(kept))) is not None:
            # Its figures come after what the posts can hold: the opening and the
            # sentences that give them, "…" where sentences are left out.
            parts, _ = sentence_parts(picked, rule, reserve=rest, first_reserve=room)
            if parts and len(parts) <= social.quote_max_posts:
                kept = parts
        last = kept[-1]
        if cut and not last.endswith(ELLIPSIS):
            last = f"{last}{ELLIPSIS}"
        posts = [*kept[:-1], last]
        if len(posts) == 1:
            posts[0] = f"“{posts[0]}”\n— {who}"
        else:
            posts = [f"{who}:\n“{posts[0]}”", *(f"“{part}”\n— {again}" for part in posts[1:])]
        if all(rule.fits(p, reserve) for p in posts):
            return posts
    # A first sentence too long for any post is shortened at a clause, as a figure is
    # ("…, which …" left out, marked "…"), never cut mid-clause; else the quote is out.
    said = sentences(text)
    if len(said) > 1 and _TURN.match(said[1]):
        return []  # the first sentence alone would say the opposite of the whole
    first = first_sentence(text)
    for who in signers:
        opening = clause_cut(first, "", _signed_fits(rule, who, reserve), _QUOTE_CLAUSE)
        if opening is not None:
            return [f"“{opening}”\n— {who}"]
    return []


def _before_its_list(text: str) -> str:
    """The quote without a last sentence that leads into a list the quote does not hold
    ("Thanks to the Affordable Care Act, affirmed by the Supreme Court today:"), marked
    "…"; "" when that is all it says."""
    said = sentences(text)
    if not said or not said[-1].rstrip("”’\"' ").endswith(":"):
        return text
    kept = said[:-1]
    return f"{' '.join(kept)}{ELLIPSIS}" if kept else ""


# A sentence that turns what came before round: "But, it’s a step in the right direction".
_TURN = re.compile(r"(?:But|However|Yet|Although|Though|That said|Even so|Still)\b")


def _before_a_turn(
    text: str, kept: list[str], rule: LengthRule, reserve: int, room: int
) -> list[str]:
    """``kept`` (the quote's leading sentences, packed into posts) unless the sentence after
    them turns them round ("… doesn't tackle the issue." / "But, it's a step in the right
    direction …"): then the quote stops before the sentence the turn answers, or is left
    out ([]) when that is the first."""
    said = sentences(text)
    count = len(sentences(" ".join(kept)))
    if count >= len(said) or not _TURN.match(said[count]):
        return kept
    while count > 0 and _TURN.match(said[count]):
        count -= 1
    if count == 0:
        return []
    parts, _ = sentence_parts(" ".join(said[:count]), rule, reserve=reserve, first_reserve=room)
    return parts


def _with_figures(story: Story, text: str, posted: str) -> str | None:
    """The quote's first sentence and every later one that holds one of its key figures
    ("£5.2 billion to protect 336,000 properties"), joined with "…" where sentences are
    left out; None when each such sentence is already in ``posted``."""
    q = story.quote
    if q is None:
        return None
    inside = [
        " ".join(f.text.strip("“”\"‘’' ").split())
        for f in story.key_figures
        if f.quoted and any(s.start < f.end and f.start < s.end for s in q.segments)
    ]
    if not inside:
        return None
    said = sentences(text)
    holding = {
        i
        for i, sentence in enumerate(said)
        for figure in inside
        # Alone after "…", a sentence must not lean on one left out ("In addition, …").
        if figure and figure in sentence and (i == 0 or stands_alone(sentence))
    }
    if not holding or all(said[i] in posted for i in holding):
        return None
    picked = ""
    for i, sentence in enumerate(said):
        if i == 0 or i in holding:
            gap = f" {ELLIPSIS} " if picked and i - 1 not in holding | {0} else " "
            picked = f"{picked}{gap}{sentence}" if picked else sentence
    return picked if max(holding) == len(said) - 1 else f"{picked}{ELLIPSIS}"


def _signed_fits(rule: LengthRule, who: str, reserve: int) -> Callable[[str], bool]:
    """Does a quote's text fit one post with its marks and signature under it?"""
    return lambda text: rule.fits(f"“{text}”\n— {who}", reserve)


def _headline_post(story: Story, rule: LengthRule, social: SocialSettings, reserve: int) -> str:
    headline = social_text(story.headline or story.article.title).replace("\n", " ")
    link = safe_url(story.article.url)
    suffix = f"\n{link}" if link else ""
    tags = " ".join(t if t.startswith("#") else f"#{t}" for t in social.hashtags)
    if tags and rule.fits(f"{headline}{suffix}\n{tags}", reserve):
        return f"{headline}{suffix}\n{tags}"
    return shorten(headline, rule, suffix=suffix, reserve=reserve)


def compose_thread(story: Story, rule: LengthRule, settings: Settings) -> Thread:
    """One story's thread for the network ``rule`` counts for."""
    return _compose(story, rule, settings)[0]


def _compose(story: Story, rule: LengthRule, settings: Settings) -> tuple[Thread, list[Origin]]:
    """The thread, and where everything it could post comes from (before the cap)."""
    social = settings.social
    reserve = _numbering_reserve(rule, social, social.max_posts_per_thread)
    link = safe_url(story.article.url)
    head = _headline_post(story, rule, social, reserve)
    content = _content(story, rule, social)
    lede, figures, quote, more = content.lede, content.figures, content.quote, content.more
    closing: list[str] = []
    if social.closing:
        text = social.closing.replace("{link}", link or "").strip()
        if text and rule.fits(text, reserve):
            closing = [text]
    # Over the cap: fewer figure posts first, then the closing post, then the quote's
    # later posts (each is signed and closed, so its first stands alone), then what a
    # reader can do, then the sentence after the lede, then the quote, then the lede (what
    # happened comes first).
    left = social.max_posts_per_thread - 1
    kept: dict[str, list[str]] = {}
    for name, part in (
        ("lede", lede),
        ("quote", quote[:1]),
        ("more", more),
        ("quote+", quote[1:]),
        ("closing", closing),
        ("figures", figures),
    ):
        kept[name] = part[: max(0, left)]
        left -= len(kept[name])
    texts = _number(
        [
            head,
            *kept["lede"],
            *kept["more"],
            *kept["figures"],
            *kept["quote"],
            *kept["quote+"],
            *kept["closing"],
        ],
        social,
    )
    posts = tuple(
        Post(text=t, link=link if i == 0 else None, length=rule.length(t), limit=rule.limit)
        for i, t in enumerate(texts)
    )
    return Thread(network=rule.network, story_id=story.id, posts=posts), content.origins


def compose_roundup_post(
    roundup: Roundup,
    rule: LengthRule,
    settings: Settings,
    extra: Sequence[RoundupItem] = (),
) -> Thread:
    """The roundup: the title, then the day's other headlines with links, one per line,
    as one post or a short thread. ``extra`` (stories the budget kept from getting a
    thread) lead the list. Headlines that do not fit in ``roundup_max_posts`` are left
    out; the thread says which it carries and which it drops."""
    social = settings.social
    reserve = _numbering_reserve(rule, social, social.roundup_max_posts)
    title = social_text(social.roundup_title or roundup.title)
    given = [*extra, *roundup.more]
    fitting: list[tuple[RoundupItem, str]] = []
    for item in given:
        link = safe_url(item.url)
        headline = social_text(item.headline).replace("\n", " ")
        suffix = f" {link}" if link else ""
        line = shorten(f"• {headline}", rule, suffix=suffix, reserve=reserve)
        if rule.fits(line, reserve):
            fitting.append((item, line))
    packed = _packed([title, *(line for _, line in fitting)], rule, reserve)
    kept = packed[: social.roundup_max_posts]
    whole = kept[-1][1] - 1 if kept else 0  # the headlines whole in the posts kept
    carried = tuple(item for item, _ in fitting[: max(whole, 0)])
    texts = _number([text for text, _ in kept], social)
    posts = tuple(Post(text=t, length=rule.length(t), limit=rule.limit) for t in texts)
    return Thread(
        network=rule.network,
        story_id=f"roundup:{roundup.day.isoformat()}",
        posts=posts,
        kind="roundup",
        carried=carried,
        dropped=tuple(item for item in given if item not in carried),
    )


def thread_cost(thread: Thread, social: SocialSettings) -> int:
    """Budget units a thread uses: one per post, ``link_post_cost`` for a post with a URL."""
    per_link = social.link_post_cost.get(thread.network, 1)
    return sum(per_link if (p.link or url_spans(p.text)) else 1 for p in thread.posts)


def threads_within_budget(
    stories: Sequence[Story],
    rule: LengthRule,
    settings: Settings,
    *,
    used_today: int = 0,
    used_this_month: int = 0,
) -> ThreadPlan:
    """Threads for ``stories`` (ranked best first) within the network's posting budget.

    A story whose thread would exceed the day's or month's budget goes to the roundup
    instead, and so does every lower-ranked story, so the best stories are threaded.
    """
    social = settings.social
    limits = [
        left
        for cap, used in (
            (social.posts_per_day.get(rule.network, 0), used_today),
            (social.posts_per_month.get(rule.network, 0), used_this_month),
        )
        if cap
        for left in [max(0, cap - used)]
    ]
    left = min(limits) if limits else None
    plan = ThreadPlan(network=rule.network, budget_left=left)
    for story in stories:
        thread = compose_thread(story, rule, settings)
        cost = thread_cost(thread, social)
        if plan.to_roundup or (left is not None and cost > left - plan.budget_used):
            plan.to_roundup.append(story)
            continue
        plan.threads.append(thread)
        plan.budget_used += cost
    if left is not None:
        plan.budget_left = left - plan.budget_used
    return plan


def post_payloads(thread: Thread, *, story_id: str, day: date) -> list[PostPayload]:
    """The payload of each post's outbox delivery, in posting order.

    Every social channel reads ``text``, and ``link`` (the article link, on the first
    post; Bluesky shows it as a link card titled ``link_title``). ``story_id`` names
    the thread (``"roundup"`` for the roundup's posts).
    """
    n = len(thread.posts)
    out: list[PostPayload] = []
    for i, post in enumerate(thread.posts):
        payload: PostPayload = {
            "text": post.text,
            "link": post.link,
            "network": thread.network,
            "story_id": story_id,
            "index": i,
            "position": i,
            "count": n,
            "day": day.isoformat(),
        }
        if post.link:
            payload["link_title"] = post.text.split("\n", 1)[0]
        out.append(payload)
    return out

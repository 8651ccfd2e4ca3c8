"""A first-person statement's own words, signed by the issuer its title names.

"Statement from President Joe Biden on …" is written as "I" and "we" by the person the
title names, and quotes no one. Posting its sentences bare would put them in the
publisher's voice; leaving them out leaves a thread with no voice at all. An editor
quotes the issuer: one paragraph of the statement, signed with the title's name and role.
Only a title that names a person in full, or by title and surname ("Statement From
Attorney General Pruitt …"), counts ("Statement from the Press Secretary" names no
one), and only a first-person paragraph with no figure (those are posted as figures)
and no one else's quote in it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import replace

from distributor.extract import figures, sentences, speakers
from distributor.extract.blocks import Block, Kind
from distributor.models import Quote, Span, Voice

# Titles of a body in one voice: the issuer's words ("Remarks as Prepared for Delivery by
# NEC Director Lael Brainard on …", "Letter from …"), with who it is when the title says.
_SPOKEN_TITLE = re.compile(
    # "Orange County District Attorney Todd Spitzer Issues Statement on …"
    r"^(?:(?P<issuer>[A-Z][^:]{3,120}?)\s+(?i:issues|releases)\s+(?i:a\s+)?(?i:statement)\b.*"
    r"|(?:Statement|Remarks(?:\s+as\s+Prepared\s+for\s+Delivery)?|Message|Letter|Op-Ed)"
    r"\s+(?i:from|by)\s+(?P<who>.+?)"
    r"(?:\s+(?i:on|in|regarding|about|upon|following|celebrating|marking|honou?ring"
    r"|commemorating|announcing|welcoming|after|at|for|to|before|with)\b.*"
    # Titles are in title case: "… Jake Sullivan Congratulating Prime Minister …"; or not:
    # "… Richard Mostyn congratulating the Special Olympics Team Yukon".
    r"|\s+[A-Z][a-z]+ing\s+(?:the\b|an?\b|[A-Z]).*|\s+[a-z]+ing\s.*)?)$"
)
# The President's own documents, which name no one: "Presidential Message on …",
# "America 250: Presidential Message on …", "A Proclamation on …".
_PRESIDENTS = re.compile(r"^(?:[\w ]{1,20}:\s+)?(?:Presidential\s+Message|A\s+Proclamation)\b")
# A briefing's transcript: many voices, the reporters' among them, none to sign a line with.
_TRANSCRIPT = re.compile(
    r"^(?:(?:Background|On-the-Record|Off-the-Record)\s+)?(?:Press\s+(?:Call|Briefing|Gaggle)"
    r"|Briefing|Call|Gaggle)\b",
    re.IGNORECASE,
)
# A paragraph that leans on the one before ("Second, following my pardon …", "That’s why
# I’m fighting …", "He …") does not stand alone as a quote.
_LEANS_BACK = re.compile(
    r"^(?:First|Second|Third|Fourth|Fifth|Finally|Lastly|Next|Then|That|This|These|Those"
    r"|It|They|He|She|And|But|So|Also)\b"
)
# Written as "I" or "we": the issuer's own voice (the article lint reads the lede with it).
FIRST_PERSON = re.compile(r"(?:^|[\s(])(?:I|I’m|I'm|I’ve|I've|we|We|our|Our|my|My)\b")
_MARKS = re.compile(r"[“”\"«»„]")
MIN_WORDS = 15
MAX_CHARS = 220  # one post on every network, with the speaker's line under it
CONFIDENCE = 0.7


# The office holders whose statements are signed with a name and a title on two lines
# of their own ("Hillary Rodham Clinton" / "Secretary of State"): a contact's "Press
# Officer" or "Communications Manager" signs nothing.
_HOLDER = re.compile(
    r"^(?:(?:Deputy|Vice|Lieutenant|Prime|First|Acting|U\.S\.|US)\s+)?(?:Secretary|Minister"
    r"|President|Governor|Mayor|Premier|Chancellor|Commissioner|Attorney General|Senator"
    r"|Ambassador|Administrator|Director|County Executive|Chief Executive)"
    r"(?:\s+(?:of|for)\s+[A-Z][\w ,&’'-]{2,80})?$"
)
HEADER_LINES = 6


def signed_voice(blocks: Sequence[Block]) -> Voice | None:
    """The issuer a statement's page prints on lines of its own, a name over a title: at
    its head ("Press Statement" / "John Kerry" / "Secretary of State" / "Washington, DC")
    before the first paragraph, or as its last two lines ("Beverley J. Oda" / "Minister
    of International Cooperation"). None when there is no such pair."""
    head = []
    for block in blocks[:HEADER_LINES]:
        if block.kind is Kind.PARAGRAPH:
            break
        head.append(block)
    tail = list(blocks[-2:]) if len(blocks) > 2 else []
    for line in head:
        # "Michael Ferguson, Minister for Health" on one line at the page's head.
        name, comma, held = line.text.strip().partition(", ")
        if comma and _HOLDER.match(held.rstrip(".")) and _whole_name(name):
            return Voice(name, held.rstrip("."))
    for lines in (head, tail):
        for name_line, role_line in itertools.pairwise(lines):
            held = role_line.text.strip().rstrip(".")
            if _whole_name(name_line.text.strip()) and _HOLDER.match(held):
                return Voice(name_line.text.strip(), held)
    last = blocks[-1] if blocks else None
    if (
        last is not None
        and last.kind is Kind.HEADING
        and _BODY_SIGNATURE.fullmatch(last.text.strip())
        and any(b.kind is Kind.PARAGRAPH and _WE.search(b.text) for b in blocks)
    ):
        # "We stand against racism, …" signed "Mayor and City Council" on the last line:
        # the council's statement, never the publisher's narrative.
        return Voice(last.text.strip().rstrip("."), None)
    return None


# A statement's last line naming the body that issued it: "Mayor and City Council", "The
# Board of Supervisors", "Town Council".
_BODY_SIGNATURE = re.compile(
    r"(?:The\s+)?(?:(?:City|Town|County|Borough|District|Village)\s+)?"
    r"(?:Mayor|Council|Board(?:\s+of\s+[A-Z]\w+)?|Commission(?:ers)?|Select\s+Board|Aldermen)"
    r"(?:\s+and\s+(?:the\s+)?(?:(?:City|Town|County|Borough|District|Village)\s+)?"
    r"(?:Council|Board(?:\s+of\s+[A-Z]\w+)?|Commission(?:ers)?|Aldermen))?\.?"
)
_WE = re.compile(r"(?:^|\s)(?:We|we|Our|our)\b")


def _whole_name(text: str) -> bool:
    """Is ``text`` a person's name and nothing else ("Beverley J. Oda")?"""
    name, role = speakers.split_name(text)
    return name is not None and role is None and name == text and len(name.split()) >= 2


def voice(title: str, blocks: Sequence[Block] = ()) -> Voice | None:
    """Whose words the body is, from its title: the person a statement, remarks or letter
    names (``Voice("Joe Biden", "President")``), the role alone when it names no person
    (``Voice(None, "Press Secretary")``), the President for a presidential message or
    proclamation, and a voice with no one to sign (``Voice(None)``) for a transcript or a
    title naming several people. None for the publisher's own narrative: fact sheets,
    readouts and articles are not anyone's words."""
    text = title.strip()
    if _PRESIDENTS.match(text):
        return Voice(None, "President")
    if _TRANSCRIPT.match(text):
        return Voice(None)
    found = _SPOKEN_TITLE.match(text)
    if found is None:
        return signed_voice(blocks)
    if found.group("issuer"):
        # "… Issues Statement on …": a person's or an office holder's words; a council's
        # or a department's statement is its narrative as any release is.
        who = speakers.parse(found.group("issuer"))
        person = who.role is not None and speakers.PERSON_ROLE.search(who.role) is not None
        return _issuing(who) if person else None
    return _issuing(speakers.parse(found.group("who")))


def _issuing(who: speakers.Who) -> Voice:
    """The voice of the person or role a title's "from …" or "by …" names."""
    if who.speaker and " and " in who.speaker:
        return Voice(None)  # a joint statement: "Doug and I" is one of them, but which?
    if who.named and who.speaker and " " in who.speaker:
        return Voice(who.speaker, who.role)
    if who.named and who.speaker and who.role and speakers.is_title(who.role.split()[-1]):
        # "Statement From Attorney General Pruitt Regarding Allegations": a surname under
        # its title names the issuer as plainly, and is signed so ("Attorney General
        # Pruitt", never "Pruitt" alone).
        return Voice(who.speaker, who.role)
    if not who.named and who.role and " and " in who.role:
        return Voice(None)  # "the First Minister and deputy First Minister": two people
    if not who.named and who.role and speakers.PERSON_ROLE.search(who.role):
        return Voice(None, who.role)
    return Voice(None)


def issuer_quote(who: Voice | None, blocks: Sequence[Block], lede: str) -> Quote | None:
    """The first first-person paragraph after the lede, signed by the person the title
    names as its issuer (``who``, from :func:`voice`)."""
    if who is None or who.speaker is None:
        return None
    # A lede in the issuer's "I" is never posted as ours, so its paragraph may be quoted.
    posted = lede if lede and not FIRST_PERSON.search(lede) else ""
    for block in blocks:
        if block.kind is not Kind.PARAGRAPH or (posted and posted in block.text):
            continue
        text = block.text.strip()
        if len(text.split()) < MIN_WORDS or text.endswith(":") or _LEANS_BACK.match(text):
            continue
        inside = _inside_marks(block)
        if inside is not None:
            # A statement printed wholly in marks, naming no one ("“I was appalled at what
            # I saw …”" under "Statement from Minister Finian McGrath TD"): the marks are
            # the issuer's, and the paragraph in the first person is theirs.
            said = _opening(inside)
            if said is None or not FIRST_PERSON.search(inside.text):
                continue
        else:
            said = _opening(block)
            # What is posted is judged, not the rest of the paragraph: a long paragraph's
            # opening ("I was deeply saddened to hear of the passing of …") stands alone.
            if said is None or _MARKS.search(said.text) or not FIRST_PERSON.search(said.text):
                continue
        if any(figures.find_values(said.text)):
            continue
        return Quote(
            text=said.text,
            speaker=who.speaker,
            role=who.role,
            segments=(said,),
            confidence=CONFIDENCE,
        )
    return None


def _inside_marks(block: Block) -> Block | None:
    """A paragraph that is one passage in marks, opened and closed ("“…”") or left open
    for the next paragraph ("“…"), as the words inside them; None for any other."""
    text = block.text
    if text[:1] not in ("“", '"'):
        return None
    inner = text[1:-1] if text.endswith(("”", '"')) else text[1:]
    if _MARKS.search(inner) or not inner.strip():
        return None  # several passages, or words quoted inside: not one voice
    return replace(block, start=block.start + 1, end=block.start + 1 + len(inner), text=inner)


def _opening(block: Block) -> Span | None:
    """The paragraph's opening whole sentences, as many as fit in one post: a passage
    chosen by us, so it is cut where a reader would stop, never mid-sentence."""
    parts = sentences.split(block.text, block.start)
    if not parts or len(parts[0].text) > MAX_CHARS:
        return None
    end = parts[0].end
    for part in parts[1:]:
        if part.end - parts[0].start > MAX_CHARS:
            break
        end = part.end
    start = parts[0].start
    return Span(block.text[start - block.start : end - block.start], start, end)

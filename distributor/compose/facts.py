"""Which of a story's facts a card or a thread shows: what the reader has not just read.

The summary opens every card and thread, so a key figure that only restates it is left
out, and so is a figure said inside the quote that the same card or thread shows.
"""

from __future__ import annotations

import re
from typing import Literal

from distributor.models import Figure, Story, Voice
from distributor.repeats import same_fact, sum_key, sums
from distributor.words import ORG_WORDS

Beside = Literal["summary", "headline"]
"""What a card (its summary) or a thread (its headline) shows before the figures."""

# A sentence that opens by pointing back ("It would…", "These deliveries…", "In
# addition,…") or a list item with no subject ("Establishing deadlines…", "Severely
# reduce…") needs the sentence before it; alone in a post it misleads.
_POINTS_BACK = re.compile(
    # "This week, …", "This year …": a time, not a pointer back.
    r"^(?!(?:This|That|These|Those|Both)\s+(?:week|weekend|month|months|year|years|morning"
    r"|afternoon|evening|spring|summer|fall|autumn|winter|quarter|season|days|weeks)\b)"
    r"(?:It|Its|It’s|It's|This|These|That|Those|They|Their|He|She|His|Her|Such|Both|"
    r"Also|Additionally|In addition|Moreover|Furthermore|Meanwhile|However|Instead|Still|"
    # "Another £6.5 million will …", "A further 200 homes …", "The additional £230 million
    # …": more of what came before, or the sum of it.
    r"Another|A further|The additional|The extra|The further|The same|"
    r"The remaining|The rest|Each of these|All of these|Together|Similarly|Likewise|"
    # "A third defendant, Zameer Khan, …": the two before it were named before.
    r"A (?:second|third|fourth|fifth|sixth)(?!-)|The (?:other|latter|former)"
    # "The following day, Dec. 8, there were no available courtrooms …": after what?
    r"|The (?:following|next|previous) (?:day|morning|afternoon|evening|night|week))\b"
    # "At some point, however, the victim …": a turn from what came before.
    r"|^[^,;:.]{0,40}, however,"
    # Spoken or listed links to what came before: "And then finally, …", "But …",
    # "First is inflation…" (a briefing's answer), "Second, …".
    r"|^(?:And|But|Or|Yet|Thus|Therefore|Hence|Otherwise|Plus|Again|Anyway)\b|^Then\b(?!-)"
    r"|^So\b(?! far\b)|^(?:First|Second|Third|Fourth|Fifth|Next|Finally|Lastly|Now)(?:,|\s+is\b)"
)
_NO_SUBJECT = re.compile(
    # "During …", "Following the storm, …", "Beginning in May, …" open with a preposition
    # and still have their subject: they stand alone.
    r"^(?!(?:During|Following|According|Beginning|Starting|Regarding|Concerning|Excluding"
    r"|Notwithstanding|Barring|Pending|Assuming|Considering|Early|Only|Nearly|Roughly"
    r"|Currently|Previously|Recently|Overall|Globally|Nationally|Nationwide|Historically"
    r"|Typically|Traditionally|Annually|Approximately|Collectively|Combined)\b)"
    r"(?:[A-Z][a-z]+ing|[A-Z][a-z]+ly)\b"
)
# First person in the sentence's own voice: posted bare, "I" or "we" would be the publisher.
_FIRST_PERSON = re.compile(
    r"(?<![\w’'])(?:I|I’m|I'm|I’ve|I've|me|my|My|we|We|our|Our|us)(?![\w’'])"
)
# A passage of four words or more inside quote marks: someone's words, unsigned here.
_QUOTED_PASSAGE = re.compile(r"[“\"](?:[^”\"\s]+\s+){3,}[^”\"]*[”\"]")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
# The head words of titles written before a name, as the last word of a short role
# (at most six words, no comma): "Council on Environmental Quality Chairman".
TITLE_HEAD = re.compile(
    r"^[^,]*(?:^|\s)(?:President|Vice President|CEO|CFO|COO|CTO|Chair|Chairman|Chairwoman|"
    r"Chairperson|Director|Secretary|Governor|Lieutenant Governor|Senator|Administrator|"
    r"Ambassador|Commissioner|Mayor|Leader|Speaker|Spokesperson|Spokesman|Spokeswoman|"
    r"Adviser|Advisor|Officer|Representative|Congressman|Congresswoman|Attorney General|"
    r"Surgeon General|General|Admiral|Chief|Founder|Principal|Headteacher|Professor|"
    r"First Lady|Second Lady|Press Secretary|Prime Minister|Chancellor|Councillor|Councilor|"
    r"Councilman|Councilwoman|Alderman|District Attorney|State Attorney|State's Attorney|"
    r"State’s Attorney|U\.S\. Attorney|Sheriff|Judge|Supervisor|Councilmember|Assemblymember)$"
)


# Titles of two words whose last word alone is another title ("Attorney General" is not
# a general, "Vice President" not the President).
_TWO_WORD_TITLE = re.compile(
    r"(?:Vice President|Lieutenant Governor|Attorney General|Solicitor General|Surgeon General"
    r"|Inspector General|Postmaster General|Secretary General|Secretary-General|First Lady"
    r"|Second Lady|Press Secretary|Prime Minister|First Minister|Deputy Minister|Lord Mayor"
    r"|Deputy Mayor|Chief Executive|Chief Constable|Deputy Governor|Deputy Director"
    r"|District Attorney|State Attorney|State's Attorney|State’s Attorney|U\.S\. Attorney"
    r"|Police Chief|Fire Chief)$"
)


# The title a member of a council or a legislature wears before the name.
_MEMBER_TITLE = re.compile(r"Councillor|Councilor|Councilmember|Senator|Representative|Alderman")


def title_head(role: str) -> str:
    """A role's head title, what a signature keeps of it when room is short: its last
    word, or its last two where they make one title ("California Attorney General"); a
    member's title before the post held ("Councillor" of "Councillor, Portfolio Holder for
    Environment"); "" for two posts joined by "and", or any other role with a comma."""
    if ", " in role:
        first = role.split(", ", 1)[0]
        return first if _MEMBER_TITLE.fullmatch(first) else ""
    if "," in role:
        return ""
    if " and " in role:
        return ""  # "Chief Executive and Permanent Secretary": two posts, no one head
    found = _TWO_WORD_TITLE.search(role)
    if found and (found.start() == 0 or role[found.start() - 1] == " "):
        return found.group(0)
    return role.rsplit(" ", 1)[-1]


def signature(speaker: str, role: str | None) -> str:
    """Who a quote is signed with, in the order a release and an editor write it.

    A title that ends in its head word goes before the name ("President Joe Biden",
    "Edison Electric Institute CEO Drew Maloney"); one whose head has a complement after
    it, or that is written in lower case, follows it ("Jane Doe, Minister for Schools",
    "Sam Lee, chief executive"). A surname alone always reads with its title before it
    ("President Trump", never "Trump, President")."""
    if not role:
        return speaker
    title, comma, body = role.partition(", ")
    # "Councillor, Rhondda Cynon Taf Council": the title before the name, the body after
    # it ("Councillor Mark Norris, Rhondda Cynon Taf Council").
    before = title[:1].isupper() and len(title.split()) <= 6 and TITLE_HEAD.search(title)
    if before and comma:
        return f"{title} {speaker}, {body}"
    if " " not in speaker.strip() or before:
        return f"{role} {speaker}"
    return f"{speaker}, {role}"


def as_posted(words: str) -> str:
    """A quote as it stands alone in a post or a card: the comma its attribution's split
    left at the end ("This is good," she said) becomes a full stop, as an editor writes it."""
    return words[:-1] + "." if words.endswith(",") else words


_CONTENT_WORD = re.compile(r"[\w’'%$£€.,-]+")
# Words that say nothing of what a headline is about.
_MINOR_WORDS = (
    "a an and the of for to in on at by with from as is are was will be has have its their"
    " this that new more than"
)
_MINOR = frozenset(_MINOR_WORDS.split())


def repeats(story: Story, figure: Figure, *, beside: Beside = "summary") -> bool:
    """Does ``figure`` say again what the reader has just read: the summary (``beside=
    "summary"``, a card, which shows it) or the headline (``"headline"``, a thread, whose
    first post is the headline alone), or the main quote?"""
    flat = " ".join(figure.text.split())
    if beside == "summary":
        summary = " ".join(story.summary.split())
        if summary and len(flat) >= 20 and (summary.startswith(flat) or flat.startswith(summary)):
            return True
    elif says_again(story.headline, flat):
        return True
    q = story.quote
    return q is not None and any(s.start < figure.end and figure.start < s.end for s in q.segments)


def summary_quoted(story: Story) -> bool:
    """Is the summary the main quote's own words (a statement's first paragraph under
    "… released the following statement:", read without marks)? Shown as ours, they
    would put the speaker's words in the publisher's voice; the signed quote gives them."""
    q = story.quote
    summary = story.summary.strip()
    start = story.article.body.find(summary) if summary else -1
    if q is None or not q.speaker or start < 0:
        return False
    end = start + len(summary)
    return any(s.start <= start and end <= s.end for s in q.segments)


def says_again(headline: str, sentence: str, *, without_number: bool = False) -> bool:
    """Most of the headline's words, its figure among them, again in ``sentence``
    ("Breakfast clubs to reach 750,000 more pupils" / "Breakfast clubs will reach 750,000
    more pupils from September"). ``without_number``: a headline with no figure says
    again when nearly all its words are there ("Rail fares will not rise")."""
    head = _words(headline)
    numbers = {w for w in head if any(c.isdigit() for c in w)}
    if not head:
        return False
    said = _words(sentence)
    if not numbers:
        return without_number and len(head & said) >= 0.8 * len(head)
    return numbers <= said and len(head & said) >= 0.6 * len(head)


def adds_to(headline: str, sentence: str) -> bool:
    """Does ``sentence`` say more than the headline: a number the headline does not give,
    or a clause of its own ("… has ended across most of Victoria, with restrictions to end
    in the remaining municipalities in the coming weeks")?"""
    extra = _words(sentence) - _words(headline) - _SAYING
    return adds_a_number(headline, sentence) or len(extra) >= _NEW_WORDS


# New content words that make a sentence more than its headline again: "A retired
# engineer was one of the first patients to have robotic surgery at the hospital in
# Ashford" adds four to "First patients have robotic surgery at the hospital"; "…, the
# government said" adds one.
_NEW_WORDS = 4
# Words of saying and tense that tell nothing new.
_SAYING = frozenset(
    ["said", "says", "announced", "today", "been", "were", "was", "had", "would", "could"]
)


def adds_a_number(headline: str, sentence: str) -> bool:
    """Does ``sentence`` give a number the headline does not ("… $4 million in assistance
    to 23 communities" under "EPA Awards $4 Million for Brownfields")?"""
    head = {w for w in _words(headline) if any(c.isdigit() for c in w)}
    return any(
        any(c.isdigit() for c in w) and w not in head and not _YEAR.fullmatch(w)
        for w in _words(sentence)
    )


_YEAR = re.compile(r"(?:19|20)\d\d")


def numbers_given(text: str) -> set[str]:
    """The numbers a sentence gives, years and ages aside ("100"; not "2015", nor the 63
    of "a 63-year-old landlord" or "Phillip Estevez, 63,": naming whom a lede described
    is no repeat)."""
    ages = {a or b for a, b in _AGE.findall(text)}
    return {n for n in _NUMBER.findall(text) if not _YEAR.fullmatch(n) and n not in ages}


_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_AGE = re.compile(r"\b(\d{1,3})-year-old\b|(?<=, )(\d{1,3})(?=,)")


def _words(text: str) -> set[str]:
    found = (w.strip(".,").lower() for w in _CONTENT_WORD.findall(text))
    return {w for w in found if w and w not in _MINOR}


# "The move …", "The revelation comes as …", "The nearly $50 million facility …": a
# thing named before, which the post does not name ("The Court’s decision" names it).
_THE_ONE_BEFORE = re.compile(
    # "The Healthy Utah Plan will …", "The Rail Fares Review …": a name, not the one before.
    r"^The\s+(?!(?:[A-Z][\w’'-]*\s+)+(?:Plan|Bill|Report|Survey|Study|Consultation|Review)\b)"
    r"(?:[\w$£€.,%-]+\s+){0,4}?(?:move|revelation|announcement|decision|news"
    r"|development|step|changes?|findings|comments|remarks|visit|facility|plant|site|company"
    r"|firm|legislation|measures"
    # "The survey found …", "The report sets out …", "The ambitious plan …", "The Bill …".
    r"|[Ss]urvey|[Rr]eport|[Pp]lan|[Bb]ill|[Ss]tudy|[Cc]onsultation|[Rr]eview)\b"
    r"(?!\s+(?:to|of|by|from|that|for|between|with|in|at|on)\b|,)"
    # "EPA also awarded …", "The funding will also improve …": more of something before.
    r"|^(?:\S+\s+){1,5}also\b"
    # "The two projects will create …": the sum of what came before.
    r"|^The (?:two|three|four|five|six)\s"
)


# The subject of a sentence's main clause when it is one capitalised word ("If convicted
# as charged, Gledhill faces …", "Taylor (dob …) was arrested …").
_BARE_SUBJECT = re.compile(r"^(?:[^,;:]{0,60}, )?([A-Z][a-z’'-]+) (?=[a-z(])")
# Or several surnames: "Mohases, Williams, Reeves, and Frageau have each been charged …".
_SURNAMES = re.compile(r"^([A-Z][a-z’'-]+)(?:, [A-Z][a-z’'-]+)*,? and [A-Z][a-z’'-]+ (?=[a-z])")


def leans_on_a_name(text: str, before: str, shown: str) -> bool:
    """Does the sentence name someone by surname alone ("Gledhill faces up to 26 years …")
    whom only the body before it (``before``) introduced in full ("Michael Gledhill, 44,
    …"), and no post around it (``shown``: the headline and what else is posted) names?
    Read alone, as a post is, it names a stranger."""
    found = _BARE_SUBJECT.match(text) or _SURNAMES.match(text)
    if found is None:
        return False
    word = found.group(1)
    if word in shown or word.lower() in ORG_WORDS:
        return False  # "Administration officials closed …": a body, not a surname
    # A first name, initials, a nickname in brackets or a middle name, then the surname
    # ending the name: "Heiberto (“Big Boy”) Guerrero, 24", "Cedric Lee Pharr".
    first = r"\b[A-Z][a-z’'-]+(?: [A-Z]\.)*(?: \([^()]{1,30}\))?(?: [A-Z][a-z’'-]+)?"
    return re.search(rf"{first} {re.escape(word)}\b(?! [A-Z])", before) is not None


def stands_alone(text: str) -> bool:
    """Can this sentence be read alone, as a post is?"""
    return (
        # Opening in lower case: a pasted bullet or the tail of a sentence ("follows £1.2
        # billion …", "government announces £72 million …").
        not text[:1].islower()
        and not _POINTS_BACK.match(text)
        and (
            not _NO_SUBJECT.match(text)
            or _GERUND_SUBJECT.match(text) is not None
            or _OPENING_CLAUSE.match(text) is not None
        )
        and not _THE_ONE_BEFORE.match(text)
        and not _THIS_ONE.match(text)
    )


# "… to maximize this effort", "… benefited from this coverage", "8 million of these":
# a thing the sentence before named, in the first clause ("this week", "this is" do not).
_THIS_ONE = re.compile(
    # The first clause: up to a comma, one inside a number ("6,118") aside.
    r"^(?:[^,;:—–]|(?<=\d),(?=\d)){0,80}?\b(?:this|these|those)\s+(?!(?:is|was|are|were|week|weekend|month|months"
    r"|year|years|morning|afternoon|evening|spring|summer|fall|autumn|winter|quarter|season"
    r"|days|weeks|time|past|coming|country|nation|administration)\b)(?:[a-z]+|\d[\d,.]*-[a-z]+)"
    r"|^(?:[^,;:—–]|(?<=\d),(?=\d)){0,80}?\bof (?:these|those)\b"
)
# "Spending on factories has doubled": a gerund that is the sentence's subject.
_GERUND_SUBJECT = re.compile(
    r"^[A-Z][a-z]+ing(?:\s+[\w’'-]+){0,5}?\s+(?:has|have|is|are|was|were|will|would)\b"
)


# "Speaking at the conference, the Prime Minister announced …": a participle's clause,
# then the sentence's own subject.
_OPENING_CLAUSE = re.compile(
    r"^[A-Z][a-z]+ing\b[^,;:]{0,150}, (?:the|a|an|[A-Z][\w’'.-]*)\s+(?![a-z]+ing\b)"
)


# Praise that is the issuer's, not a fact: "with an incredible 7,708 children", "a
# fantastic achievement", "vindicating reforms", "is getting on with delivering …".
_PRAISE = re.compile(
    r"\b(?:[Ii]ncredibl[ey]|[Ff]antastic|[Aa]mazing|[Ww]onderful|[Bb]rilliant|[Tt]hrilled"
    r"|[Dd]elighted|[Pp]roud(?:ly)?|[Vv]indicat\w*|getting on with)\b"
)


def in_own_voice(text: str) -> bool:
    """Does the sentence speak for itself, not for someone the post would not name?"""
    if _QUOTED_PASSAGE.search(text):
        return False
    return not _FIRST_PERSON.search(_QUOTED.sub(" ", text))


def asserts_guilt(story: Story, text: str) -> bool:
    """Does the sentence state as fact a crime that someone is only charged with ("Between
    July 2024 and June 2025, the defendants stole over $667,000 …" in a release about the
    charges)? Posted in the publisher's voice it convicts them: a charge is an allegation.
    A release about a conviction, a plea or a sentence states what the court found; a
    hedged sentence ("allegedly", "according to", "accused of") states the allegation."""
    if not _CRIME.search(text) or _HEDGED.search(text):
        return False
    stage = f"{story.headline} {story.summary}"
    return _CHARGED.search(stage) is not None and _DECIDED.search(stage) is None


_CRIME = re.compile(
    r"\b(?:stole|killed|murdered|shot|stabbed|robbed|forged|defrauded|embezzled|assaulted"
    r"|raped|molested|trafficked|smuggled|exploited|bribed|laundered|kidnapped|burglarized"
    r"|swindled|scammed|beat|strangled|attacked|threatened|stealing|forging|killing|robbing"
    r"|defrauding|embezzling|exploiting)\b",
    re.IGNORECASE,
)
_HEDGED = re.compile(
    r"\b(?:allegedly|alleged|alleges|allege|accused|according to|charged|charges|suspected"
    r"|prosecutors (?:say|said)|police (?:say|said)|investigators (?:say|said|believe))\b",
    re.IGNORECASE,
)
_CHARGED = re.compile(
    r"\b(?:charged?|charges|charging|arrest(?:ed|s)?|indict(?:ed|ment)|accused)\b", re.I
)
_DECIDED = re.compile(
    r"\b(?:convicted|sentenced|sentence|pleaded|pled|plead|guilty|verdict|jury found)\b", re.I
)


def praises(text: str) -> bool:
    """Does the sentence, outside quote marks, praise (the issuer's view, not a fact the
    publisher can state as its own)?"""
    return _PRAISE.search(_QUOTED.sub(" ", text)) is not None


def fresh_figures(story: Story, *, beside: Beside = "summary", said: str = "") -> list[Figure]:
    """The key figures worth showing beside the summary and the quote, in article order.

    A figure said inside quote marks, holding a quoted passage, or in the first person
    ("when I was a Senator") is left out: shown bare, someone's words would read as the
    publisher's own (a statement's own "I" and "we" stay, signed by its issuer). So is
    every figure of a body that is someone's words with no one to sign them (a briefing's
    transcript, a statement by several people): see :func:`figures_signed_by`. ``said``
    is what is shown beside them besides the quote (a thread's lede)."""
    signer = figures_signed_by(story)
    if story.voice is not None and signer is None:
        return []
    shown = [
        f
        for f in story.key_figures
        if not f.quoted
        and not _unfinished_paragraph(story.article.body, f)
        # Signed, the issuer's "I" and "we" are theirs; unsigned, they would be ours.
        and (
            (in_own_voice(f.text) and not praises(f.text))
            if signer is None
            else not _QUOTED_PASSAGE.search(f.text) and not _names_issuer(f.text, story.voice)
        )
        and not repeats(story, f, beside=beside)
    ]
    quote = story.quote.text if story.quote and story.quote.speaker else ""
    return _new_values(shown, f"{said}\n{quote}".strip())


FINISHED = (".", "!", "?", "…", "”", "’", '"', "'", ")")


def _unfinished_paragraph(body: str, figure: Figure) -> bool:
    """A paragraph line with no full stop ("From landmark $1.25 billion investment … to
    invest in people"): a standfirst or a subheading, not a sentence to post. A short list
    item may end bare ("Over 16,000 arrests"); a long one is a summary's bullet in
    headline words ("Extra money given to councils to provide further help to most in
    need …"), which reads as a fragment posted alone."""
    if figure.text.rstrip().endswith(FINISHED):
        return False
    line = body.rfind("\n", 0, figure.start) + 1
    listed = body.startswith(_LISTED, line) or body[line : line + 1].isdigit()
    return not listed or len(figure.text.split()) > _BARE_ITEM_WORDS


# The longest list item posted without a full stop of its own.
_BARE_ITEM_WORDS = 12
_LISTED = ("- ", "* ", "• ")
# A finite verb: what makes a list item a sentence of its own ("Chicago will use its $60
# million grant …") rather than the rest of its lead-in's ("$1.6 million to strengthen …").
_FINITE = re.compile(
    r"\b(?:is|are|was|were|will|would|has|have|had|can|could|may|must|shall|should|does|do"
    r"|did)\b"
)


def finishes_a_lead_in(body: str, figure: Figure) -> bool:
    """A list item with no verb of its own under a line that ends with a colon ("In the
    budget, the government is also investing:" / "- $1.6 million to strengthen …"): the
    lead-in's sentence, which the item alone does not say."""
    line = body.rfind("\n", 0, figure.start) + 1
    if not (body.startswith(_LISTED, line) or body[line : line + 1].isdigit()):
        return False
    if _FINITE.search(figure.text):
        return False
    while line > 0:
        before = body.rfind("\n", 0, line - 1) + 1
        text = body[before : line - 1].strip()
        if not text.startswith(_LISTED) and not text[:1].isdigit():
            return text.endswith((":", ":-"))
        line = before
    return False


def _new_values(figures: list[Figure], quote: str) -> list[Figure]:
    """Each figure only when its number is news to the reader: not given by a figure
    before it, nor by the quote shown beside them ("£22 million" in three sentences is
    one figure; "$10 million" posted and quoted is said once)."""
    said = [" ".join(quote.split())] if quote else []
    kept: list[Figure] = []
    for f in figures:
        value = " ".join(f.value.split())
        given = re.compile(rf"(?<![\w.,]){re.escape(value)}(?![\w])") if value else None
        if given is not None and any(
            given.search(text) and same_fact(value, text, f.text) for text in said
        ):
            continue
        # "$7,700,000" after "$7.7 million": the same sum written another way.
        if (money := sum_key(value)) and any(money in sums(text) for text in said):
            continue
        kept.append(f)
        said.append(" ".join(f.text.split()))
    return kept


def in_marks(text: str) -> str:
    """Someone's words in quote marks, the marks inside them turned to single ones
    (“spent $3 trillion on ‘education’”), as an editor nests them."""
    inner = re.sub(r'"([^"]*)"', r"‘\1’", text).replace("“", "‘").replace("”", "’")
    return f"“{inner}”"


def surest(figures: list[Figure], most: int) -> list[Figure]:
    """The ``most`` figures extraction is surest of (money and magnitudes over "millions
    of Americans"), in the article's order: what a card or a thread shows."""
    best = sorted(figures, key=lambda f: -f.confidence)[:most]
    return sorted(best, key=lambda f: f.start)


def _names_issuer(text: str, voice: Voice | None) -> bool:
    """Does the sentence speak of its issuer in the third person ("Ministers have agreed …",
    "The Secretary announced …")? Then it is the release narrating, not the issuer's words,
    and it is not put in their mouth."""
    if voice is None:
        return False
    words = []
    if voice.speaker:
        words.append(voice.speaker.split()[-1])
    if voice.role:
        head = voice.role.split()[-1]
        words += [f"the {head}", f"The {head}", f"{head}s"]
    return any(re.search(rf"(?<![\w’'-]){re.escape(w)}(?![\w’'-])", text) for w in words)


def voice_signature(voice: Voice) -> str | None:
    """Who a body's own words are signed with: the person ("President Joe Biden"), else the
    role the title gives ("the Press Secretary"), else no one."""
    if voice.speaker:
        return signature(voice.speaker, voice.role)
    return f"the {voice.role}" if voice.role else None


def figures_signed_by(story: Story) -> str | None:
    """Who the story's figures are the words of, when its body is a statement, message or
    remarks: shown in quote marks under that name, never as the publisher's own."""
    return voice_signature(story.voice) if story.voice is not None else None

"""Who said it: a person's name without honorifics or post-nominals, and their role.

"The Rt Hon Sir Keir Starmer KCB KC MP" is "Keir Starmer"; "Prime Minister Keir
Starmer" is "Keir Starmer" with the role "Prime Minister"; "Guardian Bikes CEO Brian
Riley" is "Brian Riley" with the role "Guardian Bikes CEO"; an organisation or an
unnamed spokesperson is its description as written ("Home Office spokesperson").

Precision comes first: a phrase that is neither a person's name, an organisation nor a
described spokesperson (a headline fragment, a place, a clause) gives no speaker at
all, and the quote it would have signed is left out. Titles, post-nominals and name
particles come from ``nameparser``'s lists rather than lists of our own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nameparser.config import CONSTANTS

from distributor.words import MONTH_NAMES, ORG_WORDS

PRONOUNS = frozenset(["he", "she", "they", "we", "i", "it"])

# Words that sit in front of a name as a title or a job, or that name a body; a
# capitalised one ends the name run we read leftwards from the end of a phrase.
_EXTRA_TITLES = frozenset(
    [
        "da",  # a district attorney: "DA Stephan said"
        "cr",  # a councillor in Australia and New Zealand: "Cr Williamson"
        # Members of US city councils and state assemblies: "San Diego City
        # Councilmember Stephen Whitburn", "Assemblymember Stephanie Nguyen".
        "councilmember",
        "councilman",
        "councilwoman",
        "assemblymember",
        "assemblyman",
        "assemblywoman",
        "alderwoman",
        "legislator",
        "selectman",
        "selectwoman",
        "freeholder",
        "sen",
        "sen.",
        "rep",
        "rep.",
        "reps",
        "gov",
        "gov.",
        "lt",
        "lt.",
        "press",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "spokespeople",
        "reporter",
        "correspondent",
        "anchor",
        "host",
        "editor",
        "columnist",
        "chairman",
        "chairwoman",
        "chair",
        "chairperson",
        "advisor",
        "co-founder",
        "founder",
        "lead",  # "Joint National Prevention Lead", "Clinical Lead"
        "owner",
        "farmer",
        "worker",
        "director-general",
        "under-secretary",
        "undersecretary",
        "cabinet",
        "administrator",
        "deputy",
        "acting",
        "interim",
        "former",
        "white",
        "house",
        "nsc",
        "constable",
        "superintendent",
        "inspector",
        "commander",
        "commissioner",
        "lord",
        "baroness",
        "lady",
        "viscount",
        "earl",
        "czar",
        "tsar",
        "envoy",
        "coordinator",
        "co-ordinator",
        "organiser",
        "organizer",
        "supervisor",
        "trustee",
        "cllr",
        "cllr.",
    ]
)
_NOT_NAMES = (
    frozenset(
        [
            # An instrument's name before a surname: "the first Executive Order Latimer signed".
            "order",
            "act",
            "the",
            "a",
            "an",
            "this",
            "that",
            "these",
            "those",
            "there",
            "here",
            "it",
            "its",
            "his",
            "her",
            "their",
            "our",
            "my",
            "your",
            "we",
            "i",
            "he",
            "she",
            "they",
            "on",
            "in",
            "at",
            "by",
            "for",
            "from",
            "of",
            "to",
            "with",
            "and",
            "or",
            "but",
            "so",
            "yet",
            "as",
            "if",
            "when",
            "while",
            "after",
            "before",
            "since",
            "until",
            "during",
            "today",
            "yesterday",
            "tonight",
            "now",
            "then",
            "also",
            "rather",
            "meanwhile",
            "however",
            "moreover",
            "indeed",
            "instead",
            "still",
            "thus",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "america",
            "american",
            "americans",
            "united",
            "states",
            "state",
            "federal",
            "national",
            "fake",
            "news",
            "breaking",
            "update",
            "read",
            "watch",
            "see",
            "more",
            "what",
            "why",
            "how",
            "who",
            "which",
        ]
    )
    | MONTH_NAMES
)


def _titles() -> frozenset[str]:
    return frozenset(CONSTANTS.titles) | _EXTRA_TITLES


_TITLES = _titles()
# UK post-nominals nameparser does not list.
_SUFFIXES = (
    frozenset(CONSTANTS.suffix_acronyms)
    | frozenset(CONSTANTS.suffix_not_acronyms)
    | frozenset(
        [
            "kc",
            "kcmg",
            "gcmg",
            "gcb",
            "kbe",
            "frs",
            "freng",
            "fmedsci",
            "frse",
            "msp",
            "ms",
            "mla",
            "ms",
            "mp",
            "pc",
            "dl",
            "td",  # a member of the Dáil ("Simon Coveney T.D.")
        ]
    )
)
_PARTICLES = frozenset(CONSTANTS.prefixes) - {"st", "ste", "san", "santa"}

# A capitalised word in any cased script, an initial ("J."), or a Mc/Mac/O' name.
_NAME_WORD = re.compile(r"^(?:[^\W\d_]\.|[^\W\d_][\w’'\-\u0300-\u036f]*\.?)$")
_POSSESSIVE = re.compile(r"[’']s$")


@dataclass(frozen=True, slots=True)
class Who:
    speaker: str | None
    role: str | None
    named: bool
    """True when a person's name (not a pronoun or bare role) was written."""


def _bare(tok: str) -> str:
    return tok.strip("()[]\"'“”‘’,;:")


def _key(tok: str) -> str:
    return _bare(tok).lower().rstrip(".")


@lru_cache(maxsize=8192)
def is_title(tok: str) -> bool:
    low = _bare(tok).lower()
    return low in _TITLES or low.rstrip(".") in _TITLES


def is_honorific(tok: str) -> bool:
    """ "Dr", "Mrs", "Sir": a word only a person's name comes after."""
    return _key(tok) in _HONORIFIC_ONLY and _key(tok) not in ("the", "right", "hon", "rt")


def _is_suffix(tok: str) -> bool:
    key = _key(tok).replace(".", "")  # "T.D." is "TD"
    return key in _SUFFIXES and (_bare(tok).isupper() or key in ("jr", "sr"))


def _capitalised(word: str) -> bool:
    first = word[:1]
    return bool(first) and (first.isupper() or (first.isalpha() and not first.islower()))


def name_token(tok: str) -> bool:
    """Could ``tok`` be one word of a person's name?"""
    word = _bare(tok)
    if not word or not _NAME_WORD.match(word):
        return False
    low = word.lower().rstrip(".")
    if low in _PARTICLES or low.startswith(("al-", "el-", "bin-", "ibn-")):
        return True
    if len(word) == 2 and word[0].isupper() and word[1] == ".":
        return True  # an initial, "A." and "I." too ("Carlos A. Migoya")
    if not _capitalised(word) or low in _NOT_NAMES or low in ORG_WORDS:
        return False
    # A shouted heading ("MAKING AMERICA SAFE AGAIN") is not a name; "JD" or "J." is.
    letters = [c for c in word if c.isalpha()]
    return not (len(letters) > 2 and all(c.isupper() for c in letters))


def person_name(tokens: list[str]) -> str | None:
    """The tokens as a person's name ("Donald J. Trump"), or None when they are not one."""
    words = [_bare(t) for t in tokens]
    while words and _is_suffix(words[-1]):
        words.pop()
    if not 2 <= len(words) <= 5:
        return None
    if any(not name_token(w) or is_title(w) for w in words):
        return None
    if words[0].lower() in _PARTICLES or words[-1].lower() in _PARTICLES:
        return None
    if len(words[-1].rstrip(".")) == 1:  # ends in an initial: a cut-off name
        return None
    if words[-1].endswith(".") and _key(words[-1]) not in _SUFFIXES:
        words[-1] = words[-1][:-1]  # the sentence's full stop
    return " ".join(words)


# Titles that are common surnames too: "Dr. Macquline King", "Rev. Mary Bishop".
_SURNAME_TITLE = re.compile(r"King|Bishop|Judge|Major|Prince|Dean|Marshal|Sheriff|Pope|Abbot")


@lru_cache(maxsize=8192)
def split_name(phrase: str) -> tuple[str | None, str | None]:
    """A person's name at the end of ``phrase`` and the role before it, if any.

    The name is the run of name words read leftwards from the end, stopped by a title
    ("CEO", "Secretary"), a body's word, a lower-case word or a possessive ("CNN’s").
    """
    tokens = phrase.split()
    while tokens and (_is_suffix(tokens[-1]) or tokens[-1].rstrip(".:") in _SAID_CAPITALISED):
        tokens.pop()
    honoured = [t for t in tokens if not is_honorific(t)]
    if (
        (is_honorific(tokens[0]) if tokens else False)
        and _SURNAME_TITLE.fullmatch(_bare(tokens[-1]))
        and 2 <= len(honoured) <= 4
        and all(t[:1].isupper() and not t.endswith(",") for t in honoured)
    ):
        # "Dr. Macquline King": after an honorific, a title's word is a surname.
        return " ".join(_bare(t) for t in honoured), None
    run: list[str] = []
    i = len(tokens) - 1
    while i >= 0 and len(run) < 5:
        tok = tokens[i]
        if _POSSESSIVE.search(_bare(tok)) or tok.endswith(","):
            break
        if not name_token(tok) or is_title(tok):
            break
        run.insert(0, tok)
        i -= 1
    while run and _bare(run[0]).lower() in _PARTICLES:
        i += 1
        run.pop(0)
    if (
        run
        and i >= 0
        and len(run) <= 2
        and (
            tokens[i].lower() in ("for", "of")
            or (tokens[i].lower() == "and" and any(t.lower() in ("for", "of") for t in tokens[:i]))
        )
    ):
        # "the Minister for Local Transport", "Minister for Welsh Language and Lifelong
        # Learning": capitals after "for" (and after "and" in the brief) are the brief.
        return None, _role(" ".join(tokens)) or None
    if (
        i >= 0
        and len(run) > 2
        and not is_title(tokens[i])
        and any(t.lower() in ("for", "of") for t in tokens[: i + 1])
    ):
        # "Secretary of War Pete Hegseth", "Minister for School Standards Alex Drummond":
        # capitals after "for" or "of" name the brief; the person is the last two words
        # (three with a middle initial, "Robert F. Kennedy"). A title right before the
        # run ends the brief: "Office of Small Business Administration Administrator
        # Isabella Casillas Guzman" is all name after "Administrator".
        keep = 3 if len(_bare(run[-2]).rstrip(".")) == 1 else 2
        i += len(run) - keep
        run = run[-keep:]
    role = _own_role(_role(" ".join(tokens[: i + 1]))) or None
    name = person_name(run) if run else None
    if name:
        return name, role
    if (
        len(run) == 1
        and i >= 1
        and tokens[i - 1].lower() in ("for", "of", "and")
        and not PERSON_ROLE.fullmatch(_bare(tokens[i]))
    ):
        # "Minister for Social Mobility": "Social" is in nameparser's titles, but here it
        # is the brief's first word, and "Mobility" no one's name.
        return None, _role(" ".join(tokens)) or None
    if len(run) == 1 and i >= 0 and is_title(tokens[i]):
        # "Secretary Rubio", "Mr Miliband": a surname after a title; a peer is known by
        # title and name together ("Lord Vallance").
        if _key(tokens[i]) in _PEERS and not (i > 0 and _key(tokens[i - 1]) == "first"):
            # ("First Lady Trump" is a role and a surname, not a peer.)
            return f"{_bare(tokens[i])} {_bare(run[0])}", _role(" ".join(tokens[:i])) or None
        return _bare(run[0]), role
    return None, _role(" ".join(tokens)) or None


def _own_role(role: str) -> str:
    """The role of the last person of "Governor Jane Hale and Mayor Tom Lee": "Mayor", not
    everything before the name; "Secretary of Health and Human Services" is kept whole."""
    head, sep, tail = role.rpartition(" and ")
    if sep and tail[:1].isupper():
        # Someone before "and" is a person with a title of their own ("Governor Jane
        # Hale"), not the first half of a brief ("Economic Development and Training").
        name, title = split_name(head)
        # ("Economic and Rural Development and Tourism Minister": "Economic" is in
        # nameparser's titles, but no one is a person's role here.)
        if name is not None and title is not None and PERSON_ROLE.search(title):
            return tail
    return role


# A body a role is held in: a council, an agency, a department, a region, a trust.
_BODY_AFTER_ROLE = re.compile(
    r"^(?:[A-Z][\w&.’'-]*\s)*(?:Council|Agency|Department|Region(?:\s\d+)?|Trust|Authority"
    r"|Office|Board|Commission|Service|Ministry|Administration|Committee|Institute|University"
    r"|College|School|Foundation|Association|Federation|Union|Society|Partnership)$"
    # "Chief Nurse, NHS England and Improvement (Midlands)"
    r"|^NHS(?: [A-Z][\w&’'-]*| and| \([A-Z][\w ]*\))+$"
)
_PEERS = frozenset(["lord", "baroness", "lady", "viscount", "earl", "baron"])
_ACADEMIC = frozenset(["professor", "prof", "doctor", "dr"])
# ("Her Majesty’s Chief Inspector" keeps its "Her".)
_ARTICLE = re.compile(
    r"^(?:as\s+)?(?:the|a|an|our|its|their|his|her)\s+(?!Majesty)|^as\s+", re.IGNORECASE
)
_HONORIFIC_ONLY = frozenset(
    [
        "sir",
        "dame",
        "dr",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "prof",
        "rt",
        "hon",
        "right",
        "honourable",
        "the",
        "rev",
        "revd",
        "reverend",
    ]
)


# US titles written short before a name ("Sen. Jim Banks:"): the role in full, so a post
# signs "Senator Jim Banks", never "Jim Banks, Sen".
_ABBREVIATED = {
    "sen": "Senator",
    "rep": "Representative",
    "gov": "Governor",
    "lt": "Lieutenant",
    "sec": "Secretary",
    "amb": "Ambassador",
    "gen": "General",
    "adm": "Admiral",
    "col": "Colonel",
    "cong": "Congressman",
    "atty": "Attorney",
    "da": "District Attorney",
    "cllr": "Councillor",
    "cr": "Councillor",  # Australian councils: "Cr Williamson said"
}


def _role(text: str) -> str:
    words = [w for w in text.split() if _key(w) not in _HONORIFIC_ONLY or w.lower() == "the"]
    words = [
        _ABBREVIATED.get(w.rstrip(".").lower(), w) if w.endswith(".") or len(words) == 1 else w
        for w in words
    ]
    role = " ".join(words).strip(" ,;:.")
    role = _ARTICLE.sub("", _OPENING_ADVERB.sub("", role))
    # "Prime Minister the Rt Hon Sir Keir Starmer": the honorifics gone, their "the" too.
    role = re.sub(r"\s+(?:the|of|for|and)$", "", role, flags=re.IGNORECASE)
    role = re.sub(r"[’']s$|(?<=s)[’']$", "", role)  # "CNN’s", "Fox Business’"
    if re.match(r"(?:who|which|whose|that)\b", role, re.IGNORECASE):
        return ""  # "who leads the department": a clause about the person, not a role
    office = _OFFICE_OF.fullmatch(role)
    if office:
        # "Office of Governor Ned Lamont" (a page's Facebook line) is his office: the
        # person holds the title, not the office.
        return office.group("title")
    if role.lower() in ("the", "a", "an") or role.lower() in _PEERS:
        # "The Rt Hon Sir Keir Starmer" has no role; "Lord Kenneth Baker" a peerage, an
        # honorific ("Lord Mayor" and "Lord Chancellor" are roles and stay).
        return ""
    words = role.split()
    if len(words) >= 2 and _PEOPLE.fullmatch(words[-2]) and is_title(words[-1]):
        # "Like thousands of other Nova Scotians Premier Stephen McNeil": the people
        # before the title are not the post's.
        role = words[-1]
    body, joined, post = role.rpartition(" and ")
    if joined and PERSON_ROLE.fullmatch(post) and not PERSON_ROLE.search(body):
        # "Juvenile Probation Pretrial Services and Judge Beatriz Frausto-Sandoval": a
        # body listed before the person, whose post is the title after "and".
        role = post
    if _holds_person(role):
        # "San Diego Police Captain Ryan Hallahan and Alonso Vivas": the words before
        # the name are someone else, not the named person's post.
        return ""
    return role


# Ranks and titles before a name that PERSON_ROLE does not hold.
_RANK = re.compile(
    r"(?i:sergeant|lieutenant|major|colonel|counsel|justice|detective|councilmember"
    r"|assemblymember)"
)


def _holds_person(role: str) -> bool:
    """Does ``role`` name another titled person in full ("… Captain Ryan Hallahan")?"""
    tokens = role.split()
    return any(
        (PERSON_ROLE.fullmatch(_bare(tokens[i])) or _RANK.fullmatch(_bare(tokens[i])))
        and not tokens[i + 1].endswith(",")
        and all(
            name_token(t) and not is_title(t) and not _POSSESSIVE.search(_bare(t))
            for t in tokens[i + 1 : i + 3]
        )
        and tokens[i + 1][:1].isupper()
        and tokens[i + 2][:1].isupper()
        for i in range(len(tokens) - 2)
    )


# A people's name, plural: "Nova Scotians", "Canadians", "Europeans".
_PEOPLE = re.compile(r"[A-Z][a-z]+(?:ians|eans)")
# A sentence's opening word caught in a capitalised run: "Recently Wairoa Mayor Craig
# Little, …" is the Wairoa Mayor.
_OPENING_ADVERB = re.compile(
    r"^(?:Recently|Today|Yesterday|Tonight|Earlier|Later|Meanwhile|Also|Additionally"
    r"|Separately|Finally|Previously|Currently|Subsequently|Similarly|Likewise|Now"
    r"|Then)\s+(?=[A-Z])"
)
_OFFICE_OF = re.compile(
    r"Office of (?:the )?(?P<title>(?:Lieutenant |Deputy |Vice )?(?:Governor|Mayor|President"
    r"|Premier|First Minister|Prime Minister|Attorney General|County Executive|Secretary))"
)


# "Per Axios:" and "via Reuters" name the outlet.
_VIA = re.compile(r"^(?:per|via)\s+", re.IGNORECASE)
_EDITORIAL_BOARD = re.compile(
    r"^editorial board of\s+(?P<of>.+)$|^(?P<paper>.+?)(?:[’']s)?\s+editorial board$", re.IGNORECASE
)


def organisation(phrase: str) -> str | None:
    """``phrase`` as a body that can speak ("Tennessee Valley Authority"), or None."""
    text = _ARTICLE.sub("", _VIA.sub("", phrase.strip(" ,;:."))).strip()
    board = _EDITORIAL_BOARD.match(text)
    if board:
        # A paper's editorial board speaks for the paper ("the New York Post editorial board").
        return organisation(board.group("of") or board.group("paper"))
    words = text.split()
    if not words or len(words) > 8:
        return None
    caps = [w for w in words if _capitalised(_bare(w))]
    small = [w for w in words if not _capitalised(_bare(w))]
    if any(w.lower() not in ("of", "for", "and", "the", "on", "&") for w in small):
        return None
    if len(caps) != len(words) - len(small) or not caps:
        return None
    letters = [c for c in text if c.isalpha()]
    shouted = len(words) > 1 and all(c.isupper() for c in letters)
    if shouted:
        return None
    last = _key(words[-1])
    if last in ORG_WORDS or _key(words[0]) in ORG_WORDS:
        return text
    # A short acronym ("NATO", "CNN") or a news outlet named once.
    if len(words) == 1 and 2 <= len(letters) <= 6 and all(c.isupper() for c in letters):
        return text
    return text if _key(words[0]) in _OUTLETS or last in _OUTLETS else None


_OUTLETS = frozenset(
    [
        "bloomberg",
        "politico",
        "reuters",
        "axios",
        "cnbc",
        "cnn",
        "msnbc",
        "fox",
        "abc",
        "nbc",
        "cbs",
        "bbc",
        "npr",
        "pbs",
        "newsmax",
        "breitbart",
        "semafor",
        "forbes",
        "fortune",
        "barron's",
        "barrons",
        "usa",
    ]
)

_SPOKES = re.compile(r"spokes(?:person|man|woman|people)|representative|\bofficials?\b", re.I)


def spokesperson(phrase: str) -> str | None:
    """ "A Home Office spokesperson" is "Home Office spokesperson"; else None."""
    text = _ARTICLE.sub("", phrase.strip(" ,;:.")).strip()
    if not _SPOKES.search(text) or "," in text or len(text.split()) > 8:
        return None
    if any(not _capitalised(w) and w.lower() not in _SPOKE_WORDS for w in text.split()):
        return None
    return text


_SPOKE_WORDS = frozenset(
    [
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "spokespeople",
        "representative",
        "official",
        "officials",
        "senior",
        "administration",
        "government",
        "department",
        "a",
        "an",
        "the",
        "for",
        "of",
        "and",
    ]
)

_LEAD_CLAUSE = re.compile(
    r"^(?:(?:[A-Z][a-z]+ing|After|Before|Asked|Responding to|In a|In an|In the|In his|In her"
    r"|In its|In their|On|At|During|Earlier|With|Ahead of|Following|Upon|Throughout|When|While"
    r"|Later|Today|Yesterday|Meanwhile|Separately|Rather|Instead|However|Also|And|But|So)"
    r"\b[^,]*,\s*)+"
)
_TAIL = re.compile(
    r"\s(?:in a|in an|at the|at a|on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"|today|yesterday|this (?:morning|week|afternoon|evening)|last|when|while|after|before"
    r"|speaking|as (?:she|he|they)|who|which|during|adding|following|earlier|on\s+X|on\s+Twitter"
    r"|in\s+an?\s+interview|in\s+(?:a\s+)?statement)\b.*$",
    re.IGNORECASE,
)


_BRACKETED = re.compile(r"\s*\([^()]{1,40}\)")
# An embedded post's signature ends with its date: "— Jane Roe (@janeroe) April 4, 2025".
_POSTED_ON = re.compile(
    r"\s+(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\s+\d{1,2},\s+\d{4}\s*$"
)


# "Here’s what Secretary Rubio had to say:", "Watch President Trump:": the words before
# the person.
_HERE_IS_WHAT = re.compile(
    r"^(?:(?:Here(?:[’']s| is)|This is|That[’']s) what\s+|(?:Watch|WATCH|Listen|LISTEN)(?::\s*"
    # "Watch President Trump:", but "Watch Commander Dave Smith" is a fire officer's rank.
    r"|\s+(?=(?:President|Vice|Secretary|Senator|Governor|Speaker|First|Press|the|The)\b)))"
)
# "…,” DA Summer Stephan Said.": a speech verb a typo capitalised is never part of a name.
_SAID_CAPITALISED = frozenset(
    ["Said", "Says", "Added", "Stated", "Explained", "Noted", "Continued"]
)
# "Later she said", "And the First Lady added": a word that joins the sentence to the last.
_OPENING_WORD = re.compile(r"^(?:And|But|Then|Later|Finally|Also|Earlier|Afterwards)\s+")
# "Kimberley Strassel in the Wall Street Journal", "Dave Smith from Worcester Fire Station":
# where a person works or their words appeared.
_IN_OUTLET = re.compile(r"\s+(?:in|on|for|from|at)\s+(?:the\s+)?(?P<where>[A-Z][^,]*)$")


def without_lead_clause(text: str) -> str:
    """``text`` without the clause or words before its subject ("When asked about the
    deal, Jane Roe said" is "Jane Roe said"; "Per Axios" is "Axios")."""
    return _HERE_IS_WHAT.sub("", _VIA.sub("", _LEAD_CLAUSE.sub("", text)))


@lru_cache(maxsize=4096)
def core(phrase: str) -> str:
    """The phrase without a leading clause ("In the op-ed, Rollins", "Per Axios") and
    without a party and state ("Jane Roe (R-TX)") or an acronym in brackets: never the name."""
    text = _BRACKETED.sub("", phrase).strip()
    if text[-1:].isdigit():
        text = _POSTED_ON.sub("", text)
    return _OPENING_WORD.sub("", without_lead_clause(text))


def _without_outlet(part: str) -> str:
    """A person named with where they are or where their words appeared ("Kimberley
    Strassel in the Wall Street Journal", "Director Jane Roe in Raleigh") is the person; a
    role held in a body ("Minister in the Cabinet Office") keeps its body."""
    found = _IN_OUTLET.search(part)
    if found is None:
        return part
    head = part[: found.start()]
    name, _ = split_name(head)
    if name is None or " " not in name or not head.endswith(name.split()[-1]):
        return part
    if PERSON_ROLE.fullmatch(name):
        return part  # "Portfolio Holder for Environment": a post, not a name and a place
    # "… Director Richard Blaylock in Raleigh": a place or an outlet after the name.
    return head


@lru_cache(maxsize=4096)
def parse(phrase: str) -> Who:
    """Read an attribution phrase ("Jane Doe, the Minister for Schools") into a Who.

    ``Who(None, None, False)`` when the phrase is a pronoun or names nobody; a bare role
    ("the minister") comes back as ``Who(None, role, False)`` for the caller to resolve.
    """
    text = core(phrase)
    # A trailing clause is cut from each comma part ("As victory slipped away before his
    # eyes, General Jane Roe" keeps its name; "Jane Doe, speaking before the vote" too).
    cut = [_without_outlet(_TAIL.sub("", p).strip(" ;:.–—-")) for p in re.split(r",\s*", text)]
    text = ", ".join(p for p in cut if p)
    if not text or len(text.split()) > 16:
        return Who(None, None, False)
    if text.lower() in PRONOUNS:
        return Who(None, None, False)
    spoke = spokesperson(text)
    if spoke:
        name, role = split_name(spoke)
        if name and " " in name and not _served(role):
            return Who(name, role, True)
        return Who(spoke, None, True)
    joint = _joint(text)
    if joint is not None:
        return joint
    parts = _briefs_joined([p.strip() for p in re.split(r",\s*", text) if p.strip()])
    person: str | None = None
    roles: list[str] = []
    named = [split_name(part) for part in parts]
    # "Marty Carpenter, spokesman for Gov. Gary R. Herbert": the Governor is whom the
    # spokesman serves, never who spoke; the part is all role.
    named = [(None, f"{r} {n}") if n and _served(r) else (n, r) for n, r in named]
    titled = [n for n, r in named if n and " " in n and r and is_title(r.split()[-1])]
    if len(titled) > 1 and len(set(titled)) > 1:
        # "AFL-CIO President Richard Trumka, …, and SMART General President Joseph
        # Sellers:": several people's joint words, no one of them said it alone.
        return Who(None, None, False)
    # "Paddock Chevrolet, Inc., CEO Duane Paddock": a name after a title is the person's.
    named.sort(key=lambda t: not (t[0] and t[1] and is_title(t[1].split()[-1])))
    for found, role in named:
        if found and person is None:
            person = found
            if role:
                roles.append(role)
        elif role:
            roles.append(role)
    if person:
        # A role the body gives ("Clinical Adviser for the campaign") before an academic
        # title ("Professor Sir Muir Gray, Clinical Adviser …").
        ordered = list(roles)
        roles.sort(key=lambda r: (PERSON_ROLE.search(r) is None, r.lower() in _ACADEMIC))
        role = roles[0] if roles else None
        after = ordered[ordered.index(role) + 1] if role and role in ordered[:-1] else None
        if role and after and _BODY_AFTER_ROLE.search(after) and not PERSON_ROLE.search(after):
            # "acting regional administrator, FEMA Region 5", "Councillor, Rhondda Cynon
            # Taf Council": the post and the body it is in.
            role = f"{role}, {after}"
        elif role and _MEMBER.fullmatch(role) and after and PERSON_ROLE.search(after):
            # "Councillor Duncan Bell, Executive Member for Resources": a member's title
            # and the post they hold, signed as written.
            role = f"{role}, {after}"
        return Who(person, role, True)
    org = organisation(parts[0]) if parts else None
    if org:
        return Who(org, None, True)
    role_text = _role(parts[0]) if parts else ""
    if role_text and PERSON_ROLE.search(role_text) and len(role_text.split()) <= 8:
        return Who(None, role_text, False)
    return Who(None, None, False)


# A post held for someone titled: "spokesman for Governor", "chief of staff to Mayor",
# "wife of Senator" ("Senior Adviser to the President Jane Roe" is Jane Roe's post).
_SERVES = re.compile(
    r"\b(?:for|to|of)\s+(?:(?:First|Vice|Lieutenant|Prime|Deputy|State|U\.S\.)\s+)?"
    r"(?:Governor|Gov\.?|Mayor|Senator|Sen\.?|Representative|Rep\.?|Congressman"
    r"|Congresswoman|Secretary|Sec\.?|President|Minister|Commissioner|Councillor|Cllr\.?"
    r"|Councilmember|Councilman|Councilwoman|Judge|Justice|Chairman|Chairwoman|Premier"
    r"|Chancellor|Ambassador|Lady|Speaker|Leader|Attorney General|Treasurer|Administrator)$"
)


def _served(role: str | None) -> bool:
    """Does ``role`` end in someone else's title, the name after it being theirs?"""
    return role is not None and _SERVES.search(role) is not None


# The title of a member of a council or a legislature, worn before the name.
_MEMBER = re.compile(
    r"(?:Councillor|Cllr\.?|Councilmember|Councilman|Councilwoman|Alderman|Alderwoman"
    r"|Senator|Sen\.|Representative|Rep\.|Assemblymember|Assemblyman|Assemblywoman)"
)
_BRIEF_PART = re.compile(r"[A-Z][\w’'-]*(?: (?:and|&|[A-Z][\w’'-]*))*")


def _briefs_joined(parts: list[str]) -> list[str]:
    """A brief listed with commas is one part, before a name or after it: "Minister for
    Housing, Planning, and Consumer Affairs, Felix Ellis" is a role and a name ("and
    Consumer Affairs" is no one's name), and so is "Jill Balser, Minister of Labour, Skills
    and Immigration"."""
    joined: list[str] = []
    for i, part in enumerate(parts):
        if joined and (" for " in joined[-1] or " of " in joined[-1]) and _lists_on(parts[i:]):
            joined[-1] = f"{joined[-1]}, {part}"
        else:
            joined.append(part)
    return joined


def _lists_on(rest: list[str]) -> bool:
    """Does ``rest`` open with the items of a brief, up to one joined by "and"?"""
    for k, part in enumerate(rest):
        item = part.removeprefix("and ")
        if _BRIEF_PART.fullmatch(item) is None or is_title(item.split()[-1]):
            return False
        if re.search(r"(?:^| )(?:and|&) ", part):
            # "…, and John Doe, Deputy Minister": a second person with a role of their own.
            after = rest[k + 1] if k + 1 < len(rest) else ""
            return not PERSON_ROLE.search(after)
    return False


def _joint(text: str) -> Who | None:
    """ "Jane Doe and John Roe" keep both names."""
    halves = re.split(r"\s+and\s+", text)
    if len(halves) != 2:
        return None
    listed = halves[0].rstrip(", ").rsplit(",", 1)  # with or without the serial comma
    if len(listed) == 2 and " " in (split_name(listed[1])[0] or ""):
        # "Jane Roe, John Doe and Bill Lee": three or more voices in one quote; no one of
        # them said it alone, so the quote is left unsigned (and out).
        return Who(None, None, False)
    a, _ = split_name(halves[0])
    b, _ = split_name(halves[1])
    if a and b and " " in a and " " in b:
        return Who(f"{a} and {b}", None, True)
    return None


PERSON_ROLE = re.compile(
    r"\b(?:minister|secretary|chancellor|chair\w*|chief|executive|director|leader|mayor"
    r"|president|commissioner|officer|constable|head\w*|governor|ambassador|professor|doctor"
    r"|attorney|supervisor|sheriff|judge|magistrate"
    r"|councillor|advis[eo]r|inspector|superintendent|manager|founder|premier|judge|economist"
    r"|editor|teacher|nurse|owner|campaigner|scientist|administrator|senator|representative"
    r"|researcher|member|mp|peer|lord|lady|baroness|official|deputy|first|clerk|principal"
    r"|registrar|surgeon|consultant|coroner|bishop|captain|general|admiral|marshal|spokes\w+"
    r"|portfolio holder|coordinator)\b",
    re.IGNORECASE,
)


def same_person(a: str | None, b: str | None) -> bool:
    """ "Donald Trump" and "Donald J. Trump" are one person; "Alice Smith" and "John Smith"
    are two."""
    x, y = (a or "").split(), (b or "").split()
    return (
        bool(x and y) and x[-1] == y[-1] and (x[0] == y[0] or set(x) <= set(y) or set(y) <= set(x))
    )


_FEMALE = re.compile(
    r"\b(?:mrs|ms|miss|madam|lady|dame|baroness|queen|duchess|countess|princess|sister)\b", re.I
)
_MALE = re.compile(r"\b(?:mr|sir|lord|king|duke|earl|prince|brother)\b", re.I)


def fitting(people: list[Who], how: str) -> list[Who]:
    """Of several people sharing a surname, those the quote's role or honorific fits:
    "Governor Smith" is the Smith whose role holds "Governor"; "Mrs. Trump" is the
    Trump named as "First Lady" (a gendered role), not the one named as "President"."""
    first = how.split()[0] if how.split() else ""
    if _FEMALE.fullmatch(first.rstrip(".")):
        return [p for p in people if _FEMALE.search(p.role or "")]
    if _MALE.fullmatch(first.rstrip(".")):
        return [p for p in people if not _FEMALE.search(p.role or "")]
    head = how.split()[-1].lower()
    return [p for p in people if p.role and head in p.role.lower()]


_ON_COUNCIL = re.compile(r"(?i:mayor|councillor|council leader|leader of the council)")


def contradicts(person: Who, how: str) -> bool:
    """Does the title a quote gives ("Governor Murphy") say it is not ``person``, the one
    named in full with that surname ("First Lady Tammy Murphy")? Only a role or a gendered
    honorific can say so; a doctor's or professor's title, or a person named without a
    role, cannot."""
    words = how.split()
    if not words or not person.role:
        return False
    head = words[-1].rstrip(".").lower()
    if _FEMALE.fullmatch(words[0].rstrip(".")):
        return _MALE.search(person.role) is not None  # "Ms Roe" is not "Lord Roe"
    if _MALE.fullmatch(words[0].rstrip(".")):
        return _FEMALE.search(person.role) is not None  # "Mr Roe" is not "First Lady Roe"
    if head in _ACADEMIC or not PERSON_ROLE.search(head):
        return False
    if on_council(how, person.role):
        return False  # a mayor or a council's leader is a councillor too ("Cr Williamson")
    return not fitting([person], how)


def on_council(how: str, role: str | None) -> bool:
    """Is ``how`` ("Councillor", "Cr") a title the holder of ``role`` ("Mayor") has too?"""
    words = how.split()
    head = words[-1].rstrip(".").lower() if words else ""
    return head in ("councillor", "cr", "cllr") and _ON_COUNCIL.search(role or "") is not None


def looks_like_attribution(phrase: str) -> bool:
    """Could ``phrase`` be who spoke: a pronoun, a name, a role, a body or a spokesperson?"""
    text = core(phrase).strip(" ,")
    if not text or len(text.split()) > 16:
        return False
    if text.lower() in PRONOUNS:
        return True
    who = parse(text)
    if who.speaker is not None or who.role is not None:
        return True
    # A bare surname ("Bessent"): who it is, the quote's resolver decides from the names
    # before it; a surname it cannot match with a full name is left unnamed.
    return " " not in text and name_token(text) and not is_title(text)

"""Who said it: a person's name without honorifics or post-nominals, and their role.

"The Rt Hon Sir Keir Starmer KCB KC MP" is "Keir Starmer"; "Prime Minister Keir
Starmer" is "Keir Starmer" with the role "Prime Minister"; an organisation or an
unnamed spokesperson is its description as written ("Home Office spokesperson").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HONORIFICS = frozenset(
    [
        "sir",
        "dame",
        "dr",
        "dr.",
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "miss",
        "mx",
        "professor",
        "prof",
        "prof.",
        "rt",
        "rt.",
        "hon",
        "hon.",
        "right",
        "honourable",
        "the",
        "cllr",
        "councillor",
        "rev",
        "revd",
        "reverend",
    ]
)
POST_NOMINALS = frozenset(
    [
        "MP",
        "KC",
        "QC",
        "KCB",
        "KBE",
        "DBE",
        "CBE",
        "OBE",
        "MBE",
        "BEM",
        "CB",
        "CMG",
        "KCMG",
        "GCB",
        "GCMG",
        "PC",
        "FRS",
        "FREng",
        "FMedSci",
        "FRCP",
        "FRCS",
        "FRSE",
        "PhD",
        "MSP",
        "MS",
        "MLA",
        "MEP",
        "AM",
        "JP",
        "DL",
        "DPhil",
        "MD",
        "MBA",
        "FCA",
        "RN",
    ]
)
PARTICLES = frozenset(
    [
        "de",
        "da",
        "das",
        "dos",
        "van",
        "von",
        "der",
        "den",
        "del",
        "della",
        "di",
        "du",
        "la",
        "le",
        "al",
        "el",
        "bin",
        "ibn",
        "ben",
        "ní",
        "nic",
        "ó",
        "mac",
        "ap",
        "y",
    ]
)
# Capitalised words that belong to roles, organisations and places, never to names.
ROLE_WORDS = frozenset(
    [
        "minister",
        "ministers",
        "secretary",
        "chancellor",
        "prime",
        "deputy",
        "chief",
        "executive",
        "director",
        "officer",
        "chair",
        "chairman",
        "chairwoman",
        "chairperson",
        "president",
        "commissioner",
        "head",
        "leader",
        "mayor",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "spokespeople",
        "representative",
        "adviser",
        "advisor",
        "general",
        "attorney",
        "solicitor",
        "state",
        "exchequer",
        "treasury",
        "home",
        "foreign",
        "health",
        "education",
        "defence",
        "transport",
        "energy",
        "schools",
        "housing",
        "justice",
        "culture",
        "science",
        "security",
        "work",
        "pensions",
        "business",
        "trade",
        "environment",
        "department",
        "office",
        "ministry",
        "council",
        "agency",
        "authority",
        "service",
        "services",
        "trust",
        "commission",
        "police",
        "government",
        "nhs",
        "england",
        "scotland",
        "wales",
        "britain",
        "uk",
        "british",
        "northern",
        "ireland",
        "irish",
        "welsh",
        "scottish",
        "london",
        "national",
        "royal",
        "university",
        "college",
        "institute",
        "society",
        "association",
        "board",
        "bank",
        "unit",
        "team",
        "fund",
        "foundation",
        "charity",
        "centre",
        "federation",
        "union",
        "senior",
        "principal",
        "lead",
        "inspector",
        "superintendent",
        "constable",
        "commander",
        "governor",
        "ambassador",
        "professor",
        "dean",
        "founder",
        "manager",
        "partner",
        "economist",
        "analyst",
        "officer's",
        "local",
        "borough",
        "city",
        "county",
        "district",
        "regional",
        "mayor's",
        "parliamentary",
        "under-secretary",
        "undersecretary",
        "chief's",
        "cabinet",
        "levelling",
        "digital",
        "media",
        "sport",
        "net",
        "zero",
        "skills",
        "early",
        "years",
        "children",
        "families",
        "veterans",
        "armed",
        "forces",
        "courts",
        "prisons",
        "probation",
        "local",
        "growth",
        "industry",
    ]
)
PRONOUNS = frozenset(["he", "she", "they", "we", "i", "it"])
_TOKEN = re.compile(r"[^\s,]+")


@dataclass(frozen=True, slots=True)
class Who:
    speaker: str | None
    role: str | None
    named: bool
    """True when a person's name (not a pronoun or bare role) was written."""


def _clean_token(tok: str) -> str:
    return tok.strip("()[]\"'“”‘’.;:")


def _is_name_token(tok: str) -> bool:
    word = _clean_token(tok)
    if not word:
        return False
    low = word.lower()
    if low in PARTICLES or re.match(r"^(?:al|el|bin|ibn)-", low):
        return True
    if low in ROLE_WORDS or low in HONORIFICS:
        return False
    first = word[0]
    return first.isupper() or (first.isalpha() and not first.islower() and not first.isupper())


def _strip_honours(tokens: list[str]) -> list[str]:
    while tokens and _clean_token(tokens[-1]) in POST_NOMINALS:
        tokens = tokens[:-1]
    return tokens


def split_name(phrase: str) -> tuple[str | None, str | None]:
    """A person's name at the end of ``phrase`` and the role before it, if any."""
    tokens = _strip_honours(phrase.split())
    run: list[str] = []
    i = len(tokens) - 1
    honorific_seen = False
    while i >= 0 and len(run) < 5 and _is_name_token(tokens[i]):
        run.insert(0, _clean_token(tokens[i]))
        i -= 1
    while i >= 0 and _clean_token(tokens[i]).lower() in HONORIFICS:
        honorific_seen = True
        i -= 1
    # Particles can't open a name ("de Souza" is fine, "of" never starts one).
    while run and run[0].lower() in PARTICLES and len(run) > 1 and run[0][0].islower() is False:
        break
    capitals = [w for w in run if w[:1].isupper()]
    if not capitals or (len(run) < 2 and not honorific_seen and i >= 0):
        if len(run) == 1 and i < 0:
            return run[0], None
        return None, _role(" ".join(tokens)) or None
    role = _role(" ".join(tokens[: i + 1]))
    return " ".join(run), role or None


def _role(text: str) -> str:
    words = [w for w in text.split() if w.lower() not in HONORIFICS or w.lower() == "the"]
    role = " ".join(words).strip(" ,;:.")
    role = re.sub(r"^(?:the|a|an|our|its|their|his|her)\s+", "", role, flags=re.IGNORECASE)
    return role


_CUT = re.compile(
    r"\s(?:in a|in an|at the|at a|on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"|today|yesterday|this (?:morning|week|afternoon|evening)|last|when|while|after|before"
    r"|speaking|as (?:she|he|they)|who|which|during|adding|following)\b.*$",
    re.IGNORECASE,
)


def parse(phrase: str) -> Who:
    """Read an attribution phrase ("Jane Doe, the Minister for Schools") into a Who."""
    text = _CUT.sub("", phrase.strip()).strip(" ,;:.–—-")
    text = re.sub(r"^(?:and|but|so)\s+", "", text, flags=re.IGNORECASE)
    if not text:
        return Who(None, None, False)
    if text.lower() in PRONOUNS:
        return Who(None, None, False)
    low = text.lower()
    if re.search(r"spokes|representative|\bsource\b|\bstatement\b", low) and not re.search(
        r",", text
    ):
        desc = re.sub(r"^(?:a|an|the)\s+", "", text, flags=re.IGNORECASE)
        return Who(desc, None, True)
    parts = [p.strip() for p in re.split(r",\s*|\s+and\s+(?=the\s)", text) if p.strip()]
    name: str | None = None
    roles: list[str] = []
    for part in parts:
        found, role = split_name(part)
        if found and name is None:
            name = found
            if role:
                roles.append(role)
        elif role:
            roles.append(role)
        elif found:
            roles.append(found)
    role_text = roles[0] if roles else None
    if name is None and role_text and re.search(r"spokes", role_text, re.IGNORECASE):
        return Who(role_text, None, True)
    if name is None and role_text and not PERSON_ROLE.search(role_text):
        # "the RSPB", "the Department for Education": an organisation speaks as written.
        return Who(role_text, None, True)
    return Who(name, role_text, name is not None)


PERSON_ROLE = re.compile(
    r"\b(?:minister|secretary|chancellor|chair\w*|chief|executive|director|leader|mayor"
    r"|president|commissioner|officer|constable|head\w*|governor|ambassador|professor|doctor"
    r"|councillor|advis[eo]r|inspector|superintendent|manager|founder|premier|judge|economist"
    r"|editor|resident|teacher|nurse|worker|owner|volunteer|campaigner|expert|scientist"
    r"|researcher|member|mp|peer|lord|lady|baroness|official|deputy|first|clerk|principal"
    r"|registrar|surgeon|consultant|coroner|vicar|bishop|captain|general|admiral|marshal)\b",
    re.IGNORECASE,
)


def looks_like_attribution(phrase: str) -> bool:
    """Could ``phrase`` be who spoke: a pronoun, a name, a role or a spokesperson?"""
    text = phrase.strip(" ,")
    if not text or len(text.split()) > 16:
        return False
    low = text.lower()
    if low in PRONOUNS:
        return True
    if re.match(r"^(?:that|it|this|which|what|there|so|as|if|when|officials? have)\b", low):
        return False
    if re.search(r"spokes|representative|minister|secretary|official|chancellor", low):
        return True
    return any(_is_name_token(t) for t in text.split())

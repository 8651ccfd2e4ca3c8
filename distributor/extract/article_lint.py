"""The article lint: what an editor should fix in a source before its story goes out.

Each finding names what is wrong and what the reader would otherwise see. None stops a
story: a story without a URL still gets a thread, a quote without a speaker is simply
not posted; the lint says so, in ``preview``, ``preview thread``, ``preview digest``,
``plan`` and ``extract``, and in their ``--json``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from distributor.extract import quotes, statement
from distributor.extract.blocks import blocks
from distributor.models import Story

# A plain-text source: markup in it was pasted by mistake (a feed carries HTML by design).
_PLAIN_TEXT = (".txt", ".text")
_FIRST_PERSON_TITLE = re.compile(
    r"^(?:statement|readout|letter|message|proclamation|memorandum|remarks|presidential message)"
    r"\b",
    re.IGNORECASE,
)
_FIRST_PERSON_HEADLINE = re.compile(r"(?<![\w’'])(?:We|we|Our|our|I|My|my|Us|us)(?![\w’'])")
_DIGIT = re.compile(r"\d")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
_NUMBER_WORD = re.compile(
    r"(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|teen|twenty|thirty"
    r"|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|trillion|dozen"
    r"|half|third|quarter|fifth)"
)


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def _reads_as_sentence(title: str) -> bool:
    """The seed shape: the first line is the lede ("The UK government ... Balkans.")."""
    words = title.split()
    return len(words) >= 12 and title.rstrip().endswith(".")


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# A notice to journalists of a press call or conference: its details are for reporters.
_ADVISORY_TITLE = re.compile(r"\b(?:MEDIA ADVISORY|Media Advisory|PRESS ADVISORY|Press Advisory)\b")
_PRESS_EVENT = re.compile(
    r"\b(?:press|media|news) (?:call|conference|availability|briefing)\b"
    # An advisory's own headings, each on a line of its own.
    r"|^(?:WHO|WHAT|WHEN|WHERE):",
    re.IGNORECASE | re.MULTILINE,
)
_FOR_JOURNALISTS = re.compile(
    r"\b(?:dial[- ]in|call-in|conference line|RSVP|credentialed media|members of the media"
    r"|media (?:must|should) (?:RSVP|register)|participant code|passcode)\b",
    re.IGNORECASE,
)


# A host that is a staging, test or preview copy of a site, or no site at all.
_NON_PUBLIC_HOST = re.compile(
    r"^(?:staging|stage|dev|test|uat|preview|draft|cms|admin|edit|localhost)(?:[.\d-]|$)"
    r"|\.(?:local|localhost|internal|test|invalid|example)$"
)


def _not_public(url: str) -> str | None:
    """What a link's host is when readers could not reach it: a staging or preview copy
    ("staging.police.uk"), this machine or a private address; None for a public page."""
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"a staging or test copy ({host})" if _NON_PUBLIC_HOST.search(host) else None
    return None if address.is_global else f"a private address ({host})"


def lint(story: Story) -> list[Finding]:
    """Every finding for one story, in a fixed order."""
    article = story.article
    found: list[Finding] = []
    if not article.title.strip() or _reads_as_sentence(article.title):
        found.append(
            Finding(
                "no-title",
                "the first line reads as a sentence, not a headline: add a title line "
                "(the lede is being used as the headline)",
            )
        )
    elif _FIRST_PERSON_HEADLINE.search(_QUOTED.sub(" ", article.title)):
        found.append(
            Finding(
                "first-person-title",
                "the title speaks in the first person (“we”, “our”, “I”): posted and sent as "
                "it stands, it reads as the publisher's own words; retitle it before it goes out",
            )
        )
    if not article.url:
        found.append(
            Finding(
                "no-url",
                "no URL: threads and cards cannot link to the article "
                "(add a 'URL: https://…' line)",
            )
        )
    elif (where := _not_public(article.url)) is not None:
        found.append(
            Finding(
                "non-public-url",
                f"the URL points at {where}, not the public page: readers following the "
                "thread or the card would not reach it",
            )
        )
    if not article.body.strip():
        found.append(
            Finding("no-body", "headline only: the thread is one post, the card has no summary")
        )
    if _ADVISORY_TITLE.search(article.title) or (
        _PRESS_EVENT.search(article.body) and _FOR_JOURNALISTS.search(article.body)
    ):
        found.append(
            Finding(
                "media-advisory",
                "reads as a media advisory (an event announced to journalists, with call-in "
                "or RSVP details), not news: hold it, or post the release that follows",
            )
        )
    if article.html is not None and article.guid.lower().endswith(_PLAIN_TEXT):
        found.append(
            Finding(
                "markup",
                "HTML tags or entities in a plain-text article: stripped before "
                "extraction; check the text reads right",
            )
        )
    # The lede's own voice: words inside quote marks are someone else's, or a title's.
    lede = _QUOTED.sub(" ", story.summary)
    spoken = story.voice is not None or _FIRST_PERSON_TITLE.match(article.title)
    if spoken or statement.FIRST_PERSON.search(lede):
        issuer, quote = story.voice, story.quote
        if issuer and issuer.speaker and quote is not None and quote.speaker == issuer.speaker:
            why = (
                f"a first-person statement: a passage is quoted as {quote.speaker}'s"
                " (its title or signature names the issuer); check it stands alone"
            )
        elif quote is not None and quote.speaker and quotes.in_body(quote.speaker, article.body):
            why = (
                f"a statement in someone's own voice: the quote is posted as {quote.speaker}'s,"
                " who the body names as speaking; check the title's issuer is that person"
            )
        else:
            why = (
                "a first-person statement by the issuer: its words are not posted as anyone's quote"
            )
        voice = story.voice
        if voice is not None and (voice.speaker or voice.role):
            who = voice.speaker or f"the {voice.role}"
            why += f"; any figure from it is posted in quote marks as {who}'s words"
        elif voice is not None:
            why += "; its figures are left out: no one person to sign them with"
        found.append(Finding("first-person", why))
    parts = list(blocks(article.body))
    issued = story.quote.segments if story.quote is not None else ()
    for text, why in quotes.left_out(article.body, article.title, parts):
        if any(s.text in text for s in issued):
            continue  # posted, signed by the issuer the title names (said above)
        found.append(Finding("unattributed-quote", f"“{_short(text)}” is not posted: {why}"))
    for figure in story.key_figures:
        if not _DIGIT.search(figure.value) and not _NUMBER_WORD.search(figure.value):
            found.append(
                Finding(
                    "figure-without-number",
                    f"the figure “{_short(figure.text)}” "
                    f"carries no number ({figure.value!r}): check it reads as a figure",
                )
            )
    return found

"""Extraction: what each story carries, grounded in the article's own text.

``extract`` is the one entry point: headline (:mod:`.headline`), summary
(:mod:`.summary`), key figures (:mod:`.figures`) and quotes (:mod:`.quotes`; a
first-person statement's own words signed by its issuer, :mod:`.statement`), each
reporting offsets into ``article.body`` so that ``body[start:end]`` is what it says.
"""

from __future__ import annotations

from distributor.extract import figures, headline, quotes, speakers, statement, summary
from distributor.extract.blocks import blocks
from distributor.models import Article, Story

__all__ = ["extract"]


def extract(article: Article) -> Story:
    body = article.body
    parts = list(blocks(body))
    found, marked = quotes.find_with_marks(body, article.title, parts)
    lede = summary.lede(parts)
    main = quotes.main_quote(found, article.title, lede)
    voice = statement.voice(article.title, parts)
    if (
        voice is not None
        and voice.speaker
        and any(speakers.same_person(q.speaker, voice.speaker) for q in found)
    ):
        # "Secretary Becerra issued the statement below …" and then his words in marks,
        # signed: the body narrates around his statement, and only the marks are his.
        voice = None
    return Story(
        article=article,
        headline=headline.clean(article.title),
        summary=lede,
        key_figures=figures.key_figures(parts, quotes.quoted_ranges(found) + marked),
        quote=found[main] if main is not None else statement.issuer_quote(voice, parts, lede),
        other_quotes=tuple(q for i, q in enumerate(found) if i != main),
        voice=voice,
    )

"""Extraction: what each story carries, grounded in the article's own text."""

from __future__ import annotations

from distributor.models import Article, Story


def extract(article: Article) -> Story:
    paragraphs = [b for b in article.body.split("\n") if b and not b.startswith("- ")]
    return Story(
        article=article, headline=article.title.strip(), summary=paragraphs[0] if paragraphs else ""
    )

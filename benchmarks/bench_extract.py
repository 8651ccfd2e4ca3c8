"""Extraction speed on 800-word articles, one core: ``python -m benchmarks extract``."""

from __future__ import annotations

import time
from pathlib import Path

from distributor.extract import extract
from distributor.ingest.sources import read_article_file
from distributor.models import Article

DATA = Path(__file__).resolve().parent.parent / "tests" / "extract" / "data"
WORDS = 800
TARGET = 300.0


def articles_of(words: int) -> list[Article]:
    """Articles of about ``words`` words, each stitched from dev-set bodies in turn."""
    bodies = [read_article_file(p) for p in sorted(DATA.glob("*.txt"))]
    made: list[Article] = []
    for i, first in enumerate(bodies):
        lines: list[str] = []
        j = i
        while sum(len(ln.split()) for ln in lines) < words:
            lines += bodies[j % len(bodies)].body.split("\n")
            j += 1
        made.append(Article("bench", f"{i}.txt", first.title, "\n".join(lines)))
    return made


def run() -> list[dict[str, object]]:
    articles = articles_of(WORDS)
    for a in articles[:5]:
        extract(a)
    # CPU time of this process, best of five rounds (as timeit does): the figure is per
    # core, and stays honest when other work shares the machine.
    best = _rate(articles)
    mean_words = sum(len(a.body.split()) for a in articles) / len(articles)
    figures: list[dict[str, object]] = [
        {
            "name": "extract throughput, 800-word articles, one core (CPU time)",
            "value": round(best, 1),
            "unit": "articles/s",
            "target": TARGET,
        },
        {"name": "mean article length", "value": round(mean_words), "unit": "words"},
    ]
    real = _real_articles()
    if real:
        figures.append(
            {
                "name": "extract throughput, real White House releases, one core (CPU time)",
                "value": round(_rate(real), 1),
                "unit": "articles/s",
                "target": TARGET,
                "compare": f"{len(real)} releases, mean "
                f"{round(sum(len(a.body.split()) for a in real) / len(real))} words",
            }
        )
    return figures


def _rate(articles: list[Article]) -> float:
    """Articles per CPU second, best of five rounds (as timeit does)."""
    best = 0.0
    for _ in range(5):
        count, started = 0, time.process_time()
        while time.process_time() - started < 0.6:
            for a in articles:
                extract(a)
            count += len(articles)
        best = max(best, count / (time.process_time() - started))
    return best


def _real_articles() -> list[Article]:
    """The corpus releases (``../shared/corpus``), when the checkout has it beside it."""
    folder = DATA.parent.parent.parent.parent / "shared" / "corpus" / "whitehouse"
    return [read_article_file(p) for p in sorted(folder.glob("*.txt"))] if folder.is_dir() else []

"""Score extraction against a labeled set: ``python -m benchmarks.eval_extract [DIR] [-v]``.

Each article is ``NAME.txt`` (title on the first line, as ingest reads it) beside
``NAME.json`` with the labels: ``headline``, ``summary``, ``key_figures`` (``text`` and
``value``), ``quote`` (``text``, ``speaker``, ``role``, or null) and ``other_quotes``.
Key figures match by span overlap (at least half of the shorter span); quotes match
exactly after normalising quote marks and whitespace.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributor.extract import extract
from distributor.ingest.sources import read_article_file
from distributor.models import Story

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "tests" / "extract" / "data"
_MARKS = str.maketrans({c: '"' for c in "“”„«»"} | {c: "'" for c in "‘’"})


def normalise(text: str | None) -> str:
    return " ".join((text or "").translate(_MARKS).split()).strip().casefold()


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    inside = min(a[1], b[1]) - max(a[0], b[0])
    return inside > 0 and inside >= 0.5 * min(a[1] - a[0], b[1] - b[0])


@dataclass
class Score:
    articles: int = 0
    fig_pred: int = 0
    fig_gold: int = 0
    fig_pred_hit: int = 0
    fig_gold_hit: int = 0
    quote_ok: int = 0
    speaker_total: int = 0
    speaker_ok: int = 0
    invented: int = 0
    headline_ok: int = 0
    summary_ok: int = 0
    others_gold: int = 0
    others_hit: int = 0
    misses: list[str] = field(default_factory=list)

    def table(self) -> list[tuple[str, float, str]]:
        p = self.fig_pred_hit / self.fig_pred if self.fig_pred else 1.0
        r = self.fig_gold_hit / self.fig_gold if self.fig_gold else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        n = max(1, self.articles)
        return [
            ("articles", float(self.articles), ""),
            ("key figures precision", p, ">= 0.85"),
            ("key figures recall", r, ">= 0.90"),
            ("key figures F1", f1, ""),
            ("main quote exact match", self.quote_ok / n, ">= 0.90"),
            ("speaker correct", self.speaker_ok / max(1, self.speaker_total), ">= 0.90"),
            ("invented quotes", float(self.invented), "0"),
            ("other quotes recall", self.others_hit / max(1, self.others_gold), ""),
            ("headline exact", self.headline_ok / n, ""),
            ("summary matches lede", self.summary_ok / n, ""),
        ]


def score_one(name: str, story: Story, labels: dict[str, Any], score: Score) -> None:
    body = story.article.body
    score.articles += 1
    gold = []
    for f in labels["key_figures"]:
        start = body.find(f["text"])
        if start < 0:
            raise ValueError(f"{name}: labeled figure not in the body: {f['text']!r}")
        gold.append((start, start + len(f["text"])))
    pred = [(f.start, f.end) for f in story.key_figures]
    score.fig_gold += len(gold)
    score.fig_pred += len(pred)
    score.fig_pred_hit += sum(any(_overlap(p, g) for g in gold) for p in pred)
    score.fig_gold_hit += sum(any(_overlap(p, g) for p in pred) for g in gold)
    for p, f in zip(pred, story.key_figures, strict=True):
        if not any(_overlap(p, g) for g in gold):
            score.misses.append(f"{name}: extra figure {f.text!r}")
    for g, f in zip(gold, labels["key_figures"], strict=True):
        if not any(_overlap(p, g) for p in pred):
            score.misses.append(f"{name}: missed figure {f['text']!r}")

    want, got = labels["quote"], story.quote
    if want is None:
        if got is None:
            score.quote_ok += 1
        else:
            score.invented += 1
            score.misses.append(f"{name}: invented quote {got.text!r}")
    else:
        score.speaker_total += 1
        if got is not None and normalise(got.text) == normalise(want["text"]):
            score.quote_ok += 1
        else:
            score.misses.append(f"{name}: quote {got.text if got else None!r} != {want['text']!r}")
        if got is not None and normalise(got.speaker) == normalise(want["speaker"]):
            score.speaker_ok += 1
        else:
            score.misses.append(
                f"{name}: speaker {got.speaker if got else None!r} != {want['speaker']!r}"
            )
    got_others = {normalise(q.text) for q in story.other_quotes}
    for other in labels.get("other_quotes", []):
        score.others_gold += 1
        score.others_hit += normalise(other["text"]) in got_others
    if normalise(story.headline) == normalise(labels["headline"]):
        score.headline_ok += 1
    else:
        score.misses.append(f"{name}: headline {story.headline!r}")
    if normalise(story.summary) == normalise(labels["summary"]):
        score.summary_ok += 1
    else:
        score.misses.append(f"{name}: summary {story.summary!r}")


def evaluate(folder: Path) -> tuple[Score, float]:
    score = Score()
    articles = []
    for txt in sorted(folder.glob("*.txt")):
        labels = json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
        article = read_article_file(txt)
        articles.append(article)
        score_one(txt.stem, extract(article), labels, score)
    rounds, started = 0, time.perf_counter()
    while time.perf_counter() - started < 1.0:
        for article in articles:
            extract(article)
        rounds += 1
    rate = rounds * len(articles) / (time.perf_counter() - started) if articles else 0.0
    return score, rate


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    folder = Path(args[0]) if args else DEFAULT_DIR
    score, rate = evaluate(folder)
    print(f"{'measure':<26}{'value':>8}  target")
    for name, value, target in score.table():
        shown = f"{value:.0f}" if name in ("articles", "invented quotes") else f"{value:.3f}"
        print(f"{name:<26}{shown:>8}  {target}")
    print(f"{'throughput (articles/s)':<26}{rate:>8.0f}  (dev set, short articles)")
    if verbose:
        for miss in score.misses:
            print(re.sub(r"\s+", " ", miss))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Score extraction: ``python -m benchmarks.eval_extract [DIR] [-v] [--agreement]``.

Three sets, printed side by side:

- the in-house set, ``tests/extract/data/``: ``NAME.txt`` (title on the first line, as
  ingest reads it) beside ``NAME.json`` with the labels;
- real White House releases from ``../shared/corpus/whitehouse/`` labelled in
  ``tests/extract/corpus/whitehouse.json`` (keyed by file name), split by a hash of the
  file name into a **tuning** part and a **locked** part (a third) that no rule is ever
  tuned on: ``-v`` lists the misses of the in-house set and the tuning part only.

Labels follow ``tests/extract/LABELLING.md``: ``headline``, ``summary``, ``key_figures``
(``text`` and ``value``), ``quote`` (``text``, ``speaker``, ``role``, or null) and
``other_quotes``. Key figures match by span overlap (at least half of the shorter span);
quotes match exactly after normalising quote marks and whitespace. ``--agreement``
compares the second labeller's pass (``second-pass.json``) with the first.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributor.extract import extract
from distributor.ingest.sources import read_article_file
from distributor.models import Article, Story

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "tests" / "extract" / "data"
CORPUS_LABELS = ROOT / "tests" / "extract" / "corpus" / "whitehouse.json"
CORPUS_DIR = ROOT.parent / "shared" / "corpus" / "whitehouse"
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
    speaker_wrong: int = 0
    invented: int = 0
    issuer_quotes: int = 0
    fig_pred_valid: int = 0
    absent_speakers: int = 0
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
            ("figures valid (any rank)", self.fig_pred_valid / max(1, self.fig_pred), ""),
            ("main quote exact match", self.quote_ok / n, ">= 0.90"),
            ("speaker correct", self.speaker_ok / max(1, self.speaker_total), ">= 0.90"),
            ("wrong speakers", float(self.speaker_wrong), "0"),
            ("invented quotes", float(self.invented), "0"),
            ("statements signed by issuer", float(self.issuer_quotes), ""),
            ("speakers not in the body", float(self.absent_speakers), "0"),
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
    valid = list(gold)
    for f in labels.get("more_figures", []):
        start = body.find(f["text"])
        if start >= 0:
            valid.append((start, start + len(f["text"])))
    score.fig_pred_valid += sum(any(_overlap(p, g) for g in valid) for p in pred)
    signed_by_issuer = (
        story.quote is not None
        and story.quote.speaker is not None
        and (issued := story.voice) is not None
        and story.quote.speaker == issued.speaker
    )
    for q in (story.quote, *story.other_quotes):
        if signed_by_issuer and q is story.quote:
            continue  # the title names its issuer; the body says "I"
        if (
            q is not None
            and q.speaker
            and not all(part in body for part in q.speaker.split(" and "))
        ):
            score.absent_speakers += 1
            score.misses.append(f"{name}: speaker not in the body {q.speaker!r}")
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
        elif signed_by_issuer and labels.get("first_person"):
            # A first-person statement's own words signed by the issuer its title names:
            # what the rules allow instead of leaving the quote slot empty.
            score.quote_ok += 1
            score.issuer_quotes += 1
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
    # A labelled passage signed with another name is the worst error this product can
    # make; a quote left out, or a different passage, only costs recall.
    said = {
        normalise(q["text"]): q["speaker"] for q in (want, *labels.get("other_quotes", [])) if q
    }
    for q in (story.quote, *story.other_quotes):
        if (
            q is not None
            and normalise(q.text) in said
            and not one_name_holds_the_other(q.speaker, said[normalise(q.text)])
        ):
            score.speaker_wrong += 1
            score.misses.append(f"{name}: {q.text[:40]!r} signed {q.speaker!r}")
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


def one_name_holds_the_other(got: str | None, want: str) -> bool:
    """One name holds the other ("Grace Mensah" in "Headteacher Grace Mensah"): a role
    kept in the name is a lesser fault, counted by "speaker correct", not a wrong person."""
    a, b = (re.sub(r"[^\w ]", "", normalise(x)) for x in (got, want))
    return bool(a and b) and (a in b or b in a)


def in_house(folder: Path) -> list[tuple[str, Article, dict[str, Any]]]:
    items = []
    for txt in sorted(folder.glob("*.txt")):
        labels = json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
        items.append((txt.stem, read_article_file(txt), labels))
    return items


def is_locked(name: str) -> bool:
    """A third of the corpus, chosen by a hash of the file name before any result was seen."""
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % 3 == 0


def corpus(
    locked: bool, labels_file: Path = CORPUS_LABELS
) -> list[tuple[str, Article, dict[str, Any]]]:
    """The labelled corpus articles of one part; empty when ``../shared`` is not there."""
    if not CORPUS_DIR.is_dir() or not labels_file.is_file():
        return []
    labels = json.loads(labels_file.read_text(encoding="utf-8"))
    return [
        (name, read_article_file(CORPUS_DIR / name), label)
        for name, label in sorted(labels.items())
        if is_locked(name) == locked and (CORPUS_DIR / name).is_file()
    ]


def evaluate(
    items: list[tuple[str, Article, dict[str, Any]]], seconds: float = 1.0
) -> tuple[Score, float]:
    score = Score()
    for name, article, labels in items:
        score_one(name, extract(article), labels, score)
    articles = [article for _, article, _ in items]
    rounds, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds and articles:
        for article in articles:
            extract(article)
        rounds += 1
    rate = rounds * len(articles) / (time.perf_counter() - started) if articles else 0.0
    return score, rate


def agreement(first: Path, second: Path) -> list[str]:
    """How far two labellers' passes over the same articles agree."""
    one = json.loads(first.read_text(encoding="utf-8"))
    two = json.loads(second.read_text(encoding="utf-8"))
    both = sorted(set(one) & set(two))
    same_null = same_text = same_speaker = quoted = 0
    fig_a = fig_b = hit_a = hit_b = 0
    for name in both:
        a, b = one[name], two[name]
        qa, qb = a["quote"], b["quote"]
        same_null += (qa is None) == (qb is None)
        if qa is not None and qb is not None:
            quoted += 1
            same_text += normalise(qa["text"]) == normalise(qb["text"])
            same_speaker += normalise(qa["speaker"]) == normalise(qb["speaker"])
        ta = [normalise(f["text"]) for f in a["key_figures"]]
        tb = [normalise(f["text"]) for f in b["key_figures"]]
        alla = ta + [normalise(f["text"]) for f in a.get("more_figures", [])]
        allb = tb + [normalise(f["text"]) for f in b.get("more_figures", [])]
        fig_a += len(ta)
        fig_b += len(tb)
        hit_a += sum(t in allb for t in ta)
        hit_b += sum(t in alla for t in tb)
    n = max(1, len(both))
    return [
        f"articles labelled twice        {len(both)}",
        f"quote or no quote agree        {same_null / n:.2f}",
        f"both quoted: same main quote   {same_text}/{quoted}",
        f"both quoted: same speaker      {same_speaker}/{quoted}",
        f"first's key figures the second also has as figures   {hit_a}/{fig_a}",
        f"second's key figures the first also has as figures   {hit_b}/{fig_b}",
    ]


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    args = [a for a in argv if not a.startswith("-")]
    if "--agreement" in argv:
        for line in agreement(CORPUS_LABELS, CORPUS_LABELS.with_name("second-pass.json")):
            print(line)
        return 0
    sets: list[tuple[str, list[tuple[str, Article, dict[str, Any]]]]] = [
        ("in-house", in_house(Path(args[0]) if args else DEFAULT_DIR)),
        ("corpus tune", corpus(locked=False)),
        ("corpus locked", corpus(locked=True)),
    ]
    if not sets[1][1]:
        print(f"({CORPUS_DIR} is not there: the real-corpus parts are skipped)")
    results = [(label, *evaluate(items)) for label, items in sets if items]
    print(f"{'measure':<28}" + "".join(f"{label:>15}" for label, _, _ in results) + "  target")
    rows = [score.table() for _, score, _ in results]
    for i, (name, _, target) in enumerate(rows[0]):
        cells = []
        for table in rows:
            value = table[i][1]
            counted = name in (
                "articles",
                "wrong speakers",
                "invented quotes",
                "statements signed by issuer",
                "speakers not in the body",
            )
            cells.append(f"{value:>15.0f}" if counted else f"{value:>15.3f}")
        print(f"{name:<28}" + "".join(cells) + f"  {target}")
    print(f"{'throughput (articles/s)':<28}" + "".join(f"{rate:>15.0f}" for _, _, rate in results))
    if verbose:
        for label, score, _ in results:
            if label == "corpus locked":
                continue  # never read while tuning
            for miss in score.misses:
                print(f"[{label}] " + re.sub(r"\s+", " ", miss))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

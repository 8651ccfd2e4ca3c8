"""Check corpus labels against the texts: ``python -m benchmarks.check_labels FILE [CORPUS]``.

Every figure must be a span of the body, every quote's words must stand in the body in
order (its parts may be split by an attribution), and every speaker's words must occur
in the article. Prints one line per problem and exits 1 when there is any.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from distributor.ingest.sources import read_article_file

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "whitehouse"
_WORD = re.compile(r"\w+")
_KEYS = {"headline", "summary", "key_figures", "quote", "other_quotes"}


def _in_order(words: list[str], body_words: list[str], max_gap: int = 40) -> bool:
    """Do ``words`` stand in ``body_words`` in order, with small gaps for attributions?"""
    if not words:
        return False
    starts = [i for i, w in enumerate(body_words) if w == words[0]]
    for start in starts:
        pos, ok = start, True
        for w in words[1:]:
            nxt = next(
                (
                    j
                    for j in range(pos + 1, min(len(body_words), pos + 2 + max_gap))
                    if body_words[j] == w
                ),
                None,
            )
            if nxt is None:
                ok = False
                break
            pos = nxt
        if ok:
            return True
    return False


def problems(name: str, label: dict[str, Any], folder: Path) -> list[str]:
    path = folder / name
    if not path.is_file():
        return [f"{name}: no such article in {folder}"]
    article = read_article_file(path)
    body = article.body
    out = [f"{name}: missing key {k!r}" for k in sorted(_KEYS - label.keys())]
    if out:
        return out
    figures = label["key_figures"]
    if len(figures) > 6:
        out.append(f"{name}: {len(figures)} key figures, at most 6")
    for group in ("key_figures", "more_figures"):
        for f in label.get(group, []):
            if f["text"] not in body:
                out.append(f"{name}: {group} text not in the body: {f['text'][:80]!r}")
            if f.get("value") and f["value"] not in f["text"]:
                out.append(f"{name}: value {f['value']!r} not in its sentence")
    body_words = [w.casefold() for w in _WORD.findall(body)]
    known = set(body_words) | {w.casefold() for w in _WORD.findall(article.title)}
    quotes = ([label["quote"]] if label["quote"] else []) + list(label["other_quotes"])
    if label["quote"] is None and label["other_quotes"]:
        out.append(f"{name}: other_quotes but no main quote")
    for q in quotes:
        words = [w.casefold() for w in _WORD.findall(q["text"])]
        if not _in_order(words, body_words):
            out.append(f"{name}: quote words not found in order: {q['text'][:80]!r}")
        speaker = q.get("speaker")
        if not speaker:
            out.append(f"{name}: a quote without a speaker: {q['text'][:60]!r}")
            continue
        missing = [w for w in _WORD.findall(speaker) if w.casefold() not in known]
        if missing:
            out.append(f"{name}: speaker words not in the article: {missing}")
    return out


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    labels = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    folder = Path(argv[1]) if len(argv) > 1 else CORPUS
    found = [p for name, label in labels.items() for p in problems(name, label, folder)]
    for line in found:
        print(line)
    print(f"{len(labels)} labels, {len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

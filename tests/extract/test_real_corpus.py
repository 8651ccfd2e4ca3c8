"""Extraction on real White House releases (``../shared/corpus``), labelled by our rules.

Skipped politely when ``../shared`` is not beside the checkout. These guard what an
editor can never accept: a speaker the body never writes, and a quote invented where
the labels have none. The scores themselves are printed by ``make eval``.
"""

from __future__ import annotations

import pytest

from benchmarks.eval_extract import CORPUS_DIR, corpus, evaluate

pytestmark = pytest.mark.skipif(not CORPUS_DIR.is_dir(), reason="../shared/corpus is not here")


@pytest.mark.parametrize("locked", [False, True], ids=["tuning", "locked"])
def test_no_invented_quote_and_no_speaker_outside_the_body(locked: bool) -> None:
    items = corpus(locked=locked)
    assert len(items) >= 50
    score, _ = evaluate(items, seconds=0)
    assert score.invented == 0, score.misses
    assert score.absent_speakers == 0, score.misses


def test_every_corpus_label_is_grounded_in_its_article() -> None:
    import json

    from benchmarks.check_labels import problems
    from benchmarks.eval_extract import CORPUS_LABELS

    labels = json.loads(CORPUS_LABELS.read_text(encoding="utf-8"))
    assert len(labels) >= 150
    found = [p for name, label in labels.items() for p in problems(name, label, CORPUS_DIR)]
    assert found == []

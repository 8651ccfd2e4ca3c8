"""Cards and threads show what the reader has not just read."""

from __future__ import annotations

from distributor.compose.facts import fresh_figures
from tests.extract.helpers import story


def test_a_figure_that_restates_the_summary_or_sits_in_the_quote_is_not_shown() -> None:
    result = story(
        "Hospices in England will receive £100 million to improve their buildings.",
        "The money will reach around 170 hospices over two years.",
        "“This £100 million will reach 170 hospices and 4,000 beds,” said Health "
        "Secretary Wes Streeting.",
        "Around 300,000 people receive hospice care each year.",
    )
    assert result.quote is not None
    shown = [f.text for f in fresh_figures(result)]
    assert "Hospices in England will receive £100 million to improve their buildings." not in (
        shown
    )
    assert not any("4,000 beds" in text for text in shown)
    assert "Around 300,000 people receive hospice care each year." in shown

"""Cards and threads show what the reader has not just read."""

from __future__ import annotations

import pytest

from distributor.compose.facts import fresh_figures, signature
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


def test_first_person_and_quoted_passages_are_not_shown_in_the_publishers_voice() -> None:
    result = story(
        "The bridge reopened on Monday after a £12 million repair.",
        "More than 60 years later, when I was a Senator, I voted for 300 new bridges.",
        "Residents called it “the best news we have had in 20 years” at the opening.",
        "Traffic is expected to reach 40,000 cars a day by spring.",
    )
    shown = [f.text for f in fresh_figures(result)]
    assert not any("Senator" in t or "best news" in t for t in shown)
    assert "Traffic is expected to reach 40,000 cars a day by spring." in shown


@pytest.mark.parametrize(
    ("speaker", "role", "signed"),
    [
        # A title ending in its head word goes before the name, as releases write it.
        ("Joe Biden", "President", "President Joe Biden"),
        (
            "Drew Maloney",
            "Edison Electric Institute CEO",
            "Edison Electric Institute CEO Drew Maloney",
        ),
        ("Keir Starmer", "Prime Minister", "Prime Minister Keir Starmer"),
        # A head with a complement after it, a lower-case or a long role: after the name.
        ("Jane Doe", "Minister for Schools", "Jane Doe, Minister for Schools"),
        ("Marco Rubio", "Secretary of State", "Marco Rubio, Secretary of State"),
        ("Sam Lee", "chief executive", "Sam Lee, chief executive"),
        (
            "Muir Gray",
            "Clinical Adviser for the One You campaign",
            "Muir Gray, Clinical Adviser for the One You campaign",
        ),
        # A surname alone always reads with its title first.
        ("Trump", "President", "President Trump"),
        ("Smith", "Minister for Schools", "Minister for Schools Smith"),
        ("Ann Cole", None, "Ann Cole"),
        # A title and the body it is held in: the title first, the body after the name.
        (
            "Mark Orrin",
            "Councillor, Tarrow Borough Council",
            "Councillor Mark Orrin, Tarrow Borough Council",
        ),
        (
            "Kevin Sligh",
            "acting regional administrator, FEMA Region 5",
            "Kevin Sligh, acting regional administrator, FEMA Region 5",
        ),
    ],
)
def test_a_quote_is_signed_in_the_order_an_editor_writes_name_and_title(
    speaker: str, role: str | None, signed: str
) -> None:
    assert signature(speaker, role) == signed

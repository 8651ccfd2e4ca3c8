"""Sentences split where a reader would split them, around the abbreviations of US and
UK releases, decimals and initials; offsets always index the text."""

from __future__ import annotations

import pytest

from distributor.extract.sentences import split


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The order takes effect on Jan. 20 and lasts a year. It was signed today.",
            ["The order takes effect on Jan. 20 and lasts a year.", "It was signed today."],
        ),
        ("Imports rose 3.5 percent. Exports fell.", ["Imports rose 3.5 percent.", "Exports fell."]),
        (
            "Dr. Jane Roe spoke at No. 10 Downing Street. She left at noon.",
            ["Dr. Jane Roe spoke at No. 10 Downing Street.", "She left at noon."],
        ),
        (
            "The deal brings investment to the U.S. The two countries meet again in May.",
            ["The deal brings investment to the U.S.", "The two countries meet again in May."],
        ),
        (
            "He met U.S. President Ana Ruiz on Monday. They spoke for an hour.",
            ["He met U.S. President Ana Ruiz on Monday.", "They spoke for an hour."],
        ),
        (
            "Sen. Rick Dale and Gov. Brian Kemp attended. Rep. Jim Banks did not.",
            ["Sen. Rick Dale and Gov. Brian Kemp attended.", "Rep. Jim Banks did not."],
        ),
        (
            "President Donald J. Trump signed the order. It takes effect at once.",
            ["President Donald J. Trump signed the order.", "It takes effect at once."],
        ),
        ("The St. Louis office opened. It employs 40 people.",
         ["The St. Louis office opened.", "It employs 40 people."]),
    ],
)  # fmt: skip
def test_abbreviations_decimals_and_initials(text: str, expected: list[str]) -> None:
    spans = split(text)
    assert [s.text for s in spans] == expected
    for s in spans:
        assert text[s.start : s.end] == s.text


def test_a_telephone_extension_ends_no_sentence() -> None:
    text = "For more information, call 760-863-8216 ext. 4021 or email the office."
    assert [s.text for s in split(text)] == [text]

"""Key figures: what counts as a figure, what does not, and how many."""

from __future__ import annotations

import pytest

from distributor.extract.figures import find_values
from tests.extract.helpers import assert_grounded, story


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("The fund is worth £1.5bn over five years.", "£1.5bn"),
        ("Councils will share €40 million in grants.", "€40 million"),
        ("The scheme costs $2.3bn.", "$2.3bn"),
        ("Unemployment fell to 4.2 per cent.", "4.2 per cent"),
        ("Turnout rose 7% on last year.", "7%"),
        ("The wage rises to £12.21 an hour from April.", "£12.21 an hour"),
        ("Waiting lists have halved since the reforms.", "halved"),
        ("Fees doubled in a decade.", "doubled"),
        ("A third of pupils missed school.", "A third"),
        ("Around 1,500 schools will benefit.", "1,500"),
        ("Some 3 million households will benefit.", "3 million"),
        ("Costs rose by between 10 and 15 per cent.", "10 and 15 per cent"),
        ("The farm covers 240 hectares.", "240 hectares"),
        ("One in five adults smoke.", "One in five"),
        ("Police made 45 arrests during Operation Nightfall.", "45 arrests"[:2]),
    ],
)
def test_figures_are_found_with_their_value_as_written(sentence: str, value: str) -> None:
    assert value in [v[2] for v in find_values(sentence)]


@pytest.mark.parametrize(
    "sentence",
    [
        "The meeting is on 12 March 2025.",
        "The minister visited the site in 2019.",
        "Doors open at 9am and close at 5.30pm.",
        "Call 0300 123 4567 for advice.",
        "Section 21 of the Housing Act will be reviewed.",
        "Leaders met at the G7 summit.",
        "Covid-19 changed working patterns.",
        "Operation Nightfall 2 continues in the region.",
        "The report covers the 2024-25 financial year.",
        "In 2012–13 the scheme was paused.",
        "The 2023/24 accounts were published.",
        "Children aged 11 and over are eligible.",
        "Clause 4 of the Bill was amended.",
        "Number 10 Downing Street staff met the delegation.",
        # How long ago is when something happened, not how much.
        "Almost 300 years ago the first bridge was built here.",
        "Three decades ago the harbour closed.",
        # A career's length is biography, not news.
        "She retired after 15 years as chief executive of the trust.",
        "He has served the county for more than 50 years as a magistrate.",
        # Idioms with "double" are not a change.
        "The strategy will double down on the region's strengths.",
        "Critics accused ministers of a double standard on ports.",
    ],
)
def test_numbers_that_are_not_figures_are_ignored(sentence: str) -> None:
    assert find_values(sentence) == []


def test_a_repeated_figure_counts_once_at_its_first_narrative_statement() -> None:
    result = story(
        "The Treasury has set aside £600 million for pothole repairs.",
        "“This £600 million will fix roads in every county,” said the Chancellor, Ann Bell.",
        "Councils must bid for the £600 million by June.",
    )
    assert [f.value for f in result.key_figures] == ["£600 million"]
    assert result.key_figures[0].start == 0
    assert_grounded(result)


def test_a_sum_written_another_way_is_the_same_figure() -> None:
    result = story(
        "The county reached a $7.7 million settlement with the carrier on Monday.",
        "Under the judgment, the carrier will pay a total of $7,700,000.",
        "Gas fell below $2 per gallon, and as low as $1.69 per gallon in one state.",
    )
    values = [f.value for f in result.key_figures]
    assert "$7.7 million" in values and "$7,700,000" not in values
    assert_grounded(result)


def test_the_same_rate_about_something_else_is_a_figure_of_its_own() -> None:
    result = story(
        "Harbour county payroll employment grew an estimated 2.5% over 12 months, adding"
        " 41,400 jobs.",
        "The seasonally adjusted unemployment rate is estimated at 2.5%, up a tenth of a point.",
        "Payroll employment growth of 2.5% was the fastest in the region.",
    )
    texts = [f.text for f in result.key_figures]
    assert any(t.startswith("The seasonally adjusted unemployment rate") for t in texts)
    # The same rate of the same thing (payroll employment) is the first statement again.
    assert not any(t.startswith("Payroll employment growth") for t in texts)


def test_a_figure_only_in_a_quote_counts() -> None:
    result = story(
        "The minister opened the new centre in Hull on Friday.",
        "“We have trained 300 nurses here this year,” said Health Minister Karen Osei.",
    )
    assert [f.value for f in result.key_figures] == ["300"]


def test_list_items_are_whole_figures_without_the_marker() -> None:
    result = story("The plan includes:", "- 20,000 new homes by 2030.", "- A 5% cut in rents.")
    assert [f.text for f in result.key_figures] == [
        "20,000 new homes by 2030.",
        "A 5% cut in rents.",
    ]
    assert_grounded(result)


def test_at_most_six_figures_in_article_order() -> None:
    lines = [f"Region {chr(65 + i)} gets £{i + 1}m for buses." for i in range(9)]
    result = story(*lines)
    assert len(result.key_figures) == 6
    starts = [f.start for f in result.key_figures]
    assert starts == sorted(starts)


def test_byline_and_sources_lines_carry_no_figures() -> None:
    result = story(
        "By Jo Park, 52, Economics Editor",
        "Inflation held steady this month, officials said.",
        "Sources: Office for National Statistics, 2024, table 3.1",
    )
    assert result.key_figures == ()


def test_an_effective_date_is_a_figure_when_it_is_the_outcome() -> None:
    result = story("The new rules come into force on 1 October 2026.")
    assert [f.value for f in result.key_figures] == ["1 October 2026"]


@pytest.mark.parametrize(
    "sentence", ["The 2024 figures were revised.", "2024 was a record year for exports."]
)
def test_a_year_before_a_noun_is_not_a_count(sentence: str) -> None:
    assert find_values(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("Over 16,000 arrests were made in the first year.", "16,000"),
        ("Over 4.6 million taxpayers have benefited from the new deduction.", "4.6 million"),
        ("Roughly seven in 10 Americans support the change.", "seven in 10"),
        ("The agency has already identified billions in waste.", "billions"),
        ("Roads carry a trillion-dollar backlog of repairs.", "trillion-dollar"),
        # A name or proper adjective between the number and what it counts.
        ("The airline ordered 150 European-built Airbus jets this spring.", "150"),
        ("Inspectors cleared 320 U.S. dairy plants for export.", "320"),
        ("About one million Welsh households will see lower bills.", "one million"),
        ("Two decades ago 40% of homes had no central heating.", "40%"),
    ],
)
def test_counts_and_magnitudes_written_the_american_way(sentence: str, value: str) -> None:
    assert value in [v[2] for v in find_values(sentence)]


@pytest.mark.parametrize(
    "sentence",
    [
        "The President is issuing a third Executive Order on contraception.",
        "She is a fifth generation native of the island.",
        "We celebrate 250 glorious years of independence.",
        "Free flu jabs are offered to the over-65s.",
    ],
)
def test_ordinals_anniversaries_and_ages_are_not_figures(sentence: str) -> None:
    assert find_values(sentence) == []


def test_a_record_over_years_is_still_a_figure_and_a_signature_line_is_not() -> None:
    assert [v[2] for v in find_values("Exports rose at their fastest pace in more than six years.")]
    found = find_values("Wage growth has been the strongest of any recovery in 50 years.")
    assert [v[2] for v in found] == ["in 50 years"]
    # No superlative, no record: "in the end" and a plain span are not one.
    no_record = find_values("The council met in the end for the best part of two years.")
    assert not any(v[2].startswith("in ") for v in no_record)
    result = story(
        "Ministers set out the plan today.",
        "IN WITNESS WHEREOF, I have set my hand this fourth day of December, in the year "
        "two thousand twenty-six.",
    )
    assert result.key_figures == ()


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("Harbour traffic fell to its lowest level since 1970.", "since 1970"),
        (
            "Ferry fares rose for the first time in at least five decades.",
            "in at least five decades",
        ),
        ("Tourism is at its highest in the last two decades.", "in the last two decades"),
        ("Starts hit their highest level in more than a year.", "in more than a year"),
        ("For seven straight months, no ferry sailed late.", "seven straight months"),
        ("Rents fell for the fourth consecutive quarter.", "fourth consecutive quarter"),
        ("The gallery will reopen on Tuesday, December 2, 2025.", "December 2, 2025"),
    ],
)
def test_records_runs_and_reopening_dates_are_figures(sentence: str, value: str) -> None:
    assert value in [v[2] for v in find_values(sentence)]


def test_a_year_that_only_dates_a_clause_is_not_a_record() -> None:
    assert find_values("The ferry has sailed since 1970 from the old quay.") == []


@pytest.mark.parametrize(
    "dateline",
    [
        "WASHINGTON – ",
        "LONDON, UK — ",
        "(Washington, D.C., March 20, 2018) – ",
        "WASHINGTON, DC ",
        "May 30, 2018 -- ",
        "BOSTON— Monday, June 22, 2015 - ",
        "ALBANY, N.Y. (Feb 5, 2008)– ",
        "DALLAS – (May 15, 2017) ",
        "DAUPHIN—",
    ],
)
def test_a_dateline_is_not_part_of_the_figure(dateline: str) -> None:
    sentence = "The Department today awarded three grants totalling $11.2 million to states."
    result = story(f"{dateline}{sentence}", "Applications open in May.")
    assert [f.text for f in result.key_figures] == [sentence]
    assert_grounded(result)


@pytest.mark.parametrize("hedge", ["Approximately", "Roughly", "Nearly"])
def test_a_count_after_a_run_in_label_and_a_hedge_is_a_figure(hedge: str) -> None:
    # "No Tax on Tips: Approximately one million seniors …": the capital is the
    # sentence's, not a name's ("Act 1988").
    sentence = f"No Tax on Tips: {hedge} one million Lakeland seniors benefit from the deduction."
    assert [v[2] for v in find_values(sentence)] == ["one million"]


def test_an_item_finishing_its_lead_ins_sentence_is_a_figure_that_continues() -> None:
    s = story(
        "The law puts £2 billion into small firms over five years.",
        "Specifically, the law will:",
        "- Expand access to £37 billion of public contracts for small firms.",
        "- Cut late payments to 30 days for every supplier.",
        "Officials said:",
        "- 4,000 firms have already signed up.",
    )
    marked = {f.text: f.continues for f in s.key_figures}
    assert marked["Expand access to £37 billion of public contracts for small firms."]
    assert marked["Cut late payments to 30 days for every supplier."]
    # A lead-in that does not leave its sentence open: the item is a sentence of its own.
    assert marked["4,000 firms have already signed up."] is False
    assert marked["The law puts £2 billion into small firms over five years."] is False


def test_a_forwarded_posts_marked_lines_are_not_the_articles_figures() -> None:
    s = story(
        "Economists reacted to the March jobs report on Friday.",
        "The > unemployment rate fell and job growth remains robust as the trillions in >"
        " investments pour in, adding 228,000 jobs.",
        "Employers added 228,000 jobs in March, the Bureau of Labor Statistics said.",
    )
    assert [f.text for f in s.key_figures] == [
        "Employers added 228,000 jobs in March, the Bureau of Labor Statistics said."
    ]


def test_all_50_states_is_everywhere_not_a_figure_after_the_lede() -> None:
    s = story(
        "The plant will employ 1,200 people in Louisiana.",
        "Officials toured the site on Monday with local leaders.",
        "Construction begins in May on the first of three buildings.",
        "From steel mills to data centers, the policies are delivering results in all 50 states.",
        "The state expects $100 billion in new investment by 2030.",
    )
    texts = [f.text for f in s.key_figures]
    assert not any("all 50 states" in t for t in texts)
    assert "The state expects $100 billion in new investment by 2030." in texts


def test_a_paragraph_inside_a_quote_left_open_is_the_speakers_not_narrative() -> None:
    # Multi-paragraph quotes open each paragraph and close only the last; a paragraph
    # with no marks after one left open is still her words.
    s = story(
        "The hospital was not granted foundation status.",
        'Chairman Jane Roe said: "We have had tremendous support from the community.',
        "A big thank you goes to the 8,800 people who signed up to become members.",
        '"Public involvement remains very important to the hospital."',
    )
    figure = next(f for f in s.key_figures if "8,800" in f.text)
    assert figure.quoted


def test_a_street_block_number_is_an_address_not_a_figure() -> None:
    s = story(
        "Prosecutors have charged a man with murder in a shooting last year.",
        "",
        "The victim was found inside his apartment in the 1100 block of North Dearborn Street.",
    )
    assert not any("1100 block" in f.text for f in s.key_figures)

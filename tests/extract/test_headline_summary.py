"""Headline cleaning and the summary lede."""

from __future__ import annotations

import pytest

from distributor.extract import headline, sentences
from tests.extract.helpers import story


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("New flood defences for Somerset - GOV.UK", "New flood defences for Somerset"),
        ("New flood defences for Somerset | GOV.UK.", "New flood defences for Somerset"),
        ("  Bus fares   capped at £3.  ", "Bus fares capped at £3"),
        ("Rail strike: what it means – Department for Transport", "Rail strike: what it means"),
        ("Is the plan working?", "Is the plan working?"),
        ("Tax &amp; spending review", "Tax & spending review"),
        ("Grants for farmers;", "Grants for farmers"),
        # A date a site put before the title.
        ("18/10/2024: Council secures £1.24m for housing", "Council secures £1.24m for housing"),
        ("2024 Budget: what it means", "2024 Budget: what it means"),
        # An abbreviation keeps its own full stop.
        ("Saferoom funded in St. Clair, Minn.", "Saferoom funded in St. Clair, Minn."),
        ("Jobs return to the U.S.", "Jobs return to the U.S."),
    ],
)
def test_headline_drops_suffixes_punctuation_and_spacing(title: str, expected: str) -> None:
    assert headline.clean(title) == expected


def test_summary_is_the_lede_not_the_byline_or_heading() -> None:
    result = story(
        "By Sam Reed, 29, Health Reporter",
        "Background",
        "Hospitals in the north will get 400 extra beds this winter. The beds open in December.",
        "More detail follows here in a longer paragraph that says other things.",
    )
    assert result.summary == (
        "Hospitals in the north will get 400 extra beds this winter. The beds open in December."
    )


def test_summary_keeps_one_sentence_when_the_lede_is_long() -> None:
    first = (
        "The Department for Transport has confirmed that the single bus fare cap in England "
        "will stay at £3 until the end of next year, ministers said on Monday."
    )
    result = story(f"{first} Operators welcomed the news.")
    assert result.summary == first


def test_summary_skips_a_quote_paragraph_at_the_top() -> None:
    result = story(
        "“We are delighted,” said the council leader.",
        "The council has approved a new library for the town centre after a long campaign.",
    )
    assert result.summary.startswith("The council has approved")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("The Rt Hon. Jane Doe MP spoke. She left.", 2),
        ("Dr. Amir Khan said the £1.5bn plan, e.g. for roads, works. Next.", 2),
        ("Growth was 2.5 per cent. It was 3.1 per cent last year.", 2),
        ("The U.K. and the U.S. agreed. Talks end today.", 2),
        ("“This is great,” she said. “More to come.”", 2),
        ("Spending rose… then it fell. Officials were unsure.", 2),
        # A state as AP abbreviates it, inside a sentence and ending one.
        ("The school in St. Clair, Minn., gets a saferoom. Work starts soon.", 2),
        ("The saferoom is in St. Clair, Minn. The work starts soon.", 2),
        ("The patient fell ill. Doctors were called.", 2),
    ],
)
def test_sentences_respect_abbreviations_and_decimals(text: str, count: int) -> None:
    spans = sentences.split(text)
    assert len(spans) == count
    for s in spans:
        assert text[s.start : s.end] == s.text


def test_a_run_in_label_in_capitals_and_a_dateline_are_not_the_summary() -> None:
    from tests.extract.helpers import story as make

    labelled = make(
        "KEEPING SCHOOLS SAFE: Today, the Secretary signed an order on school discipline.",
        "The order takes effect in 30 days.",
    )
    assert labelled.summary == "Today, the Secretary signed an order on school discipline."
    dated = make("WASHINGTON – Today, the President named twenty recipients of the medal.")
    assert dated.summary == "Today, the President named twenty recipients of the medal."
    weekday = make("BOSTON— Monday, June 22, 2015 - The Mayor named twenty new apprentices.")
    assert weekday.summary == "The Mayor named twenty new apprentices."
    doubled = make("PHILADELPHIA – (January 18, 2018) -- The agency awarded twenty grants.")
    assert doubled.summary == "The agency awarded twenty grants."
    assert make("WASHINGTON -- The agency awarded twenty grants.").summary == doubled.summary
    bracketed = make("Harbour City (May 14, 2024) The agency awarded twenty grants.")
    assert bracketed.summary == doubled.summary
    enclosed = make("(Harbour – July 7, 2024) The agency awarded twenty grants.")
    assert enclosed.summary == doubled.summary
    assert make("MADISON-The agency awarded twenty grants.").summary == doubled.summary
    titled = make("Harbour City – April 1, 2025 – The agency awarded twenty grants.")
    assert titled.summary == doubled.summary
    assert make("Raleigh - The agency awarded twenty grants.").summary == doubled.summary
    # A name and a dash before a date that ends no dateline stay.
    kept = make("Ana Ruiz – April 1, 2025 was the day the agency awarded twenty grants.")
    assert kept.summary.startswith("Ana Ruiz – April 1, 2025")
    # A dash the page's encoding turned into "?".
    assert make("AUGUSTA ? The agency awarded twenty grants.").summary == doubled.summary


def test_a_standfirst_in_sentence_case_without_a_full_stop_is_not_the_summary() -> None:
    from tests.extract.helpers import story as make

    result = make(
        "The state's highest court declines to review a ruling on a grant of diversion to a"
        " man charged with attempted murder",
        "A man accused of a violent rampage in Harbour City will face trial after the court"
        " declined to review the ruling.",
    )
    assert result.summary.startswith("A man accused of a violent rampage")


def test_a_standfirst_in_headline_case_is_not_the_summary() -> None:
    from tests.extract.helpers import story as make

    result = make(
        "State Parks, Beaches, and Campgrounds Are Open This Summer; Three Shoreline Parks "
        "Reachable by Rail and Bus",
        "The Governor today opened the summer season at the state's 110 parks.",
    )
    assert result.summary == "The Governor today opened the summer season at the state's 110 parks."


def test_a_lede_of_background_then_todays_news_keeps_both_sentences() -> None:
    s = story(
        "One year ago, the council promised to rebuild every flooded school. Today, it opened"
        " the last of the 14 schools, two months early. Work began in March.",
        title="Last flooded school reopens",
    )
    assert s.summary == (
        "One year ago, the council promised to rebuild every flooded school. Today, it opened"
        " the last of the 14 schools, two months early."
    )


def test_a_letters_salutation_and_a_briefings_greeting_are_not_the_lede() -> None:
    s = story(
        "Dear Mr. Chairman: (Dear Madam Chair:)",
        "I am providing the report on the new treaty, as the law requires.",
        title="Letter to Certain Congressional Committees on the Treaty",
    )
    assert s.summary == "I am providing the report on the new treaty, as the law requires."
    s = story(
        "Good afternoon, everyone. Today the Administration is announcing 12 new sanctions"
        " on the regime.",
        title="Background Press Call on New Sanctions",
    )
    assert s.summary == "Today the Administration is announcing 12 new sanctions on the regime."


def test_a_first_paragraph_announcing_the_list_under_it_is_the_lede() -> None:
    s = story(
        "WASHINGTON – Today, the President announced his intent to nominate the following"
        " people to serve as judges:",
        "- Ann Cole, Nominee to be a Judge on the Tax Court",
        "- Ben Ode, Nominee to be a Judge on the Tax Court",
        title="President Announces Key Nominees",
    )
    assert s.summary == (
        "Today, the President announced his intent to nominate the following people to serve"
        " as judges."
    )
    # A lead-in that is not the news ("The plan will:") is still passed over.
    s = story(
        "The council published its plan on Monday after two years of work.",
        "The plan will:",
        "- Cut waiting times by 20%.",
    )
    assert s.summary == "The council published its plan on Monday after two years of work."


def test_a_lead_in_that_needs_its_list_to_be_a_sentence_is_not_the_lede() -> None:
    s = story(
        "On Friday, December 26, 2025, the President signed into law:",
        "S. 216, the Clean Seas Act, which funds the marine debris programme through 2029.",
        title="Bills Signed into Law",
    )
    assert s.summary != "On Friday, December 26, 2025, the President signed into law."


def test_a_page_of_bare_quotes_has_no_summary_in_the_publishers_voice() -> None:
    from tests.extract.helpers import story as make

    result = make(
        "“The board recognised the work being done across the county on utility projects.",
        "“We are fortunate to have a director of such experience to head the department.”",
    )
    assert not result.summary.startswith("“")


def test_a_paragraph_whose_last_sentence_leads_into_a_list_opens_with_the_news() -> None:
    # Over it, a standfirst in headline case too long to be read as a heading.
    s = story(
        "County Food Prices Rose Less Than Those Of Every Neighbouring County Over The Summer"
        " Months, New Council Figures Show",
        "",
        "Food prices in the county have eased. The index rose at a 1.9 percent rate from"
        " January through July. Set against other counties, the figures show the following:",
        "",
        "- Prices rose in every county over the past 12 months.",
    )
    assert s.summary == (
        "Food prices in the county have eased. The index rose at a 1.9 percent rate from"
        " January through July."
    )


def test_a_rhetorical_question_is_not_the_lede() -> None:
    s = story(
        "How many more warnings do drivers need before they slow down near schools?",
        "Last week a driver was caught at 52 mph outside Hill Primary School, where the limit"
        " is 20 mph.",
    )
    assert s.summary.startswith("Last week a driver was caught at 52 mph")


def test_a_lede_opening_with_several_sentences_of_quote_is_summed_up_by_its_narrative() -> None:
    s = story(
        "“As neighbours we share. As a town we grow. Beginning today, let us build the"
        " library together.” Mayor Ana Ruiz opened the new library on Saturday in front of"
        " 300 residents.",
        "The library has 40,000 books.",
    )
    assert (
        s.summary == "Mayor Ana Ruiz opened the new library on Saturday in front of 300 residents."
    )


@pytest.mark.parametrize(
    "opening, lede",
    [
        (
            "Saint Paul – Governor Ann Lake today named three people to the Board of Health.",
            "Governor Ann Lake today named three people to the Board of Health.",
        ),
        (
            "Hays County Courthouse, San Marcos, TX – The Commissioners Court has named August"
            " as Immunization Month.",
            "The Commissioners Court has named August as Immunization Month.",
        ),
    ],
)
def test_a_place_in_title_case_before_a_dash_is_a_dateline(opening: str, lede: str) -> None:
    assert story(opening, "", "The board meets four times a year.").summary == lede


def test_a_lead_in_over_a_page_of_quotes_is_not_the_summary() -> None:
    s = story(
        "Cllr Ann Hale, Portfolio Holder for Environment said:",
        "",
        "“We have analysed the feedback from residents and will take it to the committee.",
        "",
        "“We thank all residents who took part in the consultation this year.”",
    )
    assert s.summary == ""


def test_a_date_without_its_year_is_a_dateline_only_with_a_months_name() -> None:
    assert story("September 1 - The council opened the new library.").summary == (
        "The council opened the new library."
    )
    phase = "Phase 2 – The council will resurface the High Street from Monday."
    assert story(phase).summary == phase


def test_a_line_pointing_to_a_lost_link_is_not_the_summary() -> None:
    s = story(
        "Attorney General Ann Hale released the following statement:",
        "",
        "“Today’s ruling is a victory for the rule of law.”",
        "",
        "Read the full filing here.",
    )
    assert s.summary == ""


def test_a_place_joined_to_its_date_by_a_bare_hyphen_is_a_dateline() -> None:
    s = story("Miami-June 26, 2025 – The State Attorney charged a police officer today.")
    assert s.summary == "The State Attorney charged a police officer today."

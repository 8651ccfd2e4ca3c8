"""Quotes: every attribution style, speakers and roles, and never an invented quote."""

from __future__ import annotations

import pytest

from tests.extract.helpers import assert_grounded, story


def test_curly_quote_with_said_name_after() -> None:
    result = story(
        "Ministers have approved a new bridge over the Tyne.",
        "“This bridge will link two communities,” said Transport Minister Lena Fox.",
    )
    assert result.quote is not None
    assert result.quote.text == "This bridge will link two communities,"
    assert result.quote.speaker == "Lena Fox"
    assert result.quote.role == "Transport Minister"
    assert_grounded(result)


def test_straight_quote_split_around_she_said_is_one_quote_in_two_segments() -> None:
    result = story(
        "Health Secretary Maya Rowe announced the plan on Tuesday.",
        '"We are listening to patients," she said. "And we are acting on what they tell us."',
    )
    q = result.quote
    assert q is not None
    assert len(q.segments) == 2
    assert q.text == "We are listening to patients. And we are acting on what they tell us."
    assert q.speaker == "Maya Rowe"
    assert_grounded(result)


def test_colon_lead_in_names_the_subject() -> None:
    result = story(
        "Schools will get new science labs.",
        "Education Secretary Tom Hale emphasised the importance of practical lessons: "
        "“Children learn science by doing it.”",
    )
    assert result.quote is not None
    assert result.quote.text == "Children learn science by doing it."
    assert result.quote.speaker == "Tom Hale"


@pytest.mark.parametrize(
    "lead",
    [
        "The Minister for School Standards, Alex Drummond, put it simply:",
        "Alex Drummond, the Minister for School Standards, said:",
        "Minister for School Standards Alex Drummond said:",
    ],
)
def test_a_role_naming_its_brief_is_not_taken_for_a_name(lead: str) -> None:
    result = story(
        "Breakfast clubs will open in every primary school.", f"{lead} “Fed children learn.”"
    )
    assert result.quote is not None
    assert result.quote.speaker == "Alex Drummond"
    assert result.quote.role == "Minister for School Standards"


def test_dash_attribution() -> None:
    result = story(
        "The council has opened a new park.",
        "“Green space matters to everyone in this borough.” – Councillor Priya Nair",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Priya Nair"


def test_honorifics_and_post_nominals_are_dropped_and_the_role_kept() -> None:
    result = story(
        "The government has published its plan for growth.",
        "The Prime Minister, The Rt Hon Sir Keir Starmer KCB KC MP, said: "
        "“Growth is the mission of this government.”",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Keir Starmer"
    assert result.quote.role == "Prime Minister"


def test_gov_uk_lead_in_without_marks() -> None:
    result = story(
        "A new cyber security centre will open in Manchester.",
        "Security Minister Dan Jarvis said:",
        "We are building the defences this country needs.",
        "Our partners in industry will play a central part in this.",
        "Further information",
        "The centre opens next year.",
    )
    q = result.quote
    assert q is not None
    assert q.speaker == "Dan Jarvis"
    assert q.text == (
        "We are building the defences this country needs. "
        "Our partners in industry will play a central part in this."
    )
    assert_grounded(result)


@pytest.mark.parametrize(
    "lead",
    [
        "Ports Minister Ilse Vantongeren will say:",
        "Ports Minister Ilse Vantongeren is expected to say:",
        "Ports Minister Ilse Vantongeren will tell the conference:",
        "She is expected to say:",
    ],
)
def test_a_speech_trailed_before_it_is_given_is_the_speakers_words(lead: str) -> None:
    # GOV.UK trails a speech in the future tense, its words below with no marks.
    result = story(
        "Ports strategy",
        "Ports Minister Ilse Vantongeren will set out the strategy today.",
        lead,
        "Every harbour in the country will have a deeper berth by 2030.",
        "That is what this plan delivers.",
        "The strategy was published last year.",
    )
    q = result.quote
    assert q is not None
    assert (q.speaker, q.role) == ("Ilse Vantongeren", "Ports Minister")
    assert q.text == (
        "Every harbour in the country will have a deeper berth by 2030. "
        "That is what this plan delivers."
    )
    assert_grounded(result)


def test_a_closing_mark_the_unmarked_passage_never_opened_is_not_quoted() -> None:
    result = story(
        "The active travel fund opens today.",
        "Deputy Minister for Transport Lena Rhys said:",
        "Getting people out of cars for short journeys is a huge challenge.",
        "We are moving in the right direction.”",
        "The fund closes in May.",
    )
    q = result.quote
    assert q is not None
    assert q.text == (
        "Getting people out of cars for short journeys is a huge challenge. "
        "We are moving in the right direction."
    )
    assert_grounded(result)


def test_an_unmarked_passage_runs_on_through_a_paragraph_between_two_in_the_first_person() -> None:
    result = story(
        "The inquiry's interim report was published today.",
        "Harbour Secretary, Alma Reyes, said:",
        "This statement responds to the interim report published this morning.",
        "There can be no doubt that the inquiry has earned the trust of the families.",
        "We must remember the 300 people who lost their lives.",
        "The final report is due next year.",
    )
    q = result.quote
    assert q is not None
    assert q.speaker == "Alma Reyes"
    assert q.text.endswith("We must remember the 300 people who lost their lives.")
    assert "final report" not in q.text
    assert_grounded(result)


def test_an_unmarked_passage_never_bridges_into_another_attribution() -> None:
    result = story(
        "The inquiry's interim report was published today.",
        "Harbour Secretary, Alma Reyes, said:",
        "This statement responds to the interim report published this morning.",
        "The families' lawyer said the report was overdue.",
        "We will read it closely.",
    )
    q = result.quote
    assert q is not None
    assert q.text == "This statement responds to the interim report published this morning."


@pytest.mark.parametrize(
    "lead",
    [
        # The lead-in is the last sentence of a longer paragraph.
        "WASHINGTON – The House passed the Harbours Act, 310 to 107. U.S. Secretary of "
        "Harbours Ilse M. Vantongeren issued the following statement following its passage:",
        # The statement is announced with a full stop, its words in marks below.
        "Today, U.S. Secretary of Harbours Ilse M. Vantongeren released the following "
        "statement following the Senate's passage of the Harbours Act.",
        # A dateline before it.
        "LANSING, Mich. — U.S. Secretary of Harbours Ilse M. Vantongeren issued the "
        "following statement after the Senate's passage of the Harbours Act.",
    ],
)
def test_the_following_statement_is_the_named_persons(lead: str) -> None:
    result = story(
        "Harbours Act passes",
        lead,
        "“Today’s vote is a significant step for every port. I thank the Senators who "
        "stayed at the table.”",
        "The Act provides up to $1.9 billion a year for five years.",
    )
    q = result.quote
    assert q is not None
    assert (q.speaker, q.role) == ("Ilse M. Vantongeren", "U.S. Secretary of Harbours")
    assert q.text.startswith("Today’s vote is a significant step")
    assert_grounded(result)


def test_an_unmarked_passage_stops_where_the_release_speaks_of_the_government_again() -> None:
    result = story(
        "New controls on harbour chemicals come into force today.",
        "Harbours Minister Ilse Vantongeren said:",
        "The deaths of young people at the hands of criminals selling these chemicals are a "
        "tragedy.",
        "These new measures will keep dangerous substances out of the wrong hands.",
        "These measures follow the 2017 port fire and the government’s commitment to review "
        "the law.",
        "We will report on the new controls within 12 months.",
    )
    q = result.quote
    assert q is not None
    assert q.text.endswith("out of the wrong hands.")
    assert "commitment" not in q.text


def test_quote_inside_a_quote_stays_in_the_outer_quote() -> None:
    result = story(
        "Volunteers were thanked at a reception in Cardiff.",
        "“One of them told me ‘I would do it all again’, and I believe her,” said Ana Silva.",
    )
    assert result.quote is not None
    assert result.quote.text == "One of them told me ‘I would do it all again’, and I believe her,"
    assert result.other_quotes == ()


def test_ellipsis_inside_a_quote_does_not_end_it() -> None:
    result = story(
        "The inquiry has published its findings.",
        "“We found failings… serious ones… at every level,” said the chair, Dame Ruth Obi.",
    )
    assert result.quote is not None
    assert result.quote.text == "We found failings… serious ones… at every level,"
    assert result.quote.speaker == "Ruth Obi"
    assert result.quote.role == "chair"


def test_spokesperson_is_the_description_as_written() -> None:
    result = story(
        "Term dates will not change.",
        "A Department for Education spokesperson said: “Schools will open as planned.”",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Department for Education spokesperson"


def test_consecutive_quote_paragraphs_by_the_same_speaker_are_one_passage() -> None:
    result = story(
        "Farmers will be paid to plant hedgerows, Environment Secretary Steve Reed said.",
        "“Hedgerows are the backbone of our countryside,” said Mr Reed.",
        "“This scheme will restore thousands of miles of them.”",
        "The National Farmers’ Union welcomed the plan.",
        "“It is a good start,” said union president Tom Bradshaw.",
    )
    q = result.quote
    assert q is not None
    assert q.speaker == "Steve Reed"
    assert len(q.segments) == 2
    assert [o.speaker for o in result.other_quotes] == ["Tom Bradshaw"]


def test_main_quote_is_the_principal_speakers_even_when_not_first() -> None:
    result = story(
        "Justice Secretary Shabana Mahmood has announced 1,000 new prison places.",
        "“It is overdue,” said local resident Omar Haddad.",
        "“We are ending the capacity crisis,” said Ms Mahmood.",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Shabana Mahmood"
    assert [o.speaker for o in result.other_quotes] == ["Omar Haddad"]


@pytest.mark.parametrize(
    "lines",
    [
        ("The minister said the plan would work and that funding was secure.",),
        ("The so-called “levelling up” fund has been renamed.",),
        ("The report, “Fit for the Future”, was published on Monday.",),
        ("I have worked in this field for 20 years. We need more nurses.",),
        ("Officials described the talks as ‘constructive’.",),
        ("",),
    ],
)
def test_no_invented_quote(lines: tuple[str, ...]) -> None:
    result = story(*lines)
    assert result.quote is None
    assert result.other_quotes == ()


def test_he_said_after_a_new_person_is_named_is_that_person() -> None:
    result = story(
        "Health Minister Karin Smyth opened the new clinic in Luton.",
        "“It will serve 20,000 patients a year,” said Ms Smyth.",
        "Local pharmacist Arjun Mehta, who has worked in the town for 20 years, welcomed it.",
        "“We have waited a long time for this,” he said.",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Karin Smyth"
    assert [o.speaker for o in result.other_quotes] == ["Arjun Mehta"]


def test_a_bare_role_resolves_to_the_person_named_with_it() -> None:
    result = story(
        "Border Security Minister Angela Eagle visited Dover, with officials from the port.",
        "Port chief executive Doug Bannister showed her the new lanes.",
        "The minister said: “Faster checks mean fresher food on our shelves.”",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Angela Eagle"


def test_an_organisation_speaks_as_written() -> None:
    result = story(
        "Plans for a new reservoir in Lincolnshire have been approved.",
        "“This is good news for wildlife as well as for water supplies,” the RSPB said.",
    )
    assert result.quote is not None
    assert result.quote.speaker == "RSPB"


def test_straight_single_marks_and_possessives() -> None:
    result = story(
        "Residents’ groups have backed the plan for the estate.",
        "'The tenants’ voices were heard at last,' said councillor Mary Byrne.",
    )
    assert result.quote is not None
    assert result.quote.text == "The tenants’ voices were heard at last,"
    assert result.quote.speaker == "Mary Byrne"


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("«We will work together,» said Minister Anna Berg.", "We will work together,"),
        ("„We will work together,“ said Minister Anna Berg.", "We will work together,"),
        ("&ldquo;We will work together,&rdquo; said Minister Anna Berg.", "We will work together,"),
    ],
)
def test_other_quote_mark_styles(line: str, text: str) -> None:
    result = story("Ministers met in Oslo on Monday.", line)
    assert result.quote is not None
    assert result.quote.text == text
    assert result.quote.speaker == "Anna Berg"
    assert_grounded(result)


@pytest.mark.parametrize(
    "lead",
    [
        "Speaking at the launch in Derby, the Chancellor, Rachel Reeves, said:",
        "Commenting on the figures, Chancellor Rachel Reeves said:",
        "Welcoming the plan, Rachel Reeves, the Chancellor, said:",
    ],
)
def test_a_clause_before_the_speaker_is_not_the_speaker(lead: str) -> None:
    result = story(
        "The Treasury has published its growth figures.",
        lead,
        "We are turning the economy around.",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Rachel Reeves"
    assert result.quote.role is not None and "Chancellor" in result.quote.role


def test_according_to_attribution() -> None:
    result = story(
        "Ferry services to the islands will resume next week.",
        "“Crews worked around the clock,” according to CalMac chief executive Duncan Mackison.",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Duncan Mackison"


def test_a_quoted_title_followed_by_said_is_not_a_quote() -> None:
    result = story(
        "“Fit for the Future”, published by the National Audit Office, said that costs had risen."
    )
    assert result.quote is None


def test_two_apostrophes_as_double_marks() -> None:
    result = story("The bridge reopened on Monday.", "''We are relieved,'' said driver Sam Ortiz.")
    assert result.quote is not None
    assert result.quote.text == "We are relieved,"
    assert result.quote.speaker == "Sam Ortiz"
    assert_grounded(result)


def test_a_heading_naming_a_speaker_signs_the_bare_quotes_listed_under_it() -> None:
    result = story(
        "Today, Health Secretary Maya Rowe opened a new surgical hub in Leeds.",
        "### Secretary Rowe hailed the hub's first month.",
        "- “Waiting lists here have fallen faster than anywhere in the country.” (Watch)",
        "- “Every patient treated here is a patient who no longer waits in pain.” (Watch)",
        "### Staff described the change.",
        "- “We did 400 operations in four weeks.”",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Maya Rowe"
    assert result.quote.text.startswith("Waiting lists here")
    said = [(q.speaker, q.text[:12]) for q in (result.quote, *result.other_quotes)]
    # Each item is its own quote; the list under a heading that names nobody is unsigned.
    assert said == [("Maya Rowe", "Waiting list"), ("Maya Rowe", "Every patien")]
    assert_grounded(result)


def test_a_colon_line_signs_the_list_only_when_it_presents_someone_speaking() -> None:
    result = story(
        "The Environment Secretary signed an order setting out the scheme's terms:",
        "- “Every eligible household shall receive a survey.”",
        "Today in Hebden Bridge, Flood Envoy Dana Clarke underscored the work ahead:",
        "- “We will have flood doors fitted in every eligible home by March.”",
    )
    assert result.quote is not None
    assert (result.quote.speaker, result.quote.role) == ("Dana Clarke", "Flood Envoy")
    assert result.quote.text.startswith("We will have flood doors")
    assert result.other_quotes == ()


def test_a_quote_then_who_opened_their_remarks() -> None:
    result = story(
        "“No family should spend another winter afraid of the river.” Flood Envoy Dana "
        "Clarke opened her remarks in York with a promise to the households flooded last year.",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Dana Clarke"
    # The quote-led lede is the summary, with the sentence that says who and where.
    assert result.summary.startswith("“No family") and result.summary.endswith("last year.")


def test_a_participle_lead_in_gives_the_quote_to_the_sentences_subject() -> None:
    result = story(
        "Chancellor Rachel Reeves has long backed the Pensions Bill, saying it “will put "
        "£11 billion to work in British firms by the end of the decade.”",
        "The Bill was praised by unions, noting that “pensions are deferred wages.”",
    )
    assert result.quote is not None
    assert (result.quote.speaker, result.quote.role) == ("Rachel Reeves", "Chancellor")
    assert result.quote.text.startswith("will put £11 billion")
    # "The Bill … noting that": no person is the subject, so nobody signs it.
    assert result.other_quotes == ()


def test_a_bare_surname_is_the_person_named_before_with_it() -> None:
    s = story(
        "Harbour dredging approved",
        "Ports Minister Ilse Vantongeren approved the dredging on Monday.",
        "“Ships will dock on any tide,” Vantongeren said.",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Ilse Vantongeren", "Ports Minister")


@pytest.mark.parametrize("gap", [" ", "  "])
def test_mr_surname_right_after_the_full_name_is_that_person(gap: str) -> None:
    # "… by Chancellor Tomas Ekwueme. Mr Ekwueme has …": the sentence ends between the
    # two mentions, so they are two names, and "Mr Ekwueme" is the Chancellor in full.
    s = story(
        "Harbour plan launched",
        f"The plan was launched today by Chancellor Tomas Ekwueme.{gap}Mr Ekwueme has "
        "sent it to his colleagues.",
        "Mr Ekwueme commented: “Every port needs a deeper berth. We must act now.”",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Tomas Ekwueme", "Chancellor")


def test_a_bare_surname_nobody_was_named_with_is_left_out() -> None:
    # Precision first: a surname alone could be anyone; the quote is not posted.
    s = story(
        "Harbour dredging approved",
        "The dredging was approved on Monday.",
        "“Ships will dock on any tide,” Vantongeren said.",
    )
    assert s.quote is None


@pytest.mark.parametrize(
    "line",
    [
        "As the Harbour Gazette reported, “Freight volumes rose for a third month.”",
        "According to the Harbour Gazette: “Freight volumes rose for a third month.”",
        "“Freight volumes rose for a third month,” reported the Harbour Gazette.",
    ],
)
def test_a_passage_quoted_from_a_news_report_is_the_outlets(line: str) -> None:
    s = story("Port traffic grows", "Port traffic grew again in March.", line)
    assert s.quote is not None
    assert s.quote.speaker == "Harbour Gazette"
    assert s.quote.text.startswith("Freight volumes rose for a third month")


@pytest.mark.parametrize(
    "line",
    [
        "Per the Harbour Gazette: “Freight volumes rose for a third month.”",
        "“Freight volumes rose for a third month,” wrote the editorial board of the Harbour"
        " Gazette.",
        "The Harbour Gazette editorial board wrote: “Freight volumes rose for a third month.”",
    ],
)
def test_an_outlet_named_with_per_or_through_its_editorial_board_is_the_outlet(
    line: str,
) -> None:
    s = story("Port traffic grows", "Port traffic grew again in March.", line)
    assert s.quote is not None
    assert s.quote.speaker == "Harbour Gazette"


@pytest.mark.parametrize(
    "line",
    [
        "Senator Ada Quill (R-TX): “The new port will bring jobs to the coast.”",
        "Rep. Ada Quill (D-Calif.) said: “The new port will bring jobs to the coast.”",
    ],
)
def test_a_party_and_state_in_brackets_is_not_part_of_the_speakers_name(line: str) -> None:
    s = story("Lawmakers praise the port", "Lawmakers praised the new port.", line)
    assert s.quote is not None
    assert s.quote.speaker == "Ada Quill"
    assert_grounded(s)


def test_a_surname_after_an_opening_phrase_is_the_person_named_before() -> None:
    s = story(
        "Farm secretary writes on prices",
        "Secretary of Agriculture Brooke Hallam wrote an op-ed in a farming weekly.",
        "In the op-ed, Hallam wrote: “Farmers have waited long enough for fair prices.”",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Brooke Hallam", "Secretary of Agriculture")


def test_three_voices_in_one_quote_leave_it_unsigned_not_half_signed() -> None:
    # Signing "Senator Ross and Governor Lee" (or "Jane") would put words in fewer mouths
    # than the text does: precision first, the quote is left out.
    s = story(
        "Leaders back the bridge",
        "Leaders backed the bridge on Monday.",
        "Senator Jane Ross, Senator Omar Hale and Governor Bill Lee said: “This is a great day.”",
    )
    assert s.quote is None


def test_an_honorific_picks_the_one_person_of_that_surname_it_fits() -> None:
    s = story(
        "First Lady hosts event",
        "First Lady Ada Marsh hosted the event with President Tom Marsh on Monday.",
        "Mrs. Marsh said, “Every child deserves a future.”",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Ada Marsh", "First Lady")


@pytest.mark.parametrize(
    "line",
    [
        "“We will build the road,” Marsh said.",
        "“We will build the road,” Secretary Marsh said.",
        "Mrs. Marsh said, “We will build the road.”",
    ],
)
def test_a_surname_two_people_share_is_left_unsigned_unless_the_role_tells_them_apart(
    line: str,
) -> None:
    # Precision first: the longer name was once taken, signing one person's words with
    # another's name.
    s = story(
        "Road approved",
        "Secretary John Marsh met Secretary Alice Marsh and Ivy Marsh on Monday.",
        line,
    )
    assert s.quote is None


def test_the_role_tells_two_people_of_one_surname_apart() -> None:
    s = story(
        "Road approved",
        "Secretary John Marsh met Governor Alice Marsh on Monday.",
        "“We will build the road,” Governor Marsh said.",
    )
    assert s.quote is not None
    assert s.quote.speaker == "Alice Marsh"


def test_she_after_two_people_is_left_unsigned() -> None:
    s = story(
        "Plant visit",
        "Secretary Jane Hollis toured the plant with Governor Bill Ames on Monday.",
        "“This plant will power a million homes,” she said.",
    )
    assert s.quote is None


def test_she_after_the_last_speaker_and_another_named_is_left_unsigned() -> None:
    # Two people since the last quote: the Governor signing it and the Senator; "she" fits
    # neither by a gendered role, so it is nobody's, never the last speaker's by default.
    s = story(
        "Governor Ana Ruiz signed the tenants bill.",
        "“Nobody should lose a home to a junk fee,” Governor Ruiz said.",
        "Senator Mary Holt, who wrote the bill, welcomed it.",
        "“We waited years for this,” she said.",
    )
    assert [(q.speaker, q.text) for q in (s.quote, *s.other_quotes) if q] == [
        ("Ana Ruiz", "Nobody should lose a home to a junk fee,")
    ]


def test_she_is_left_unsigned_while_the_last_speaker_is_still_the_subject() -> None:
    s = story(
        "Governor Ana Ruiz signed the tenants bill.",
        "“Nobody should lose a home to a junk fee,” she said. She thanked Senator Mary Holt"
        " for her work. “We waited years for this,” she said.",
    )
    said = {q.text: q.speaker for q in (s.quote, *s.other_quotes) if q}
    assert said == {"Nobody should lose a home to a junk fee,": "Ana Ruiz"}


def test_he_after_someone_new_is_named_does_not_continue_the_last_quote() -> None:
    s = story(
        "Governor Ana Ruiz signed the tenants bill.",
        "“Nobody should lose a home to a junk fee,” she said. Senator Tom Holt, who wrote the"
        " bill, welcomed it.",
        "“We waited years for this,” he said.",
    )
    ruiz = [q for q in (s.quote, *s.other_quotes) if q and q.speaker == "Ana Ruiz"]
    assert [q.text for q in ruiz] == ["Nobody should lose a home to a junk fee,"]


def test_she_in_the_next_paragraph_continues_a_quote_signed_after_it() -> None:
    s = story(
        "Governor Ana Ruiz signed the tenants bill.",
        "“Nobody should lose a home to a junk fee,” said Governor Ruiz.",
        "“This law ends that,” she said.",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.text) == (
        "Ana Ruiz",
        "Nobody should lose a home to a junk fee. This law ends that,",
    )


@pytest.mark.parametrize(
    "visit",
    [
        "“You make us proud,” Secretary Paul Brandt said at the base. He was joined by his"
        " wife, Ellen.",
        "“You make us proud,” he said. He was joined by his wife, Ellen.",
    ],
)
def test_she_after_a_spouse_met_only_as_his_wife_is_left_unsigned(visit: str) -> None:
    s = story("Secretary Paul Brandt visited the base.", visit, "“I am proud of you,” she said.")
    assert all("I am proud" not in q.text for q in (s.quote, *s.other_quotes) if q)


def test_the_secretary_after_two_secretaries_is_left_unsigned() -> None:
    s = story(
        "Secretary Ann Ford met Navy Secretary Carl Dunn at the Pentagon.",
        "“We agreed on a plan,” the secretary said.",
    )
    assert s.quote is None


def test_the_secretary_beside_a_deputy_is_the_secretary() -> None:
    s = story(
        "Defense Secretary Ann Ford visited the base with Deputy Secretary Carl Dunn.",
        "Dunn toured the new barracks.",
        "“These troops deserve the best,” the secretary said.",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Ann Ford", "Defense Secretary")


def test_a_quote_over_several_paragraphs_is_signed_where_it_closes() -> None:
    # Each paragraph opens a mark and only the last closes it, with the speaker's name.
    s = story(
        "Crews answered 160 fires this week.",
        "“Warm and windy weather dries the land within days.",
        "“Our volunteers have worked in hard conditions all week.",
        "“Have a fire plan and keep it up to date,” Commissioner Lena Hart said.",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.text) == (
        "Lena Hart",
        "Warm and windy weather dries the land within days. Our volunteers have worked in"
        " hard conditions all week. Have a fire plan and keep it up to date,",
    )


def test_a_bare_quote_paragraph_after_reported_speech_is_that_speakers() -> None:
    s = story(
        "Crews answered 160 fires this week.",
        "Commissioner Lena Hart said the wet winter had left grass taller than in 30 years.",
        "“Once this grass dies, no rain will bring it back.”",
        "“Grass fires start easily and spread fast.”",
    )
    said = [(q.speaker, q.text) for q in (s.quote, *s.other_quotes) if q]
    assert said == [
        (
            "Lena Hart",
            "Once this grass dies, no rain will bring it back. Grass fires start easily and"
            " spread fast.",
        )
    ]


def test_a_bare_quote_paragraph_after_plain_narrative_stays_unsigned() -> None:
    s = story(
        "Crews answered 160 fires this week.",
        "Commissioner Lena Hart visited the crews at Blackwood on Friday.",
        "“Once this grass dies, no rain will bring it back.”",
    )
    assert s.quote is None


def test_two_curly_single_marks_close_a_quote_as_a_double_mark_does() -> None:
    s = story(
        "Mayor Greg Hale said the new guide had everything residents need for the season.",
        "“The revamped guide has new storm surge maps,’’ Cr Hale said.",
        "“We added river flood maps for the first time,’’ he said.",
        "Cr Hale said the council also had a new dashboard on its website.",
    )
    said = [(q.speaker, q.role, q.text) for q in (s.quote, *s.other_quotes) if q]
    assert said == [
        (
            "Greg Hale",
            "Mayor",
            "The revamped guide has new storm surge maps. We added river flood maps for the"
            " first time,",
        )
    ]
    assert_grounded(s)


def test_a_split_quote_with_its_comma_after_the_mark_is_joined_with_a_full_stop() -> None:
    s = story(
        "Water restrictions are lowered to level 1 from today.",
        "“It’s a little early to remove restrictions completely”, says Water Manager Karl"
        " Hale. “Water use is still quite high.”",
    )
    assert s.quote is not None
    assert s.quote.text == (
        "It’s a little early to remove restrictions completely. Water use is still quite high."
    )
    assert_grounded(s)


def test_she_after_an_opening_clause_is_the_one_woman_named_since() -> None:
    s = story(
        "Tribute to military mothers",
        "First Lady Ada Marsh honoured the soldiers of the 103rd Supply Command, who served"
        " abroad.",
        "With Mother’s Day approaching, she asserted, “These mothers hold our families together.”",
    )
    assert s.quote is not None
    assert s.quote.speaker == "Ada Marsh"


def test_a_dash_signature_with_a_long_role_after_a_full_stop_signs_the_quote() -> None:
    s = story(
        "Farm deal praised",
        "Officials praised the deal.",
        "“This is a landmark agreement for our farmers.” - Jo Hale, Chief Executive of the"
        " National Farmers Group",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == (
        "Jo Hale",
        "Chief Executive of the National Farmers Group",
    )


@pytest.mark.parametrize(
    "lines",
    [
        [
            "“This is a landmark agreement for our farmers.”",
            "Jo Hale, Chief Executive of the Grange",
        ],
        [
            "Jo Hale, Chief Executive of the Grange:",
            "“This is a landmark agreement for our farmers.”",
        ],
    ],
)
def test_a_signature_line_of_its_own_under_or_over_a_quote_signs_it(lines: list[str]) -> None:
    s = story("Farm deal praised", "Officials praised the deal.", *lines)
    assert s.quote is not None
    assert s.quote.speaker == "Jo Hale"


def test_a_name_line_over_the_next_quote_does_not_sign_the_one_above() -> None:
    # "What they are saying" layouts put each name over its quote; the line under the
    # first quote is the second quote's head, so the first is left unsigned.
    s = story(
        "Leaders praise the deal",
        "Leaders praised the deal.",
        "“This is a landmark agreement for our farmers.”",
        "Jo Hale, Chief Executive of the Grange",
        "“We have waited for this for ten years.”",
    )
    signed = {q.text: q.speaker for q in (s.quote, *s.other_quotes) if q is not None}
    assert "This is a landmark agreement for our farmers." not in signed


def test_a_heading_under_a_quote_is_not_its_signature() -> None:
    s = story(
        "Faith victories",
        "- The President committed to “defend the legacy of prayer.”",
        "### Expanding School Choice and Protecting Parental Rights",
    )
    assert all(q.speaker != "Protecting Parental Rights" for q in (s.quote, *s.other_quotes) if q)


@pytest.mark.parametrize(
    ("lines", "speaker", "role", "text"),
    [
        (
            (
                "Governor Jane Hale welcomed the money on Wednesday.",
                "Governor Hale said that “this is the largest investment our state has received.”",
            ),
            "Jane Hale",
            "Governor",
            "this is the largest investment our state has received.",
        ),
        (
            (
                "Governor Jane Hale welcomed the money on Wednesday.",
                "Governor Hale told Fox News that “this will change lives in every county.”",
            ),
            "Jane Hale",
            "Governor",
            "this will change lives in every county.",
        ),
        (
            (
                "First Lady Melania Trump hosted military mothers at the White House.",
                "The First Lady also spoke about mothers, sharing that “mothers build the moral "
                "foundation of our families.”",
            ),
            "Melania Trump",
            "First Lady",
            "mothers build the moral foundation of our families.",
        ),
        (
            (
                "First Lady Melania Trump spoke at the gala on Thursday.",
                "Mrs. Trump also addressed the cynics, “Every breakthrough starts with one person "
                "daring to imagine.”",
            ),
            "Melania Trump",
            "First Lady",
            "Every breakthrough starts with one person daring to imagine.",
        ),
        (
            (
                "First Lady Melania Trump spoke at the gala on Thursday.",
                "And the First Lady ended the evening with a challenge: “Make a personal pledge to "
                "celebrate ambition.”",
            ),
            "Melania Trump",
            "First Lady",
            "Make a personal pledge to celebrate ambition.",
        ),
    ],
)
def test_a_quote_after_said_that_or_a_speaking_subjects_lead_in_is_signed(
    lines: tuple[str, ...], speaker: str, role: str, text: str
) -> None:
    s = story(*lines)
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role, s.quote.text) == (speaker, role, text)
    assert_grounded(s)


@pytest.mark.parametrize(
    "lines",
    [
        # A body, not a person, said it.
        (
            "The review was published on Monday.",
            "The report said that “the service needs 4,000 more staff by 2030.”",
        ),
        # A title nobody in the body holds: no one to sign with.
        ("The council welcomed the money on Wednesday, noting that “this will change lives.”",),
    ],
)
def test_a_said_that_quote_with_no_person_to_sign_it_is_left_out(lines: tuple[str, ...]) -> None:
    assert story(*lines).quote is None


def test_the_second_of_two_people_named_together_keeps_only_their_own_role() -> None:
    s = story(
        "Governor Jane Hale and Mayor Tom Lee opened the bridge on Monday.",
        "“This bridge will carry 40,000 cars a day,” Mayor Lee said.",
    )
    assert s.quote is not None and (s.quote.speaker, s.quote.role) == ("Tom Lee", "Mayor")


def test_a_news_headline_cited_with_its_outlet_is_a_title_not_a_quote() -> None:
    s = story(
        "Border crossings fell again in March.",
        "“California-Mexico border, once overwhelmed, now nearly empty”",
        "— Los Angeles Times",
    )
    assert s.quote is None
    # The same outlet's sentence, closed with a full stop, is its words.
    s = story(
        "Border crossings fell again in March.",
        "As the Los Angeles Times reported, “The border, once overwhelmed, is now nearly empty.”",
    )
    assert s.quote is not None and s.quote.speaker == "Los Angeles Times"


def test_on_a_page_of_reactions_the_first_quote_leads_even_when_the_headline_names_another() -> (
    None
):
    lines = (
        "Leaders welcomed the President's order on Friday.",
        "Edison Electric Institute CEO Drew Maloney: “This order protects customers and powers"
        " innovation.”",
        "President Jane Hale: “We will keep electricity affordable for every family.”",
    )
    s = story(*lines, title="WHAT THEY ARE SAYING: President Hale Unites Industry Leaders")
    assert s.quote is not None and s.quote.speaker == "Drew Maloney"
    # The same quotes under a headline the President leads: hers is the main one.
    s = story(*lines, title="President Hale Unites Industry Leaders")
    assert s.quote is not None and s.quote.speaker == "Jane Hale"


def test_a_role_named_in_a_possessive_resolves_the_mayor_said() -> None:
    result = story(
        "The council today approved Mayor Ada Okafor’s proposed $4.9 billion budget.",
        "“This is a forward-looking budget for every ward in the city,” the mayor said.",
    )
    assert result.quote is not None
    assert (result.quote.speaker, result.quote.role) == ("Ada Okafor", "Mayor")


def test_a_name_line_over_unmarked_paragraphs_signs_them() -> None:
    result = story(
        "The Chancellor will meet investors in New York this week.",
        "Chancellor of the Exchequer Rhian Vale:",
        "I have wasted no time in my first month in taking the decisions we need.",
        "Growth is the mission of this government.",
    )
    q = result.quote
    assert q is not None
    assert (q.speaker, q.role) == ("Rhian Vale", "Chancellor of the Exchequer")
    assert q.text.startswith("I have wasted no time")
    assert_grounded(result)


def test_a_long_role_then_the_person_leading_into_a_quote_is_that_person() -> None:
    result = story(
        "The council has secured £1.24m for housing support.",
        "Tarrow Deputy Leader and Executive Member for Housing and Planning, Councillor Ann "
        "Orrin welcomed the funding, saying: “This investment is a critical step forward for "
        "every family we serve.”",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Ann Orrin"


def test_a_report_quoted_inside_a_quote_gives_the_words_without_either_pair_of_marks() -> None:
    result = story(
        "The harbour grants reached every county.",
        "Ines Calder, Ports Director: “‘We’re expecting every berth to be full by June, and "
        "we’re hiring.’” [Harbour Gazette, 3/4/22]",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Ines Calder"
    assert result.quote.text == (
        "We’re expecting every berth to be full by June, and we’re hiring."
    )
    assert_grounded(result)


@pytest.mark.parametrize("place", ["Porthallow, ", ""])
def test_name_lines_with_the_place_first_each_sign_the_paragraphs_under_them(place: str) -> None:
    result = story(
        "Mayors across the coast backed the harbour plan on Friday.",
        f"{place}Cornwall Mayor Ana Brill:",
        "It is encouraging to see the plan include a deeper berth for every harbour. I am "
        "also glad the work starts this spring.",
        f"{place.replace('Porthallow', 'Kingsbridge')}Devon Mayor Tom Ferrer:",
        "The plan is practical enough to pass and bold enough to matter to our town.",
    )
    quotes = [result.quote, *result.other_quotes]
    assert [(q.speaker, q.role, q.text[:20]) for q in quotes if q] == [
        ("Ana Brill", "Cornwall Mayor", "It is encouraging to"),
        ("Tom Ferrer", "Devon Mayor", "The plan is practica"),
    ]
    assert_grounded(result)


def test_quotes_attributable_to_a_minister_are_signed_with_the_minister() -> None:
    result = story(
        "Every harbour in the state will get a deeper berth.",
        "Quotes attributable to Minister for Harbours Ana Brill:",
        "“I want every harbour to have a berth deep enough for the new ferries.",
        "“This is another important step for the towns along the coast.”",
        "Quotes attributable to Assistant Minister Tom Ferrer:",
        "“Our towns deserve the best harbours in the country.”",
    )
    quotes = [result.quote, *result.other_quotes]
    assert [(q.speaker, q.text[:22]) for q in quotes if q] == [
        ("Ana Brill", "I want every harbour t"),
        ("Tom Ferrer", "Our towns deserve the "),
    ]
    assert result.quote is not None and result.quote.text.endswith("along the coast.")


def test_a_section_label_over_a_quote_leaves_the_dash_line_under_it_to_sign_it() -> None:
    # Canadian provinces head their quotes "Quotes:" and sign each below, on its own line.
    s = story(
        "The province will spend $2.5 million on a campaign to attract newcomers.",
        "Quotes:",
        "“People across the country are looking at this province as a place to live.”",
        "– Pat Dunn, Minister of Communities",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Pat Dunn", "Minister of Communities")


def test_a_person_met_by_honorific_and_full_name_is_who_she_said_means() -> None:
    s = story(
        "New wards at the Rivers Centre will open next week.",
        "Dr Sophie Bagge, Lived Experience Lead at the Trust has been involved from the"
        " start. She said: “This is a real step forward in inpatient care.”",
    )
    assert s.quote is not None
    assert s.quote.speaker == "Sophie Bagge"


def test_she_stays_unsigned_when_two_people_met_by_honorific_could_be_her() -> None:
    s = story(
        "New wards at the Rivers Centre will open next week.",
        "Dr Sophie Bagge met Dr Hannah Reeve at the site. She said: “This is a real step"
        " forward in inpatient care.”",
    )
    assert s.quote is None


def test_a_quote_leaning_on_the_sentence_before_it_gives_way_to_the_speakers_next() -> None:
    s = story(
        "Minister Ana Brill announced $18.8 million for 12 regional projects today.",
        "The projects range from water storage to new roads.",
        "“Each aligns to the fund’s criteria to create jobs in the regions,” Ana Brill said.",
        "The largest grant, $4 million, goes to a water scheme in the north.",
        "“We are investing in projects that grow local firms and create jobs,” Ana Brill said.",
        title="Regional projects receive funding",
    )
    assert s.quote is not None
    assert s.quote.text.startswith("We are investing")
    assert [q.text[:4] for q in s.other_quotes] == ["Each"]


def test_an_unmarked_passage_stops_at_a_paragraph_reporting_figures() -> None:
    # GOV.UK writes the speaker's words without marks under "X said:"; the release's
    # own "The latest figures show …" is not theirs, though it says "your".
    s = story(
        "Drivers replaced almost a million licences last year.",
        "Dudley Ashford, Drivers Service Manager at the agency, said:",
        "While you don’t have to carry your licence, you need to have one to prove you can drive.",
        "The latest figures show that 8 out of 10 people carry their licence, and that your"
        " age decides where you keep it.",
    )
    assert s.quote is not None
    assert s.quote.speaker == "Dudley Ashford"
    assert "latest figures" not in s.quote.text


@pytest.mark.parametrize("open_mark, close_mark", [("“", "”"), ('"', '"')])
def test_a_paragraph_without_marks_after_a_lead_in_quote_has_closed_is_the_release_again(
    open_mark: str, close_mark: str
) -> None:
    s = story(
        "Firefighters were called to a flat fire in Vange on Monday.",
        "",
        "Watch Manager Howard Midwood said:",
        "",
        f"{open_mark}The family were lucky that a neighbour heard the smoke alarm.",
        "",
        f"{open_mark}This fire shows how important it is to have a working alarm.{close_mark}",
        "",
        "Smoke alarms save lives. They give you an early warning so you can get out.",
    )
    assert s.quote is not None and s.quote.speaker == "Howard Midwood"
    assert s.quote.text == (
        "The family were lucky that a neighbour heard the smoke alarm. This fire shows how"
        " important it is to have a working alarm."
    )
    assert_grounded(s)


def test_a_dateline_without_a_year_is_never_part_of_the_speakers_role() -> None:
    s = story(
        "CANADA, September 1 - The Prime Minister, Justin Trudeau, today issued the following"
        " statement on the new Premier:",
        "",
        "“On behalf of the Government of Canada, I congratulate the Premier on her election.”",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Justin Trudeau", "Prime Minister")


@pytest.mark.parametrize(
    "who, speaker, role",
    [
        ("Premier Ada Marsh has", "Ada Marsh", "Premier"),
        # Two people's joint statement keeps both names.
        ("Premier Ada Marsh and Minister of Sport Tom Hale have", "Ada Marsh and Tom Hale", None),
    ],
)
def test_a_statement_announced_with_has_issued_is_signed_by_who_issued_it(
    who: str, speaker: str, role: str | None
) -> None:
    s = story(
        f"{who} issued the following statement.",
        "",
        "“The team showed remarkable talent at the Winter Games in Calgary this week.",
        "",
        "“We could not be happier for every one of them. Congratulations to all.”",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == (speaker, role)


def test_a_name_line_opening_with_its_date_signs_the_quote_under_it() -> None:
    s = story(
        "March 8, 2017, Senator the Hon Wendy Hale, Minister with Responsibility for Health:",
        "",
        "“Much has been achieved for women’s rights over the past century. Yet there is still a"
        " long way to go.”",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == (
        "Wendy Hale",
        "Senator, Minister with Responsibility for Health",
    )


def test_words_issued_on_behalf_of_another_office_holder_are_signed_by_neither() -> None:
    s = story(
        "Secretary Ann Hale issued the following statement on behalf of Governor Tom Reed:",
        "",
        "“The state stands with the families of the victims, today and every day after.”",
    )
    assert s.quote is None
    # On behalf of a body, the words are still the speaker's own.
    s = story(
        "Secretary Ann Hale issued the following statement on behalf of the department:",
        "",
        "“The state stands with the families of the victims, today and every day after.”",
    )
    assert s.quote is not None and s.quote.speaker == "Ann Hale"


@pytest.mark.parametrize(
    "paragraph",
    [
        # The words are the Governor's, passed on by the Mayor.
        "Mayor Jane Roe said the Governor told her on Monday: “We will fund every metre of"
        " the wall.”",
        "Mayor Jane Roe, quoting Governor Tom Hale, said: “We will fund every metre of the wall.”",
        # The residents' words; the councillor's reported speech after them is no tag.
        "In the letter, residents wrote: “We have waited ten years for this road to be fixed.”"
        " Councillor Ann Lee said the council would reply.",
    ],
)
def test_words_passed_on_or_followed_by_someone_elses_reported_speech_are_not_theirs(
    paragraph: str,
) -> None:
    s = story("The town will get new flood defences and a new road.", "", paragraph)
    assert s.quote is None


def test_a_tag_after_a_quote_may_say_where_and_when() -> None:
    s = story(
        "The town will get new flood defences.",
        "",
        "Mayor Jane Roe visited the wall.",
        "",
        "“We will fund every metre of the wall.” Jane Roe said on Monday.",
    )
    assert s.quote is not None and s.quote.speaker == "Jane Roe"


def test_he_after_a_person_named_after_a_lower_case_role_is_nobody_for_sure() -> None:
    s = story(
        "Transport Minister Ann Hale announced the funding on Monday. Opposition spokesman Tom"
        " Reed criticised it.",
        "",
        "“This is a cynical stunt,” he said.",
    )
    assert s.quote is None


def test_the_same_pronoun_may_mean_the_next_person_reported_before_their_quote() -> None:
    s = story(
        "The temporary library opens tomorrow.",
        "",
        "General Manager Jay Reed said the reopening would be welcomed by staff.",
        "",
        "“It is great to have the library back up and running,” he said.",
        "",
        "Mayor Tom Kent said it was exciting to see the project move forward.",
        "",
        "“The new library has been on the books for almost 10 years,” he said.",
    )
    signed = {q.text: q.speaker for q in (s.quote, *s.other_quotes) if q is not None}
    assert signed.get("It is great to have the library back up and running,") == "Jay Reed"
    assert signed.get("The new library has been on the books for almost 10 years,") == "Tom Kent"


def test_he_after_a_name_closing_an_apposition_is_never_the_last_speaker() -> None:
    s = story(
        "Ann Hale opened the ward on Monday.",
        "",
        "“This ward will treat 2,000 patients a year,” Hale said.",
        "",
        "Her deputy, Tom Reed, said the ward would open fully in May. “We are ready,” he said.",
    )
    signed = {q.text: q.speaker for q in (s.quote, *s.other_quotes) if q is not None}
    assert signed.get("We are ready,") in (None, "Tom Reed")

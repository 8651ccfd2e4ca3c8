"""Speakers, precision first: a quote is signed by a person, a body or a spokesperson
that the body presents as speaking, or it is left out."""

from __future__ import annotations

import pytest

from distributor.extract import speakers
from tests.extract.helpers import assert_grounded, story


@pytest.mark.parametrize(
    ("lead", "speaker", "role"),
    [
        ("Ohio dairy farmer Rosa Quint:", "Rosa Quint", "Ohio dairy farmer"),
        ("Harbour Tools CEO Mark Ellery:", "Mark Ellery", "Harbour Tools CEO"),
        ("The Daily Ledger’s Ann Marsh:", "Ann Marsh", "Daily Ledger"),
        ("Harbour Business’ Ann Marsh:", "Ann Marsh", "Harbour Business"),
        ("Fenwick Motors, Inc., CEO Duane Fenwick:", "Duane Fenwick", "CEO"),
        ("Secretary of Works Dana Pell said:", "Dana Pell", "Secretary of Works"),
        # Short US titles are written out: a post signs "Senator Carla Ruiz".
        ("Sen. Carla Ruiz:", "Carla Ruiz", "Senator"),
        ("Rep. Jo Hart:", "Jo Hart", "Representative"),
        ("Lt. Gov. Tom Hale:", "Tom Hale", "Lieutenant Governor"),
        ("Northfield Water Authority:", "Northfield Water Authority", None),
        # Honorifics, peerages and post-nominals are not roles; the role the body gives is.
        ("The Rt Hon Sir Alan Pryce KCB KC MP said:", "Alan Pryce", None),
        (
            "Lord Colin Ashdown, co-founder of the Harbour Trust, said:",
            "Colin Ashdown",
            "co-founder of the Harbour Trust",
        ),
        ("Baroness Ruth Keel said:", "Ruth Keel", None),
        (
            "Professor Sir Idris Vane, Clinical Adviser for the Walk More campaign, said:",
            "Idris Vane",
            "Clinical Adviser for the Walk More campaign",
        ),
        ("Lord Mayor Jane Orrin said:", "Jane Orrin", "Lord Mayor"),
        # A role's last words are never taken for a name.
        (
            "Joint National Prevention Lead, Festus Okoro, said:",
            "Festus Okoro",
            "Joint National Prevention Lead",
        ),
        (
            "Minister for Harbours and Lifelong Learning, Eira Wyn, said:",
            "Eira Wyn",
            "Minister for Harbours and Lifelong Learning",
        ),
        # The post and the body it is held in.
        (
            "Councillor Mark Orrin, Tarrow Borough Council, said:",
            "Mark Orrin",
            "Councillor, Tarrow Borough Council",
        ),
        # US council and assembly members' titles; an initial that is also a word.
        (
            "Harbour City Councilmember Dana Pell said:",
            "Dana Pell",
            "Harbour City Councilmember",
        ),
        ("Assemblymember Jo Hart said:", "Jo Hart", "Assemblymember"),
        ("Carlos A. Ostler, president, said:", "Carlos A. Ostler", "president"),
        # Bodies' last words are never a name; a body listed before "and Judge" is not
        # the judge's post; after an honorific, "King" is a surname.
        (
            "Dr. Ada Marsh, Interim Superintendent of Harbour Public Schools, said:",
            "Ada Marsh",
            "Interim Superintendent of Harbour Public Schools",
        ),
        (
            "Rev. Dr. Tom Hale, Lead Pastor of St. Mark Community Baptist Church, said:",
            "Tom Hale",
            "Lead Pastor of St. Mark Community Baptist Church",
        ),
        ("Harbour Youth Services and Judge Ana Ruiz said:", "Ana Ruiz", "Judge"),
        ("Dr. Macquline King said:", "Macquline King", None),
        ("Manager Works Peter Hale said:", "Peter Hale", "Manager Works"),
        # A body's last word ("Highway Patrol") is no second person in a run of commas.
        (
            "Colonel Bill Hale, Commander of the Harbour State Highway Patrol, said:",
            "Bill Hale",
            "Colonel",
        ),
        # The people before a title are not the post's.
        ("Like other Nova Scotians Premier Tom Hale said:", "Tom Hale", "Premier"),
        # Whom a post serves is not who speaks: the spokesman does.
        (
            "Mark Ostler, spokesman for Gov. Dana Pell, said:",
            "Mark Ostler",
            "spokesman for Governor Dana Pell",
        ),
        (
            "Press secretary to First Lady Ada Marsh, Jo Hart, said:",
            "Jo Hart",
            "Press secretary to First Lady Ada Marsh",
        ),
        (
            "Senior Adviser to the President Jo Hart said:",
            "Jo Hart",
            "Senior Adviser to the President",
        ),
        (
            "Ambassador to the United Nations Carl Dunn said:",
            "Carl Dunn",
            "Ambassador to the United Nations",
        ),
        # A title right before a three-word name ends the brief; "U.S." is one word.
        (
            "Office of U.S. Small Harbours Administration Administrator Isabel Casas Ruiz said:",
            "Isabel Casas Ruiz",
            "Office of U.S. Small Harbours Administration Administrator",
        ),
    ],
)
def test_a_colon_lead_in_names_the_person_at_its_end(
    lead: str, speaker: str, role: str | None
) -> None:
    result = story(
        "Local businesses welcomed the new tariff rules on Monday.",
        f"{lead} “This will bring jobs back to our town and keep them here.”",
    )
    assert result.quote is not None
    assert result.quote.speaker == speaker
    assert result.quote.role == role
    assert_grounded(result)


@pytest.mark.parametrize(
    "line",
    [
        # A shouted heading is not a speaker.
        "KEEPING OUR STREETS SAFE: “We will clean up every street in the capital.”",
        # A clause before a scare quote is not an attribution.
        "The two countries announced an “immediate and unconditional ceasefire” on Sunday.",
        # A place, a programme, a heading fragment.
        "Portland: “It may be the only way if our city is not willing to act.”",
        "Trump Effect — “Markets rallied again this week on strong earnings.”",
        # A title in marks ends its sentence; the next sentence is not its attribution.
        "The minister welcomed the “Coastal Resilience Strategy.” President Ada Cole "
        "announced new funding for it on Tuesday.",
    ],
)
def test_no_speaker_means_no_quote(line: str) -> None:
    result = story("The government set out its plans on Monday.", line)
    assert result.quote is None
    assert result.other_quotes == ()


def test_a_pronoun_never_resolves_to_a_programme_name() -> None:
    result = story(
        "First Lady Dana Whitfield launched Building the Future Together—a coalition of "
        "nations for children.",
        "She affirmed, “Innovation is wonderful when it keeps children safe.”",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Dana Whitfield"


def test_a_speaker_named_only_in_the_title_is_not_a_speaker() -> None:
    result = story(
        "The new hospital wing opened on Friday after two years of work.",
        "“It is a great day for the town,” she said.",
        title="Health Secretary Jane Orr opens hospital wing",
    )
    assert result.quote is None


def test_a_first_person_statement_is_not_posted_as_a_quote() -> None:
    result = story(
        "We learned this morning that the economy created 339,000 jobs last month.",
        "I am proud of what American workers have built, and we will keep going.",
        title="Statement from President Ann Keel on the May jobs report",
    )
    assert result.quote is None


def test_an_unclosed_quote_stops_before_the_next_speakers_lead_in() -> None:
    result = story(
        "A new campaign asks adults to walk more.",
        "Health Minister Ruth Lane said: “Ten minutes a day makes a difference. "
        "Professor Sir Alan Moss, Clinical Adviser for the campaign, said:",
        "Walking is the easiest exercise there is.",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Ruth Lane"
    assert result.quote.text == "Ten minutes a day makes a difference."


def test_a_title_and_surname_take_the_fullest_name_in_the_body() -> None:
    result = story(
        "Secretary of State Marco Vane met his counterparts in Rome.",
        "“We agreed on every point,” Secretary Vane said.",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Marco Vane"


def test_joint_speakers_keep_both_names() -> None:
    result = story(
        "The two councils agreed to share one bin service.",
        "Mayor Joan Pike and Mayor Tom Reyes said: “This saves every household money.”",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Joan Pike and Tom Reyes"


def test_a_passage_quoted_from_a_news_report_is_the_outlets() -> None:
    result = story(
        "Factory orders rose for a third month.",
        "According to Bloomberg, “orders for durable goods rose faster than any forecast.”",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Bloomberg"


def test_a_dash_line_under_a_quoted_blockquote_signs_it() -> None:
    result = story(
        "The economy added 172,000 jobs in January.",
        "> “Today’s report proves the agenda is working. The > unemployment rate fell again.”",
        "> — Deputy Press Secretary Kai Doran",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Kai Doran"
    # The blockquote's stray markers are never part of the quote.
    assert (
        result.quote.text
        == "Today’s report proves the agenda is working. The unemployment rate fell again."
    )
    assert_grounded(result)


def test_a_name_and_role_line_above_a_quoted_paragraph_signs_it() -> None:
    result = story(
        "Retail leaders met the President on Monday.",
        "Dana Holt – Harbour Foods President and CEO",
        "“Our shelves are fuller than they were a year ago, and prices are steadier.”",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Dana Holt"


def test_a_lead_in_to_the_next_quote_does_not_sign_the_one_before() -> None:
    result = story(
        "First Lady Rosa Tan launched a coalition for children.",
        "She shared the group’s mission; “to help every child flourish.” She affirmed, "
        "“Innovation is wonderful when it keeps children safe.”",
    )
    assert result.quote is not None
    assert result.quote.text == "Innovation is wonderful when it keeps children safe."


def test_a_clause_about_the_speaker_is_not_their_role() -> None:
    s = story(
        "Night ferry restored",
        "Mairi Lennox, who runs the island's only bakery, said: “We can get flour again.”",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Mairi Lennox", None)


def test_a_role_before_the_rt_hon_keeps_no_dangling_the() -> None:
    s = story(
        "Schools get funding",
        "The government announced funding for schools today.",
        "Prime Minister the Rt Hon Sir Keir Starmer KCB KC MP said:",
        "This funding will transform our schools.",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Keir Starmer", "Prime Minister")


def test_a_speaker_is_signed_with_the_fullest_name_the_body_writes() -> None:
    s = story(
        "President Ada K. Marsh signed the order on Monday.",
        "“This order protects every worker,” said President Ada Marsh.",
    )
    assert s.quote is not None
    assert s.quote.speaker == "Ada K. Marsh"


def test_an_embedded_posts_signature_with_handle_and_date_signs_it() -> None:
    result = story(
        "The economy added 172,000 jobs in January.",
        "“Today’s report proves the agenda is working and the ports are busy again.” — "
        "Harbour Secretary Kai Doran (@HarbourSec) April 4, 2025",
    )
    assert result.quote is not None
    assert (result.quote.speaker, result.quote.role) == ("Kai Doran", "Harbour Secretary")


@pytest.mark.parametrize(
    "line",
    ["Harbour Secretary Kai Doran:", "Secretary of the Harbours Kai Doran:"],
)
def test_a_line_of_its_own_naming_a_role_and_person_signs_the_quote_under_it(line: str) -> None:
    result = story(
        "The economy added 172,000 jobs in January.",
        line,
        "“Today’s report proves the agenda is working and the ports are busy again.”",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Kai Doran"


def test_a_heading_line_with_a_colon_signs_nothing() -> None:
    result = story(
        "The economy added 172,000 jobs in January.",
        "Protecting Harbours and Ports:",
        "“Today’s report proves the agenda is working and the ports are busy again.”",
    )
    assert result.quote is None


@pytest.mark.parametrize(
    ("lead", "speaker"),
    [
        # The one Orrin named in full is the First Lady; the Governor is another Orrin.
        ("Governor Orrin released the following statement:", "Orrin"),
        ("Mr Orrin said:", "Orrin"),
        # A title that fits the person named in full is that person.
        ("First Lady Orrin said:", "Tessa Orrin"),
        ("Ms Orrin said:", "Tessa Orrin"),
    ],
)
def test_a_title_that_does_not_fit_the_one_person_named_in_full_is_not_them(
    lead: str, speaker: str
) -> None:
    result = story(
        "On Thursday, Governor Orrin and First Lady Tessa Orrin attended the service.",
        lead,
        "“Tessa and I are deeply saddened by the passing of our friend.”",
    )
    assert result.quote is not None
    assert result.quote.speaker == speaker


def test_a_person_quoted_by_name_alone_keeps_the_role_the_body_introduced_them_with() -> None:
    result = story(
        "That was the view of Harbours Minister Eira Wyn after the budget.",
        "Minister Wyn said: “Every harbour will have a deeper berth by 2030.”",
        "Eira Wyn said: “The money is there and the work starts now.”",
    )
    quotes = [result.quote, *result.other_quotes]
    assert [(q.speaker, q.role) for q in quotes if q] == [
        ("Eira Wyn", "Harbours Minister"),
        ("Eira Wyn", "Harbours Minister"),
    ]


@pytest.mark.parametrize(
    ("line", "speaker"),
    [
        # A clause before the subject holds a speech verb of its own ("asked").
        ("When asked about the harbour, Ports Secretary Ines Calder said, “{q}”", "Ines Calder"),
        ("Here’s what Ports Secretary Ines Calder had to say: “{q}”", "Ines Calder"),
        ("Ports Secretary Ines Calder had this to say: “{q}”", "Ines Calder"),
        # Where the words appeared is not part of the name.
        ("“{q}” wrote Ines Calder in the Harbour Gazette.", "Ines Calder"),
        # "Per" is not a first name.
        ("Per Axios: “{q}”", "Axios"),
        ("In her remarks, Ports Secretary Ines Calder noted that “{q}”", "Ines Calder"),
        ("Ports Secretary Ines Calder made clear that “{q}”", "Ines Calder"),
    ],
)
def test_attributions_of_round_up_pages_name_the_speaker(line: str, speaker: str) -> None:
    words = "Every harbour in the region will have a deeper berth by the end of 2030."
    result = story("The harbour plan was published on Monday.", line.format(q=words))
    assert result.quote is not None
    assert (result.quote.speaker, result.quote.text) == (speaker, words)


def test_a_role_held_in_a_body_keeps_its_body() -> None:
    result = story(
        "“Every harbour will have a deeper berth by 2030,” said Ines Calder, Minister in "
        "the Cabinet Office."
    )
    assert result.quote is not None
    assert (result.quote.speaker, result.quote.role) == (
        "Ines Calder",
        "Minister in the Cabinet Office",
    )
    nhs = story(
        "Ana Brill, Chief Nurse, NHS England and Improvement (Midlands) said: “We welcome"
        " the new wards.”"
    )
    assert nhs.quote is not None
    assert nhs.quote.role == "Chief Nurse, NHS England and Improvement"


@pytest.mark.parametrize(
    "line",
    [
        "“Every harbour will have a deeper berth by 2030,” the President said.",
        "He said: “Every harbour will have a deeper berth by 2030.”",
    ],
)
def test_the_president_named_by_title_and_surname_speaks_as_the_president_or_he(
    line: str,
) -> None:
    result = story("President Ostrander visited the harbour on Monday.", line)
    assert result.quote is not None
    assert (result.quote.speaker, result.quote.role) == ("Ostrander", "President")


def test_a_titled_surname_takes_the_full_name_the_body_gives() -> None:
    result = story(
        "President Lena Ostrander opened the harbour in May.",
        "President Ostrander returned on Monday.",
        "“Every harbour will have a deeper berth by 2030,” the President said.",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Lena Ostrander"


@pytest.mark.parametrize(
    "lines",
    [
        # The vice president is not who "the President" means.
        (
            "Vice President Tom Ferrer toured the harbour on Monday.",
            "“Every harbour will have a deeper berth by 2030,” the President said.",
        ),
        # Two men named since the last quote: "he" could be either.
        (
            "Secretary Ostrander met Prime Minister Tom Ferrer on Monday.",
            "He said: “Every harbour will have a deeper berth by 2030.”",
        ),
    ],
)
def test_a_role_or_pronoun_that_could_mean_someone_else_signs_nothing(
    lines: tuple[str, str],
) -> None:
    result = story(*lines)
    assert result.quote is None


def test_he_beside_a_person_met_only_by_a_role_signs_nothing() -> None:
    result = story(
        "The harbour plan was published on Monday.",
        "Host Dan Ferrer asked the President about the harbour. “It’s a great plan for "
        "every town on this coast,” he replied.",
    )
    assert result.quote is None


@pytest.mark.parametrize(
    ("lines", "speaker"),
    [
        (("President Ostrander celebrated online, writing, “{q}”",), "Ostrander"),
        (("Watch President Ostrander: “{q}”",), "Ostrander"),
        (("Speaking at the quay, President Ostrander touted the plan: “{q}”",), "Ostrander"),
        # The line over a paragraph of quoted words names who says them.
        (("President Ostrander on her weekly broadcast:", "“{q}”"), "Ostrander"),
        (("President Ostrander delivered remarks at the quay:", "“{q}”"), "Ostrander"),
        (("President Lena Ostrander", "“{q}”"), "Lena Ostrander"),
    ],
)
def test_lead_ins_of_round_up_pages_sign_the_quote(lines: tuple[str, ...], speaker: str) -> None:
    words = "Every harbour in the region will have a deeper berth by the end of 2030."
    result = story(
        "The harbour plan was published on Monday.", *(line.format(q=words) for line in lines)
    )
    assert result.quote is not None
    assert (result.quote.speaker, result.quote.role, result.quote.text) == (
        speaker,
        "President",
        words,
    )


@pytest.mark.parametrize(
    ("line", "speaker", "role"),
    [
        # "Social" is in nameparser's titles; here it opens the brief, listed whole.
        (
            "Tam Orrin MP, Minister for Social Mobility, Youth and Progression, said:",
            "Tam Orrin",
            "Minister for Social Mobility, Youth and Progression",
        ),
        # A brief listed with commas is one role.
        (
            "“{q},” said Jill Balser, Minister of Labour, Skills and Immigration.",
            "Jill Balser",
            "Minister of Labour, Skills and Immigration",
        ),
        # A council member's title and the post they hold.
        (
            "Councillor Duncan Bell, Executive Member for Resources, said:",
            "Duncan Bell",
            "Councillor, Executive Member for Resources",
        ),
        # "Economic" is in nameparser's titles; here it opens the brief.
        (
            "“{q},” said Economic and Rural Development and Tourism Minister Graham Steele.",
            "Graham Steele",
            "Economic and Rural Development and Tourism Minister",
        ),
        # Where the person works is not their name; "Watch Commander" is a rank.
        (
            "Watch Commander Ana Brill from Porthallow Fire Station said: “{q}.”",
            "Ana Brill",
            "Watch Commander",
        ),
        # A place after the name is where they are, and a state is no one's name.
        (
            "“{q},” said District Director Ana Brill in Raleigh, North Carolina.",
            "Ana Brill",
            "District Director",
        ),
    ],
)
def test_briefs_and_places_beside_a_name_are_not_names(line: str, speaker: str, role: str) -> None:
    words = "Every harbour in the region will have a deeper berth by the end of 2030"
    lines = [line.format(q=words)]
    if line.endswith(":"):
        lines.append(words + ".")
    result = story("The harbour plan was published on Monday.", *lines)
    assert result.quote is not None
    assert (result.quote.speaker, result.quote.role) == (speaker, role)


def test_a_heading_under_a_signed_quote_neither_signs_it_nor_is_a_speaker() -> None:
    result = story(
        "Support for the harbour plan:",
        "President Lena Ostrander: “Every harbour will have a deeper berth by 2030.”",
        "Federal Officials",
        "Ports Secretary Ines Calder: “The work starts in the spring on every quay.”",
    )
    quotes = [result.quote, *result.other_quotes]
    assert [q.speaker for q in quotes if q] == ["Lena Ostrander", "Ines Calder"]


@pytest.mark.parametrize(
    "lead",
    [
        "Union President Ana Brill, Union Treasurer Tom Ferrer, and Guild President Lena "
        "Ostrander:",
        "Ana Brill, Tom Ferrer, and Lena Ostrander said:",
    ],
)
def test_several_peoples_joint_words_are_signed_by_no_one_of_them(lead: str) -> None:
    result = story(
        "The harbour plan was published on Monday.",
        f"{lead} “Every harbour in the region will have a deeper berth by the end of 2030.”",
    )
    assert result.quote is None


def test_she_after_her_own_role_again_is_still_her() -> None:
    result = story(
        "First Lady Lena Ostrander opened the harbour festival on Monday.",
        "The First Lady thanked the crews. Later she said, “Every harbour in the region "
        "will have a deeper berth by the end of 2030.”",
    )
    assert result.quote is not None
    assert result.quote.speaker == "Lena Ostrander"


def test_a_titled_surname_keeps_its_title_when_the_full_mention_gives_no_role() -> None:
    result = story(
        "TRENTON – Ana B. Brill, M.D., Harbours Commissioner of the State, announced grants today.",
        "“Every harbour will have a deeper berth by 2030,” said Commissioner Brill.",
    )
    assert result.quote is not None
    assert (result.quote.speaker, result.quote.role) == ("Ana B. Brill", "Commissioner")


@pytest.mark.parametrize(
    ("opening", "role"),
    [
        # A brief with "and" in it is one role, not a person and a role.
        (
            "Coastal Development and Harbours Minister Ana Brill announced the plan today.",
            "Coastal Development and Harbours Minister",
        ),
        # An aide's post is not the post of the person they assist.
        (
            "Assistant to the Secretary for Harbours Ana Brill announced the plan today.",
            "Assistant to the Secretary for Harbours",
        ),
    ],
)
def test_a_role_is_kept_whole(opening: str, role: str) -> None:
    result = story(
        opening, "“Every harbour will have a deeper berth by the end of 2030,” Brill said."
    )
    assert result.quote is not None
    assert (result.quote.speaker, result.quote.role) == ("Ana Brill", role)


@pytest.mark.parametrize(
    "opening",
    [
        # Two titled people in one capitalised run, joined by "and".
        "Vice President Jo Hale and Transportation Secretary Ray Lee today opened the road.",
        # A space lost before the title ("DCVice"): the quote's own title is kept.
        "Washington, DCVice President Jo Hale and Transportation Secretary Ray Lee today"
        " opened the road.",
    ],
)
def test_a_titled_surname_is_the_person_named_in_full_beside_another(opening: str) -> None:
    result = story(opening, "“Shovels are in the ground,” said Vice President Hale.")
    assert result.quote is not None
    assert (result.quote.speaker, result.quote.role) == ("Jo Hale", "Vice President")


@pytest.mark.parametrize(
    ("lines", "speaker", "role"),
    [
        # A page's social line names the office, not the person's role.
        (
            (
                "Governor Ned Lamont today directed a delayed opening of state offices.",
                "“Stay off the roads until the plows are through,” Governor Lamont said.",
                "Facebook: Office of Governor Ned Lamont",
            ),
            "Ned Lamont",
            "Governor",
        ),
        # A byline's title and the post held: "Minister Ruston" is the minister.
        (
            (
                "Media Release by Senator the Hon Anne Ruston",
                "Minister for Families and Social Services Anne Ruston said payments rise.",
                "“This is money in the pockets of every pensioner,” Minister Ruston said.",
            ),
            "Anne Ruston",
            "Minister for Families and Social Services",
        ),
        # A hyphenated post is a role, not a first name.
        (
            ("Museum Co-ordinator Sabine Skae said: “We are delighted to be nominated.”",),
            "Sabine Skae",
            "Museum Co-ordinator",
        ),
        # A role before the name and a comma, post-nominals after it.
        (
            (
                "Minister for Foreign Affairs, Simon Coveney T.D., has welcomed the budget.",
                "Minister Coveney said:",
                "“This budget sees an unprecedented investment in our overseas aid programme.”",
            ),
            "Simon Coveney",
            "Minister for Foreign Affairs",
        ),
        # A dateline is no part of the role.
        (
            (
                "WASHINGTON – The Administrator of the Small Business Administration, Maria"
                " Contreras-Sweet, today issued the following statement at a Senate hearing:",
                "“Small business loans are creating jobs across the country.”",
            ),
            "Maria Contreras-Sweet",
            "Administrator of the Small Business Administration",
        ),
        # A brief listed with commas before the name is the role, never a name.
        (
            (
                "Minister for Housing, Planning, and Consumer Affairs, Felix Ellis, said:",
                "“The foundations have been laid for the next four years.”",
            ),
            "Felix Ellis",
            "Minister for Housing, Planning, and Consumer Affairs",
        ),
        # "Her Majesty’s" is part of the title.
        (
            (
                "Her Majesty’s Chief Inspector, Amanda Spielman, said:",
                "“Choosing the right school is one of the biggest decisions a parent makes.”",
            ),
            "Amanda Spielman",
            "Her Majesty’s Chief Inspector",
        ),
        # "Cllr." in full, as a signature writes it.
        (
            ("Cllr. Alun Lenny said:", "“We have delivered a huge programme of investment.”"),
            "Alun Lenny",
            "Councillor",
        ),
    ],
)
def test_roles_read_from_bylines_datelines_offices_and_abbreviations(
    lines: tuple[str, ...], speaker: str, role: str
) -> None:
    result = story(*lines)
    assert result.quote is not None
    assert (result.quote.speaker, result.quote.role) == (speaker, role)


def test_a_second_person_after_and_is_never_part_of_a_brief() -> None:
    who = speakers.parse("Jane Roe, Minister of Labour, and John Doe, Deputy Minister")
    assert who.role == "Minister of Labour"


def test_a_spokesman_for_the_governor_is_never_signed_as_the_governor() -> None:
    s = story(
        "Gov. Dana Pell praised the state's economy in his annual address this week.",
        "“Our growth has held steady month after month,” said Mark Ostler, spokesman for"
        " Gov. Dana Pell. “The governor’s focus has us ready to invest in schools.”",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Mark Ostler", "spokesman for Governor Dana Pell")
    assert_grounded(s)


def test_a_sentences_opening_word_is_not_part_of_the_role() -> None:
    s = story(
        "Recently Harbour Mayor Ada Marsh and chief executive Tom Hale met the police chief.",
        "Mrs Marsh said: “It was good to hear how quickly officers responded.”",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Ada Marsh", "Harbour Mayor")


def test_an_executive_order_before_a_surname_names_no_second_person() -> None:
    s = story(
        "County Executive Dana Pell signed the signage law on Tuesday. It was the first"
        " Executive Order Pell signed after the election.",
        "Pell said: “These parks belong to the people, not to the politician of the moment.”",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Dana Pell", "County Executive")


def test_a_first_name_alone_is_the_one_person_by_that_name_who_spoke() -> None:
    s = story(
        "Crews were called to a kitchen fire in Hull on Thursday night.",
        "Rosa Quint, Community Safety Manager for the Harbour Fire Service, said: “The"
        " occupier was lucky to be awake.”",
        "Firefighters ventilated the kitchen. Rosa continued: “Working smoke alarms give an"
        " early warning.”",
    )
    said = {q.text: q.speaker for q in (s.quote, *s.other_quotes) if q}
    assert said["Working smoke alarms give an early warning."] == "Rosa Quint"


@pytest.mark.parametrize(
    "between",
    [
        "Rosa, a mother of two, has waited ten years for a council home.",
        "Tenant Rosa Hale has waited ten years for a council home.",
    ],
)
def test_a_first_name_someone_else_may_bear_is_left_unsigned(between: str) -> None:
    s = story(
        "Rosa Quint, Minister for Housing, said: “We will build 500 homes.”",
        between,
        "Rosa said: “I have waited ten years for a home.”",
    )
    assert all("waited ten years" not in q.text for q in (s.quote, *s.other_quotes) if q)


def test_a_first_name_two_speakers_share_is_left_unsigned() -> None:
    s = story(
        "Rosa Quint, Community Safety Manager, said: “The occupier was lucky.”",
        "Rosa Hale, Station Commander, said: “The crew were quick.”",
        "Rosa continued: “Working smoke alarms give an early warning.”",
    )
    assert all("Working smoke" not in q.text for q in (s.quote, *s.other_quotes) if q)


def test_two_people_leading_into_a_quote_sign_none_of_it() -> None:
    s = story(
        "U.S. Attorney Carl Dunn and District Attorney Ann Ford warned against violence.",
        "Both U.S. Attorney Dunn and DA Ford condemned the attack on the Capitol:",
        "“Protesting is a right; rioting is a crime.”",
    )
    assert s.quote is None


def test_a_da_signs_with_the_name_and_office_the_body_gives() -> None:
    s = story(
        "U.S. Attorney Carl Dunn and Harbour County District Attorney Ann Ford warned"
        " against violence.",
        "Both U.S. Attorney Dunn and DA Ford condemned the attack on the Capitol:",
        "“Protesting is a right; rioting is a crime,” DA Ford said.",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Ann Ford", "Harbour County District Attorney")


def test_a_role_never_holds_another_persons_name() -> None:
    s = story(
        "DA Ann Ford was joined by Harbour Police Captain Ryan Hale and Alonso Vivas, who runs"
        " the Downtown Partnership.",
        "“Businesses feel the system is working for them,” Vivas said.",
    )
    assert s.quote is not None
    assert s.quote.speaker == "Alonso Vivas"
    assert "Hale" not in (s.quote.role or "")


def test_a_health_system_is_never_a_speakers_name() -> None:
    s = story(
        "“We have a zero-tolerance policy for misconduct,” said Carlos A. Ostler, president,"
        " and CEO of Harbour Health System.",
    )
    assert s.quote is not None
    assert s.quote.speaker == "Carlos A. Ostler"


def test_a_supervisor_and_a_chair_in_one_run_are_two_people() -> None:
    s = story(
        "With the support of Supervisor Joel Ames and Chair Nora Fell, the team was funded.",
        "“We will not allow illegal shops in our communities,” Chair Fell said.",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Nora Fell", "Chair")


def test_a_place_and_date_dateline_is_no_part_of_a_role() -> None:
    s = story(
        "WASHINGTON, March 25, 2014—Agriculture Secretary Tom Hale today released the"
        " following statement:",
        "“Today we celebrate the farmers who feed this country.”",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Tom Hale", "Agriculture Secretary")


def test_a_bodys_post_before_a_name_and_comma_is_the_persons_role() -> None:
    s = story(
        "Council’s Environmental Strategies Officer, Bill Hale, said the giveaway was a"
        " partnership with the koala hospital.",
        "“We are pleased to give residents free trees,” Mr Hale said.",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == (
        "Bill Hale",
        "Council’s Environmental Strategies Officer",
    )


def test_a_councils_portfolio_holder_keeps_the_post_after_the_members_title() -> None:
    who = speakers.parse("Cllr Michael Fuller, Portfolio Holder for Environment")
    assert (who.speaker, who.role) == (
        "Michael Fuller",
        "Councillor, Portfolio Holder for Environment",
    )
    # A surname that is a word of a post is still a name.
    assert speakers.parse("Attorney General Eric Holder").speaker == "Eric Holder"


@pytest.mark.parametrize(
    "mention, role",
    [
        (
            "Margie Rodriguez, Social Health Coordinator for the County’s Health Department,"
            " told the Court that vaccines save lives.",
            "Social Health Coordinator for the County’s Health Department",
        ),
        (
            "Margie Rodriguez, coordinator for the health department, told the Court.",
            "coordinator for the health department",
        ),
        # An aside that is not her post leaves the quote signed with the name alone.
        ("Margie Rodriguez, who has led the clinic since 2019, told the Court.", None),
        ("Margie Rodriguez, 45, told the Court that vaccines save lives.", None),
    ],
)
def test_a_surname_quote_takes_the_post_the_body_gave_after_the_full_name(
    mention: str, role: str | None
) -> None:
    s = story(
        "The court named August as immunization month.",
        "",
        mention,
        "",
        "“This is the time to catch up on vaccinations,” Rodriguez said.",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Margie Rodriguez", role)


def test_a_speech_verb_a_typo_capitalised_is_never_part_of_the_name() -> None:
    s = story(
        "The district attorney launched an app for officers on Monday.",
        "",
        "“This app will help officers speak with every community,” DA Ann Hale Said. “It was"
        " built by the community itself.”",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Ann Hale", "District Attorney")
    assert speakers.parse("District Attorney Ann Hale Said:").speaker == "Ann Hale"


@pytest.mark.parametrize(
    "opening",
    [
        "President Biden and First Lady Jill Biden visited the school on Monday.",
        "Governor Murphy and First Lady Tammy Murphy visited the school on Monday.",
        # One named in full with no role, another by title and surname: which is it?
        "President Biden visited the school on Monday with teacher Ann Biden.",
    ],
)
def test_a_surname_that_a_titled_mention_and_a_full_name_share_signs_nothing(
    opening: str,
) -> None:
    surname = opening.split()[1]
    s = story(opening, "", f"“These teachers are heroes,” {surname} said.")
    assert s.quote is None


def test_a_surname_named_only_by_title_is_signed_with_that_title() -> None:
    s = story(
        "Today President Biden signed the Clean Water Act into law at the White House.",
        "",
        "“This law will protect every family’s water,” Biden said.",
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Biden", "President")

"""First-person statements: the issuer's own words, signed with the name the title gives."""

from __future__ import annotations

import pytest

from distributor.compose.threads import compose_thread
from distributor.extract import statement
from distributor.extract.article_lint import lint
from distributor.models import Voice
from distributor.settings import Settings
from distributor.text import XRule
from tests.extract.helpers import assert_grounded, story

BODY = (
    "Today, the nation marks the anniversary of the flood.",
    "We remember every family that lost a home, and we honour the volunteers who came to"
    " help their neighbours. Their courage showed the best of this country. I will never"
    " forget the people I met in those weeks, and I know their towns are stronger today.",
)


def test_a_statement_from_a_named_person_quotes_their_own_words_signed_by_them() -> None:
    s = story(*BODY, title="Statement from President Ada Marsh on the Anniversary of the Flood")
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Ada Marsh", "President")
    # Whole sentences, as many as fit in one post: never cut mid-sentence.
    assert s.quote.text == (
        "We remember every family that lost a home, and we honour the volunteers who came to"
        " help their neighbours. Their courage showed the best of this country."
    )
    assert s.quote.confidence < 0.8
    assert_grounded(s)
    assert any("quoted as Ada Marsh's" in f.message for f in lint(s))


@pytest.mark.parametrize(
    "title",
    [
        "Statement from the Press Secretary on the Anniversary of the Flood",
        "Statement from President Ada Marsh and Governor Tom Hale on the Anniversary",
        "Readout of the President’s Call on the Anniversary of the Flood",
    ],
)
def test_no_one_named_alone_in_the_title_means_no_issuer_quote(title: str) -> None:
    assert story(*BODY, title=title).quote is None


def test_a_paragraph_with_a_figure_or_leaning_on_the_one_before_is_not_the_issuers_quote() -> None:
    s = story(
        "Today, the nation marks the anniversary of the flood.",
        "That is why I asked the Congress for the funds our towns still need to rebuild.",
        "We rebuilt 4,000 homes in a year, more than anyone thought we could do in time.",
        title="Statement from President Ada Marsh on the Anniversary of the Flood",
    )
    assert s.quote is None


def test_someone_quoted_in_a_statement_leads_over_the_issuers_own_words() -> None:
    s = story(
        *BODY,
        "As Mayor Tom Hale told me, “We will build back stronger than before.”",
        title="Statement from President Ada Marsh on the Anniversary of the Flood",
    )
    assert s.quote is not None
    assert s.quote.speaker == "Tom Hale"


@pytest.mark.parametrize(
    ("title", "speaker", "role"),
    [
        (
            "Statement from President Ada Marsh on the Anniversary of the Flood",
            "Ada Marsh",
            "President",
        ),
        (
            "Remarks as Prepared for Delivery by Treasury Director Sam Okafor on Rates",
            "Sam Okafor",
            "Treasury Director",
        ),
        (
            "Statement from Health Adviser Lina Park Welcoming the New Clinics",
            "Lina Park",
            "Health Adviser",
        ),
        (
            "Statement from the Press Secretary on the Anniversary of the Flood",
            None,
            "Press Secretary",
        ),
        # Title case: "From" and "By" as well as "from" and "by".
        ("Statement From Harbour Secretary Ada J. Marsh", "Ada J. Marsh", "Harbour Secretary"),
        ("Presidential Message on National Flood Awareness Week", None, "President"),
        ("America 250: Presidential Message on the Anniversary of the Flood", None, "President"),
        ("A Proclamation on Flood Awareness Week, 2026", None, "President"),
        # Several issuers, or a briefing with reporters in it: nobody to sign a line with.
        ("Statement from President Ada Marsh and Governor Tom Hale on the Flood", None, None),
        ("Background Press Call on the Flood Recovery Plan", None, None),
        ("Press Briefing by Press Secretary Jo Lin", None, None),
        # An office holder who "Issues Statement on …".
        (
            "Harbour County District Attorney Ana Ruiz Issues Statement on Early Releases",
            "Ana Ruiz",
            "Harbour County District Attorney",
        ),
    ],
)
def test_the_title_says_whose_words_the_body_is(
    title: str, speaker: str | None, role: str | None
) -> None:
    s = story(*BODY, title=title)
    assert s.voice is not None
    assert (s.voice.speaker, s.voice.role) == (speaker, role)


@pytest.mark.parametrize(
    "title",
    [
        "Fact Sheet: The Flood Recovery Plan Reaches 12,000 Homes",
        "Readout of the President’s Call on the Anniversary of the Flood",
        "Councils to Get £45m for Flood Defences",
        "WHAT THEY ARE SAYING: Leaders Welcome the Flood Plan",
        # A body's statement is its narrative, as any release is.
        "Harbour Council Issues Statement on Flooding",
    ],
)
def test_a_fact_sheet_readout_or_article_is_the_publishers_narrative(title: str) -> None:
    assert story(*BODY, title=title).voice is None


def test_a_briefings_figures_are_left_out_and_the_lint_says_why() -> None:
    s = story(
        "MODERATOR: Thanks, everyone, for joining the call.",
        "SENIOR OFFICIAL: Thanks. Let me start with where the plan stands.",
        "In the first year, 2,400 homes were rebuilt and 31 bridges reopened.",
        title="Background Press Call on the Flood Recovery Plan",
    )
    assert [f.text for f in s.key_figures]  # extraction still finds it...
    found = [f.message for f in lint(s) if f.code == "first-person"]
    assert found and "figures are left out" in found[0]  # ...and says it is not posted


CONDOLENCE = (
    "I was deeply saddened to hear of the passing of Congressman Tom Hale. He served the"
    " hill towns for thirty years and never once missed a vote on their behalf, as he liked"
    " to remind his colleagues on both sides of the aisle."
)


@pytest.mark.parametrize(
    "lines",
    [
        # At the page's head, between a label and a dateline.
        ("Press Statement", "Ada Marsh", "Secretary of State", "Washington, DC", CONDOLENCE),
        # As its last two lines.
        (CONDOLENCE, "Ada Marsh", "Minister of International Cooperation"),
    ],
)
def test_a_statement_signed_on_lines_of_its_own_is_quoted_as_the_signers(
    lines: tuple[str, ...],
) -> None:
    s = story(*lines, title="Statement on Congressman Tom Hale")
    assert s.voice is not None and s.voice.speaker == "Ada Marsh"
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.text) == (
        "Ada Marsh",
        "I was deeply saddened to hear of the passing of Congressman Tom Hale.",
    )
    assert_grounded(s)


def test_a_press_contact_at_the_foot_signs_nothing() -> None:
    s = story(
        "We are delighted to open the new library, which we built with our residents.",
        "Media contact",
        "Ada Marsh",
        "Press Officer",
        title="New library opens",
    )
    assert s.voice is None
    assert s.quote is None


def test_a_statement_page_that_quotes_its_issuer_in_marks_narrates_the_rest() -> None:
    s = story(
        "Secretary Ada Marsh issued the statement below for World Health Day.",
        "Data shows that nearly 400,000 more people will be diagnosed over 10 years.",
        "“We remain committed to ending the epidemic,” said Secretary Marsh.",
        title="Statement from Health Secretary Ada Marsh on World Health Day",
    )
    assert s.voice is None  # its figures are the page's, never put in her mouth
    assert s.quote is not None and s.quote.speaker == "Ada Marsh"


def test_a_name_and_office_on_one_line_at_the_head_sign_the_page() -> None:
    s = story(
        "26 April 2017",
        "Ada Marsh, Minister for Health",
        "We are opening 27 new fully funded hospital beds in the south, and we will open each"
        " one as soon as the staff to care for its patients are in place.",
        title="Hospital beds open in the south",
    )
    assert s.voice is not None
    assert (s.voice.speaker, s.voice.role) == ("Ada Marsh", "Minister for Health")


def test_a_statement_printed_wholly_in_marks_is_signed_by_the_issuer_the_title_names() -> None:
    title = "Statement from Minister Orla Byrne TD"
    s = story(
        "“I was shocked by what I saw in tonight's report. I am very concerned at the"
        " failings it describes, and I have asked the board to meet me this week.”",
        "",
        "“Families deserve answers, and I will publish the review in full.”",
        title=title,
    )
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Orla Byrne", "Minister")
    # The words inside the marks, whole sentences, without the marks themselves.
    assert s.quote.text == (
        "I was shocked by what I saw in tonight's report. I am very concerned at the"
        " failings it describes, and I have asked the board to meet me this week."
    )
    assert_grounded(s)
    # Posted, so the lint no longer reports it as left out for want of a speaker; the
    # second paragraph, not posted, still is.
    left_out = [f.message for f in lint(s) if f.code == "unattributed-quote"]
    assert len(left_out) == 1 and "Families deserve answers" in left_out[0]


@pytest.mark.parametrize(
    "body",
    [
        # Not in the first person: words in marks the title does not make the issuer's.
        "“The hospital has failed its patients, and the board must answer for the failings"
        " set out in tonight's report.”",
        # Two passages in one paragraph: someone's words quoted inside, not one voice.
        "“The report calls the wards “unsafe”, and I am very concerned at the failings it"
        " describes in the care of older patients.”",
    ],
)
def test_words_in_marks_that_may_not_be_the_issuers_are_not_signed_with_their_name(
    body: str,
) -> None:
    s = story(body, title="Statement from Minister Orla Byrne TD")
    assert s.quote is None


def test_a_title_naming_its_issuer_by_title_and_surname_signs_the_statement() -> None:
    s = story(*BODY, title="Statement From Attorney General Hale Regarding the Flood")
    assert s.quote is not None
    assert (s.quote.speaker, s.quote.role) == ("Hale", "Attorney General")
    assert_grounded(s)
    posts = compose_thread(s, XRule(), Settings()).posts
    assert posts[-1].text.endswith("”\n— Attorney General Hale")  # never "— Hale"
    # A surname with no title names no one for sure.
    assert story(*BODY, title="Statement From Hale Regarding the Flood").quote is None


def test_a_statement_signed_by_a_council_on_its_last_line_is_the_councils_words() -> None:
    s = story(
        "Racism has no place in any town, and it still harms people here every single day.",
        "",
        "We stand against racism and discrimination. We will make sure town government serves"
        " everyone fairly, and we will report on our progress every year.",
        "",
        "Mayor and Town Council",
        title="Statement on Racial Equality",
    )
    assert s.voice is not None and s.voice.speaker == "Mayor and Town Council"
    assert s.quote is not None and s.quote.speaker == "Mayor and Town Council"
    assert s.quote.text.startswith("We stand against racism")
    # Its opening is theirs too: never posted as the publisher's own lede.
    posts = [p.text for p in compose_thread(s, XRule(), Settings()).posts]
    assert not any(p.startswith("Racism has no place") for p in posts)


def test_a_title_naming_its_issuer_before_a_lower_case_verb_names_only_the_issuer() -> None:
    title = "Statement from Premier Ada Marsh congratulating the Special Olympics Team Harbour"
    assert statement.voice(title) == Voice("Ada Marsh", "Premier")
    # Two people before the verb: a joint statement, never "Ada Marsh and Olympics Team".
    joint = title.replace("Ada Marsh", "Ada Marsh and Minister of Sport Tom Hale")
    assert statement.voice(joint) == Voice(None)

"""Threads and the roundup post: structure, limits, nothing invented, untrusted text."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distributor.compose.facts import FINISHED, in_own_voice, stands_alone
from distributor.compose.threads import (
    NEUTRAL,
    clause_cut,
    compose_roundup_post,
    compose_thread,
    social_text,
    thread_origins,
    threads_within_budget,
    usable_figures,
)
from distributor.extract import statement
from distributor.models import Quote, Roundup, RoundupItem, Span, Story, Thread, Voice
from distributor.settings import Settings, SocialSettings
from distributor.text import ELLIPSIS, BlueskyRule, LengthRule, MastodonRule, XRule, url_spans
from tests.social.stories import LEDE, LINK, NEWS, make_story

RULES = [XRule(), BlueskyRule(), MastodonRule()]


def _settings(**social: object) -> Settings:
    return Settings(social=SocialSettings(**social))  # type: ignore[arg-type]


def _assert_fits(thread: Thread, rule: LengthRule) -> None:
    for post in thread.posts:
        assert rule.fits(post.text), (post.text, rule.length(post.text))
        assert post.length == rule.length(post.text) and post.limit == rule.limit


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.network)
def test_thread_is_headline_and_link_then_figures_then_quote(rule: LengthRule) -> None:
    thread = compose_thread(make_story(), rule, Settings())
    texts = [p.text for p in thread.posts]
    assert texts[0] == f"Rail fares frozen for another year\n{LINK}"
    assert thread.posts[0].link == LINK
    assert texts[1] == (
        "Regulated fares will stay at 2025 prices until March 2027.\n"
        "About 1.4 million season-ticket holders are affected."
    )
    assert texts[2] == (
        "“This freeze puts money back in passengers' pockets. We will keep it there.”\n"
        "— Transport Secretary Alex Morgan"
    )
    assert len(texts) == 3 and thread.network == rule.network
    _assert_fits(thread, rule)


def test_low_confidence_figures_and_quotes_are_left_out() -> None:
    story = make_story(
        figures=(("A sure figure of 12%.", "12%", 0.9), ("A guess of 40%.", "40%", 0.2)),
        quote_confidence=0.3,
    )
    texts = [p.text for p in compose_thread(story, XRule(), Settings()).posts]
    assert texts[1] == "A sure figure of 12%."
    assert not any("40%" in t or "“" in t for t in texts)


def test_a_quote_without_a_speaker_is_left_out_rather_than_attributed() -> None:
    story = make_story(speaker=None, role=None)
    texts = [p.text for p in compose_thread(story, XRule(), Settings()).posts]
    assert not any("passengers" in t for t in texts)
    assert thread_origins(story, Settings(), XRule())[-1].kind == "figure"


def test_quote_without_role_names_the_speaker_only() -> None:
    thread = compose_thread(make_story(role=None), XRule(), Settings())
    assert thread.posts[-1].text.endswith("”\n— Alex Morgan")


def test_long_headline_is_shortened_at_a_word_and_keeps_the_link() -> None:
    title = "Government confirms " + "a long list of measures " * 20 + "for winter"
    thread = compose_thread(make_story(title=title), XRule(), Settings())
    head = thread.posts[0].text
    assert head.endswith(f"{ELLIPSIS}\n{LINK}")
    kept = head[: -len(f"{ELLIPSIS}\n{LINK}")]
    assert title.startswith(kept) and title[len(kept)] == " "
    _assert_fits(thread, XRule())


SENTENCES = [f"Sentence number {i} of the minister's statement is here." for i in range(1, 40)]


WHO = "Transport Secretary Alex Morgan"


def _quote_parts(thread: Thread) -> str:
    """The quote's words as posted, without marks and attribution."""
    texts = [p.text for p in thread.posts if "“" in p.text or "”" in p.text]
    parts = [t.removeprefix(f"{WHO}:\n").split("\n— ")[0].strip("“”") for t in texts]
    return " ".join(parts)


def test_a_quote_longer_than_a_post_continues_at_a_sentence_boundary() -> None:
    quote = " ".join(SENTENCES[:7])  # about 400 characters: two posts on X
    thread = compose_thread(make_story(quote=quote), XRule(), Settings())
    quote_posts = [p.text for p in thread.posts[-2:]]
    # Who speaks opens the first part and signs the next, each closing its own marks: a
    # post is read, and shared, alone, so none reads as unsigned words.
    assert quote_posts[0].startswith(f"{WHO}:\n“") and quote_posts[0].endswith(".”")
    assert quote_posts[1].startswith("“") and quote_posts[1].endswith(".”\n— Alex Morgan")
    assert _quote_parts(thread) == quote
    _assert_fits(thread, XRule())


def test_a_quote_ending_on_its_attributions_comma_is_posted_with_a_full_stop() -> None:
    thread = compose_thread(make_story(quote="We will build the road,"), XRule(), Settings())
    assert thread.posts[-1].text == f"“We will build the road.”\n— {WHO}"


def test_a_quote_needing_more_than_two_posts_keeps_its_leading_sentences() -> None:
    quote = " ".join(SENTENCES)
    thread = compose_thread(make_story(quote=quote), XRule(), Settings())
    kept = _quote_parts(thread)
    assert kept.endswith("." + ELLIPSIS)
    assert quote.startswith(kept[: -len(ELLIPSIS)])
    assert sum("“" in p.text or "”" in p.text for p in thread.posts) == 2
    _assert_fits(thread, XRule())


def test_numbering_and_hashtags_are_configurable() -> None:
    cfg = _settings(numbering=True, hashtags=("UKGov", "#Rail"))
    thread = compose_thread(make_story(), XRule(), cfg)
    texts = [p.text for p in thread.posts]
    assert [t[-6:] for t in texts] == [" (1/3)", " (2/3)", " (3/3)"]
    assert texts[0].startswith(f"Rail fares frozen for another year\n{LINK}\n#UKGov #Rail")
    _assert_fits(thread, XRule())


def test_the_thread_never_exceeds_its_post_cap() -> None:
    figures = tuple(
        (f"Figure {i} is {i * 1000:,} pounds" + " x" * 120 + ".", str(i), 0.9) for i in range(3)
    )
    thread = compose_thread(make_story(figures=figures), XRule(), _settings(max_posts_per_thread=3))
    assert len(thread.posts) == 3
    assert thread.posts[-1].text.endswith(f"”\n— {WHO}")


def test_article_text_cannot_mention_tag_or_hide_characters() -> None:
    raw = "Call @HMTreasury now #Budget2026 $TSLA \u202eevil\u0007 at https://www.gov.uk/x#top"
    clean = social_text(raw)
    assert "@" + NEUTRAL + "HMTreasury" in clean
    assert "#" + NEUTRAL + "Budget2026" in clean
    assert "$" + NEUTRAL + "TSLA" in clean
    assert "\u202e" not in clean and "\u0007" not in clean
    # URLs stay usable, anchors included; an email address is left alone.
    assert "https://www.gov.uk/x#top" in clean
    assert social_text("press@gov.uk") == "press@gov.uk"
    doubled = social_text("##budget @@minister ＃全角")
    assert re.search(r"[#＃@]\w", doubled) is None, doubled
    # Emoji keep their joiners and the tag characters of subdivision flags.
    for emoji in ("👨‍👩‍👧‍👦", "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"):
        assert social_text(f"Well done {emoji}") == f"Well done {emoji}"
    story = make_story(title="Minister thanks @someone #trending")
    head = compose_thread(story, MastodonRule(), Settings()).posts[0].text
    assert "@someone" not in head and "#trending" not in head


def _roundup(n: int, *, day: date = date(2026, 11, 28)) -> Roundup:
    more = tuple(
        RoundupItem(
            f"s{i}", f"Headline number {i} about a policy change", f"https://www.gov.uk/n/{i}"
        )
        for i in range(n)
    )
    # The roundup's title, as [email] roundup_title gives it; the post uses it too.
    return Roundup(
        day=day, title="More of Today's Top Breaking Government News", featured=(), more=more
    )


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.network)
def test_roundup_post_lists_headlines_with_links_within_limits(rule: LengthRule) -> None:
    thread = compose_roundup_post(_roundup(3), rule, Settings())
    assert thread.kind == "roundup" and len(thread.posts) == 1
    text = thread.posts[0].text
    assert text.startswith("More of Today's Top Breaking Government News\n")
    for i in range(3):
        assert f"• Headline number {i} about a policy change https://www.gov.uk/n/{i}" in text
    _assert_fits(thread, rule)


def test_a_long_roundup_becomes_a_short_thread_and_drops_what_does_not_fit() -> None:
    thread = compose_roundup_post(_roundup(40), XRule(), _settings(roundup_max_posts=2))
    assert len(thread.posts) == 2
    _assert_fits(thread, XRule())
    listed = [line for p in thread.posts for line in p.text.split("\n") if line.startswith("•")]
    assert listed and listed[0].startswith("• Headline number 0 ")
    assert len(listed) < 40
    # The thread names what it carries (the lines posted, in order) and what it drops.
    assert [f"• {i.headline} {i.url}" for i in thread.carried] == listed
    assert [i.story_id for i in thread.dropped] == [f"s{n}" for n in range(len(listed), 40)]


def test_budget_sends_the_lowest_ranked_stories_to_the_roundup() -> None:
    stories = [make_story(guid=f"s{i}") for i in range(4)]
    cfg = _settings(posts_per_day={"x": 7}, link_post_cost={"x": 2})
    plan = threads_within_budget(stories, XRule(), cfg)
    # Each thread: a link post (2) and two plain posts (1 + 1) = 4 units.
    assert [t.story_id for t in plan.threads] == [stories[0].id]
    assert [s.id for s in plan.to_roundup] == [s.id for s in stories[1:]]
    assert plan.budget_used == 4 and plan.budget_left == 3
    monthly = threads_within_budget(
        stories, XRule(), _settings(posts_per_month={"x": 100}), used_this_month=92
    )
    assert len(monthly.threads) == 2
    assert len(threads_within_budget(stories, BlueskyRule(), cfg).threads) == 4


_free_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=400
) | st.lists(
    st.sampled_from(
        ["word", "4.2%", "£1.5bn", "https://www.gov.uk/a?b=1", "日本", "👍🏽", "@x", "#y", "."]
    ),
    min_size=1,
    max_size=150,
).map(" ".join)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=_free_text,
    figure=_free_text,
    quote=_free_text,
    rule=st.sampled_from(RULES),
    numbering=st.booleans(),
)
def test_property_every_post_fits_and_no_url_is_broken(
    title: str, figure: str, quote: str, rule: LengthRule, numbering: bool
) -> None:
    story = make_story(title=title, figures=((figure, "1", 0.9),), quote=quote)
    if not story.headline.strip():
        story = dataclasses.replace(story, headline="Headline")
    thread = compose_thread(story, rule, _settings(numbering=numbering))
    for post in thread.posts:
        assert rule.fits(post.text), (post.text, rule.length(post.text))
    assert thread.posts[0].text.endswith(LINK) or thread.posts[0].text.endswith(
        LINK + " (1/" + str(len(thread.posts)) + ")"
    )
    # The posts after the headline, whose own link is not the figure's.
    joined = "\n".join(p.text for p in thread.posts[1:])
    # A figure's link is posted whole or not at all: the figure may be left out by design
    # (it says the headline again, cannot stand alone, or is cut before a clause), never
    # a link cut in two.
    posted = {o.text for o in usable_figures(story, _settings().social)}
    for start, end in url_spans(social_text(figure)):
        url = social_text(figure)[start:end]
        if rule.fits(url, 10) and posted:
            assert url in joined or url[: len(url) // 2 + 1] not in joined
    # The quote's words appear in order, unchanged (apart from the ellipsis at a cut).
    marks = set("“”—")
    if numbering or marks & set(title + figure + quote):
        return
    # The quote's posts: from the one opening the marks to the one closing them (a quote
    # over several posts opens with "Who, Role:" on a line of its own).
    texts = [p.text for p in thread.posts]
    opened = [i for i, t in enumerate(texts) if t.startswith("“") or ":\n“" in t]
    if opened:
        said = " ".join(texts[opened[0] :]).split("“", 1)[1].split("”", 1)[0]
        said = said.removesuffix(ELLIPSIS)
        words = _nonspace(social_text(quote))
        # Unchanged, but for the comma an attribution's split leaves at the end.
        assert words.startswith(_nonspace(said)) or (
            words.endswith(",") and _nonspace(said) == words[:-1] + "."
        )


def _nonspace(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(figures=st.lists(_free_text, min_size=1, max_size=4), rule=st.sampled_from(RULES))
def test_property_figures_are_posted_whole_and_in_order(
    figures: list[str], rule: LengthRule
) -> None:
    # Each figure's value its own, so none is left out as a number already given.
    story = make_story(figures=tuple((f, f"⟦{i}⟧", 0.9) for i, f in enumerate(figures)), quote=None)
    cfg = _settings(max_posts_per_thread=25, max_figures=4)
    thread = compose_thread(story, rule, cfg)
    for post in thread.posts:
        assert rule.fits(post.text)
    # Each figure sentence stands whole in one post, or cut at a clause with an ellipsis,
    # or is left out: never split across two posts, never posted twice.
    # With no figure to post, the thread gives the lede instead.
    lines = [line for p in thread.posts[1:] for line in p.text.split("\n") if line != LEDE]
    posted = [_nonspace(line) for line in lines]
    wanted = [_nonspace(social_text(f).replace("\n", " ")) for f in dict.fromkeys(figures)]
    wanted = [w for w in dict.fromkeys(wanted) if w]
    position = 0
    for line in posted:
        match = next(
            (
                i
                for i in range(position, len(wanted))
                if line == wanted[i] or (line.endswith("…") and wanted[i].startswith(line[:-1]))
            ),
            None,
        )
        assert match is not None, (line, wanted)
        position = match + 1
    assert len(posted) == len(set(posted))
    # A figure in the first person, one that cannot stand alone, or a paragraph with no
    # full stop (a standfirst) is left out by design.
    usable = {
        _nonspace(social_text(f).replace("\n", " "))
        for f in figures
        if in_own_voice(f) and stands_alone(f) and f.rstrip().endswith(FINISHED)
    }
    for figure in wanted:
        if figure in usable and rule.fits(figure, 0) and len(figure) < 200:
            assert figure in posted or any(figure in p for p in posted)


def test_a_number_already_given_is_not_posted_again() -> None:
    # Once by a figure before it, once by the quote the thread posts.
    story = make_story(
        figures=(
            ("Ministers announced a £22 million uplift for the scheme.", "£22 million", 0.95),
            ("The £22 million boost takes the budget to £227 million.", "£22 million", 0.95),
            ("Renewables supplied 42% of the country's power last year.", "42%", 0.95),
            ("Fares will fall by 5% in March for 1.4 million passengers.", "5%", 0.95),
        ),
        quote="We will cut fares by 5% this spring. Passengers deserve it.",
    )
    thread = compose_thread(story, RULES[0], _settings(max_figures=4))
    text = "\n".join(p.text for p in thread.posts)
    assert text.count("£22 million") == 1
    assert "42%" in text
    assert "Fares will fall by 5%" not in text
    assert "We will cut fares by 5%" in text


def test_a_sum_written_another_way_is_not_posted_again() -> None:
    story = make_story(
        figures=(
            (
                "The county reached a $7.7 million settlement with the carrier.",
                "$7.7 million",
                0.95,
            ),
            ("Under the judgment, the carrier will pay a total of $7,700,000.", "$7,700,000", 0.95),
            ("Carrier crews must spend $500,000 inspecting cell sites.", "$500,000", 0.95),
        ),
        quote=None,
    )
    thread = compose_thread(story, RULES[0], _settings(max_figures=4))
    text = "\n".join(p.text for p in thread.posts)
    assert "$7.7 million" in text and "$500,000" in text
    assert "$7,700,000" not in text


def test_the_same_rate_about_something_else_is_posted() -> None:
    story = make_story(
        figures=(
            ("Payroll employment grew an estimated 2.5% over 12 months.", "2.5%", 0.95),
            ("The unemployment rate is estimated at 2.5%, up a tenth of a point.", "2.5%", 0.95),
        ),
        quote=None,
    )
    text = "\n".join(p.text for p in compose_thread(story, RULES[0], _settings()).posts)
    assert "Payroll employment grew" in text and "The unemployment rate is" in text


@pytest.mark.parametrize(
    ("item", "posted"),
    [
        ("Over 16,000 arrests", True),
        # A summary's bullet in headline words: a fragment, posted alone.
        (
            "Extra money given to councils to provide further help to most in need with "
            "essential food and energy costs until 31 March 2026",
            False,
        ),
    ],
)
def test_a_paragraph_with_no_full_stop_is_a_standfirst_not_a_figure_post(
    item: str, posted: bool
) -> None:
    standfirst = "From a landmark $1.25 billion investment to a fall in violent crime"
    story = make_story(
        lede=NEWS,
        figures=(
            (standfirst, "$1.25 billion", 0.95),
            ("Rents in the region rose by 4% last year.", "4%", 0.9),
        ),
        quote=None,
    )
    thread = compose_thread(story, RULES[0], _settings())
    assert [p.text for p in thread.posts[1:]] == [NEWS, "Rents in the region rose by 4% last year."]
    listed = make_story(lede=NEWS, figures=((item, "16,000", 0.9),), quote=None)
    body = listed.article.body.replace(item, f"- {item}")
    f = listed.key_figures[0]
    listed = dataclasses.replace(
        listed,
        article=dataclasses.replace(listed.article, body=body),
        key_figures=(dataclasses.replace(f, start=f.start + 2, end=f.end + 2),),
    )
    after = [p.text for p in compose_thread(listed, RULES[0], _settings()).posts[1:]]
    assert after == ([NEWS, item] if posted else [NEWS])


def test_a_figure_too_long_for_a_post_is_left_out_not_split() -> None:
    # No clause to stop before: the whole sentence or nothing.
    long = "The programme will invest £2.5 billion in " + "new homes and roads and clinics " * 9
    short = "Rents in the region rose by 4% last year."
    story = make_story(figures=((long, "£2.5 billion", 0.9), (short, "4%", 0.9)), quote=None)
    thread = compose_thread(story, RULES[0], _settings())
    assert [p.text for p in thread.posts[1:]] == [short]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.network)
def test_a_figure_too_long_for_a_post_stops_before_a_trailing_clause(rule: LengthRule) -> None:
    head = "The new hive is expected to increase annual honey production by an estimated 30 pounds"
    tail = ", allowing for greater use in the kitchens" + " and at state dinners" * 30 + "."
    story = make_story(figures=((head + tail, "30 pounds", 0.9),), quote=None)
    thread = compose_thread(story, rule, _settings())
    assert [p.text for p in thread.posts[1:]] == [head + "…"]


def test_a_cut_that_would_lose_the_number_is_not_made() -> None:
    text = "Work starts next spring on the new line" + ", bringing" + " jobs and homes" * 40
    text += " worth £300 million to the region."
    story = make_story(lede=NEWS, figures=((text, "£300 million", 0.9),), quote=None)
    assert _after_headline(compose_thread(story, XRule(), _settings())) == [NEWS]


@pytest.mark.parametrize(
    "figure",
    [
        "It would lower rents by building or preserving two million homes.",
        "These deliveries included 566,000 pounds of formula.",
        "In addition, dozens of fire engines were sent to the county.",
        "Establishing fixed deadlines of 90 days for every review.",
        "Severely reduce rail service by cutting funding by $1 billion.",
        # A briefing's spoken links to the answer before.
        "And then finally, encouraging airlines to send passenger data 24 hours ahead.",
        "But the fund has only reached 40 of the 300 towns so far.",
        "First is inflation has come down more than 60 percent.",
        "Second, the tariffs cover 0.6 percent of steel demand.",
        "So that’s 1,200 more officers on the street.",
        # A thing named before, which the post does not name.
        "The move will save the health service 10% on digital contracts.",
        "The revelation comes as the department publishes a million items of data.",
        "The nearly $50 million facility is creating 93 full-time jobs.",
        "The legislation will bring in sentences of up to 2 years.",
        "The agency also awarded $10.5 million to replace diesel school buses.",
        "The federal funding will also replace 10 bridges on the route.",
        "The two projects will create around 1,200 construction jobs.",
        "The survey found 9 out of 10 parents know their school's rating.",
        "The ambitious plan has helped create 40,000 jobs since 2019.",
        "The Bill replaces the 2009 programme with a $35.5 billion fund.",
        # More of what came before.
        "Another £6.5 million will be invested across the wider justice system.",
        "A further 200 homes will be built on the second site.",
        "The additional £230 million will allow the hospital schemes to go on.",
        "By leveraging state funds to maximize this effort, towns won $101 million.",
        "8 million of these are on prescription medication for their conditions.",
        # A number's own comma does not end the clause that leans back.
        "In 1999 there were 6,118 deaths from these causes compared with 3,734 now.",
        # A pasted bullet in lower case, or the tail of a sentence.
        "follows £1.2 billion for road repairs announced in the spring",
        "government announces £72 million package to improve train services",
    ],
)
def test_a_figure_that_needs_the_sentence_before_it_is_not_posted(figure: str) -> None:
    story = make_story(lede=NEWS, figures=((figure, "1", 0.9),), quote=None)
    thread = compose_thread(story, RULES[0], _settings())
    assert _after_headline(thread) == [NEWS]  # the lede, not the figure


@pytest.mark.parametrize(
    "figure",
    [
        "So far, 300 councils have signed up to the scheme.",
        "Well over 1,000 people attended the 12 events.",
        "Then-Governor Lee signed the £40 million plan in 2019.",
        "First Lady Jill Biden visited 12 schools in 6 states.",
        "Now 4 in 10 homes have fibre broadband.",
        "During peak months, the two hives hold about 70,000 bees.",
        "Nearly 8 million people now live within a mile of a station.",
        "Following the storm, 200 crews restored power to 90% of homes.",
        "Speaking at the conference, the Prime Minister announced a £427 million grant.",
        "In 2024, 6,118 people used this service.",
        "This week, prosecutors charged 15 people in the scheme.",
        "This year 4,000 apprentices will start on the programme.",
        "The Court’s decision returns $2 billion to 40 states.",
        "The survey of 2,000 parents was carried out in May.",
        "The report, published by the inspectorate, covers 21,000 schools.",
        "The decision to freeze fares saves 1.4 million passengers £40 a year.",
        "The new plant in Ohio will employ 500 people.",
        "Ministers have agreed a £40 million package that will also fund 12 new ferries.",
        "Spending on harbour construction has more than doubled since 2021.",
        "Officials said this is the first year 3 vaccines are on offer.",
        "Ferry fares will fall by 5% this spring for 1.4 million passengers.",
        # A plan or review by its name is not "the plan" named before.
        "The Healthy Harbour Plan will be debated in the 2027 session.",
        "The Rail Fares Review found 5% rises in 12 towns.",
    ],
)
def test_a_figure_opening_with_such_a_word_but_standing_alone_is_posted(figure: str) -> None:
    story = make_story(figures=((figure, "1", 0.9),), quote=None)
    thread = compose_thread(story, RULES[0], _settings())
    assert [p.text for p in thread.posts[1:]] == [figure]


def test_a_figure_said_inside_quote_marks_is_not_posted_as_narrative() -> None:
    story = make_story(
        lede=NEWS, figures=(("Prices fell by 12% in a year.", "12%", 0.9),), quote=None
    )
    story = dataclasses.replace(
        story, key_figures=tuple(dataclasses.replace(f, quoted=True) for f in story.key_figures)
    )
    thread = compose_thread(story, RULES[0], _settings())
    assert _after_headline(thread) == [NEWS]


def test_a_figure_saying_the_headline_again_is_not_posted_but_the_summarys_figure_is() -> None:
    # A thread shows the headline, not the summary: the lede's figure is news there,
    # unless it only says the headline again.
    lede = "Hospices in England will receive £100 million to improve their buildings."
    story = make_story(figures=((lede, "£100 million", 0.9),), quote=None)
    story = dataclasses.replace(story, summary=lede)
    assert [p.text for p in compose_thread(story, RULES[0], _settings()).posts[1:]] == [lede]
    again = dataclasses.replace(story, headline="Hospices to receive £100 million for buildings")
    assert [p.text for p in compose_thread(again, RULES[0], _settings()).posts[1:]] == []


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80) | _free_text)
def test_property_social_text_fast_path_matches_the_full_cleaning(text: str) -> None:
    # A trailing newline always takes the full path; the result must not differ.
    assert social_text(text) == social_text(text + "\n")


def test_a_quote_sentence_longer_than_a_post_is_never_split_and_cut_only_at_an_added_clause() -> (
    None
):
    long = (
        "Our nation is stronger, more secure, and more prosperous when America leads the "
        "world in energy production, and the industry applauds the administration’s "
        "recognition that a whole of government approach is needed to meet the challenge "
        "of keeping energy affordable for every family in every state of the union."
    )
    first = "This is welcome news for every worker in the industry."
    thread = compose_thread(make_story(quote=f"{first} {long}"), XRule(), Settings())
    (post,) = [p.text for p in thread.posts if "“" in p.text]
    assert post.startswith(f"“{first}{ELLIPSIS}”\n— ")  # stops before the long sentence
    # A first sentence too long for a post stops before an added clause, marked "…".
    thread = compose_thread(make_story(quote=long), XRule(), Settings())
    (post,) = [p.text for p in thread.posts if "“" in p.text]
    assert post.startswith(
        "“Our nation is stronger, more secure, and more prosperous when America leads the "
        "world in energy production…”\n— "
    )
    # Never before ", but …": the words would come to say something else; no clause to stop
    # at, no quote.
    turned = long.replace(", and the industry applauds", ", but the industry doubts")
    thread = compose_thread(make_story(quote=turned), XRule(), Settings())
    assert not any("“" in p.text for p in thread.posts)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sentences=st.lists(
        st.text(alphabet="abcdefghij ", min_size=5, max_size=200).map(
            lambda s: s.strip().capitalize() + "."
        ),
        min_size=1,
        max_size=8,
    )
)
def test_property_quote_posts_hold_whole_sentences(sentences: list[str]) -> None:
    sentences = [s for s in sentences if len(s) > 2]
    if not sentences:
        return
    quote = " ".join(sentences)
    thread = compose_thread(make_story(quote=quote), XRule(), Settings())
    for post in thread.posts:
        assert XRule().fits(post.text)
    parts = [p.text for p in thread.posts if "“" in p.text or "”\n— " in p.text]
    for part in parts:
        said = part.split("”\n— ")[0].removeprefix("“").removesuffix(ELLIPSIS)
        # Every part ends where a sentence ends.
        assert said.endswith(".")


def test_social_text_neutralises_exactly_the_mentions_twitter_text_extracts(
    specs_dir: Path,
) -> None:
    import yaml

    from distributor.compose.threads import NEUTRAL, social_text
    from distributor.text import mention_points

    data = yaml.safe_load((specs_dir / "twitter-text" / "extract.yml").read_text("utf-8"))
    cases = [
        *data["tests"]["mentions"],
        *(
            {**c, "expected": [e["screen_name"] for e in c["expected"]]}
            for c in data["tests"]["mentions_or_lists_with_indices"]
        ),
    ]
    assert len(cases) >= 25
    for case in cases:
        text = case["text"]
        safe = social_text(text)
        assert mention_points(safe) == [], text  # nothing in the post links an account
        # Exactly those: one mark per mention twitter-text finds, none anywhere else.
        assert safe.count(f"@{NEUTRAL}") + safe.count(f"＠{NEUTRAL}") == len(case["expected"]), text


@pytest.mark.parametrize(
    ("text", "linked"),
    [("の@username", True), ("RT@jack", True), ("é@user", True), ("me@example.org", False)],
)
def test_mentions_the_old_rule_missed_are_neutralised(text: str, linked: bool) -> None:
    from distributor.compose.threads import NEUTRAL, social_text

    assert (NEUTRAL in social_text(text)) is linked


def test_a_bare_domain_in_article_text_is_not_linked_on_any_network(specs_dir: Path) -> None:
    import yaml

    from distributor.compose.threads import NEUTRAL, social_text
    from distributor.text import url_spans

    # Every bare-domain case of the conformance file: after cleaning, twitter-text (and so
    # X) finds no link in it, and the words read the same.
    data = yaml.safe_load((specs_dir / "twitter-text" / "extract.yml").read_text("utf-8"))
    bare = [
        c["text"]
        for c in data["tests"]["urls"]
        if c["expected"] and not any("://" in u for u in c["expected"])
    ]
    assert len(bare) >= 10
    for text in bare:
        safe = social_text(text)
        assert url_spans(safe) == (), text
        assert safe.replace(NEUTRAL, "") == " ".join(text.split()), text
    # A link written with its protocol stays a link, whole.
    kept = social_text("Apply at https://www.gov.uk/apply.html or refunds.example.com.")
    assert url_spans(kept) == ((9, 38),)
    thread = compose_thread(
        make_story(title="Claim at refunds.example.com now"), XRule(), Settings()
    )
    head = thread.posts[0].text
    assert [head[a:b] for a, b in url_spans(head)] == [make_story().article.url]


def test_social_text_neutralises_exactly_the_tags_twitter_text_extracts(specs_dir: Path) -> None:
    import yaml

    from distributor.compose.threads import NEUTRAL, social_text
    from distributor.text import tag_points, url_spans

    data = yaml.safe_load((specs_dir / "twitter-text" / "extract.yml").read_text("utf-8"))
    cases = [
        *data["tests"]["hashtags"],
        *data["tests"]["hashtags_from_astral"],
        *data["tests"]["cashtags"],
    ]
    assert len(cases) >= 70
    for case in cases:
        safe = social_text(case["text"])
        assert tag_points(safe) == [], case["text"]  # nothing in the post joins a tag
        marks = sum(safe.count(sign + NEUTRAL) for sign in "#＃$")
        if any("://" not in case["text"][a:b] for a, b in url_spans(case["text"])):
            # A bare domain is made inert first, and the "#tag" after it is then a tag.
            continue
        # One mark per tag twitter-text finds ("#16 bus", "$123", "#0" are no tags).
        assert marks == len(case["expected"]), case["text"]
    for section in ("hashtags_with_indices", "cashtags_with_indices"):
        for case in data["tests"][section]:
            starts = [p - 1 for p in tag_points(case["text"])]
            assert starts == [e["indices"][0] for e in case["expected"]], case["text"]


def test_a_surname_alone_is_signed_with_its_title_before_it() -> None:
    story = make_story(quote="We will build the road.")
    q = story.quote
    assert q is not None
    alone = dataclasses.replace(story, quote=dataclasses.replace(q, speaker="Morgan"))
    thread = compose_thread(alone, XRule(), Settings())
    assert thread.posts[-1].text.endswith("— Transport Secretary Morgan")


@pytest.mark.parametrize(
    ("voice", "lead"),
    [
        (Voice("Ada Marsh", "President"), "President Ada Marsh:"),
        (Voice(None, "Press Secretary"), "The Press Secretary:"),
    ],
)
def test_a_statements_figures_are_posted_as_its_issuers_words(voice: Voice, lead: str) -> None:
    figure = "Since 2020 the number of “start-ups” in the region has doubled to 4,800."
    story = dataclasses.replace(
        make_story(figures=((figure, "4,800", 0.9),), quote=None), voice=voice
    )
    for rule in RULES:
        posts = [p.text for p in compose_thread(story, rule, _settings()).posts]
        assert posts[1:] == [
            f"{lead}\n“Since 2020 the number of ‘start-ups’ in the region has doubled to 4,800.”"
        ]


def test_a_briefings_figures_with_no_one_to_sign_them_are_not_posted() -> None:
    # Nor its lede: a transcript's words are not the publisher's.
    story = dataclasses.replace(make_story(quote=None), voice=Voice(None))
    assert len(compose_thread(story, XRule(), _settings()).posts) == 1


def test_a_statements_own_first_person_figure_is_posted_signed_never_bare() -> None:
    figure = "We have cut waiting lists by 40% in two years."
    signed = dataclasses.replace(
        make_story(lede=NEWS, figures=((figure, "40%", 0.9),), quote=None),
        voice=Voice("Ada Marsh", "President"),
    )
    posts = [p.text for p in compose_thread(signed, XRule(), _settings()).posts]
    assert posts[1:] == [f"President Ada Marsh:\n“{figure}”"]
    bare = make_story(lede=NEWS, figures=((figure, "40%", 0.9),), quote=None)
    assert _after_headline(compose_thread(bare, XRule(), _settings())) == [NEWS]


def test_a_statements_sentence_about_its_issuer_is_not_put_in_their_mouth() -> None:
    # "Statement by the Secretary": the release narrates what the Secretary did; those are
    # not the Secretary's words.
    narrated = "The Secretary has agreed a £40 million fund for 12 harbours."
    own = "We have cut waiting lists by 40% in two years."
    story = dataclasses.replace(
        make_story(
            lede=NEWS, figures=((narrated, "£40 million", 0.9), (own, "40%", 0.9)), quote=None
        ),
        voice=Voice(None, "Secretary"),
    )
    posts = _after_headline(compose_thread(story, XRule(), _settings()))
    assert posts == [f"The Secretary:\n“{own}”"]


def test_a_statement_by_two_office_holders_signs_nothing() -> None:
    story = make_story(
        title="Statement by the First Minister and deputy First Minister", quote=None
    )
    story = dataclasses.replace(story, voice=statement.voice(story.article.title))
    assert story.voice is not None and story.voice.role is None
    assert len(compose_thread(story, XRule(), _settings()).posts) == 1


def test_a_lede_that_leads_into_what_follows_is_not_posted() -> None:
    lede = "The Administrator today issued the following statement on the loan programme:"
    story = make_story(lede=lede, figures=(), quote=None)
    assert len(compose_thread(story, XRule(), _settings()).posts) == 1


def _signed_quote_posts(words: str, speaker: str, role: str) -> list[str]:
    """The X thread of a story whose only content is ``words``, said by ``speaker``."""
    story = make_story(quote=words, speaker=speaker, role=role, figures=())
    return [p.text for p in compose_thread(story, XRule(), _settings()).posts]


def test_a_long_role_gives_way_to_its_whole_head_title_when_room_is_short() -> None:
    # One sentence too long for a post with the whole role, short enough with the title.
    words = "We will defend the rights of every family" + " and every worker" * 8
    words += " in this state, in every court, for as long as it takes."
    posts = _signed_quote_posts(
        words, "Rob Bonta", "California Department of Justice Attorney General"
    )
    assert posts[1:] == [f"“{words}”\n— Attorney General Rob Bonta"]


def test_two_posts_joined_by_and_never_shrink_to_the_last_words_title() -> None:
    # "Chief Executive and Permanent Secretary" is not a Secretary of State: with no room
    # for the whole role, the quote is signed by name alone.
    words = "We have brought in " + "billions of pounds " * 11 + "for public services."
    posts = _signed_quote_posts(words, "Jon Thompson", "Chief Executive and Permanent Secretary")
    assert not any("Secretary Jon Thompson" in p for p in posts)
    assert any("Jon Thompson" in p for p in posts)


def test_a_post_held_at_a_body_keeps_the_post_when_the_body_has_no_room() -> None:
    words = (
        "I am delighted that the hospital’s ward is once again welcoming inpatients after"
        " the completion of necessary work by the building’s landlord, with the support of"
        " the property service and its contractors."
    )
    role = "clinical collaborative chair at Harbour Hospitals NHS Foundation Trust"
    assert not XRule().fits(f"“{words}”\n— Jo Hale, {role}")
    posts = _signed_quote_posts(words, "Jo Hale", role)
    assert posts[1:] == [f"“{words}”\n— Jo Hale, clinical collaborative chair"]


def test_a_district_attorney_keeps_the_title_when_the_county_has_no_room() -> None:
    words = (
        "Every day thousands of people cross the border for work and school"
        + (", and for family" * 10)
        + "."
    )
    posts = _signed_quote_posts(words, "Ana Ruiz", "Harbour County District Attorney")
    assert any("District Attorney Ana Ruiz" in p for p in posts)
    assert not any(p.startswith("Ana Ruiz:") or p.endswith("— Ana Ruiz") for p in posts)


def test_a_quote_ending_on_the_lead_in_to_a_list_stops_before_it() -> None:
    quote = (
        "I am very pleased with the Court's decision to uphold the Act. Thanks to the Act,"
        " affirmed by the Court today:"
    )
    posts = _after_headline(compose_thread(make_story(quote=quote), XRule(), _settings()))
    said = [p for p in posts if "pleased" in p]
    assert said and "today:" not in said[0]
    assert said[0].startswith("“I am very pleased with the Court's decision to uphold the Act.…”")


def test_a_surname_is_never_signed_bare_to_make_room() -> None:
    # One sentence that fits a post signed "— Hale" but not "— Vice President Hale": it
    # is cut at a clause and signed with the title, never with the surname alone.
    words = (
        "Our first priority is getting folks back to work"
        + " in every town" * 10
        + " – and there is no better way to do that than putting shovels in the ground."
    )
    posts = _signed_quote_posts(words, "Hale", "Vice President")
    assert posts[-1].endswith("\n— Vice President Hale")
    assert not any(p.startswith("Hale:") or p.endswith("— Hale") for p in posts)


def test_praise_is_not_posted_in_the_publishers_voice_but_stays_in_a_quote() -> None:
    praised = "Libraries were full all summer, with an incredible 7,708 children taking part."
    plain = "Over 5,000 of the children completed the challenge."
    quote = "We are delighted that 7,708 children took part."
    story = make_story(
        lede="The Government is getting on with delivering reading for every child.",
        figures=((praised, "7,708", 0.9), (plain, "5,000", 0.9)),
        quote=quote,
    )
    posts = _after_headline(compose_thread(story, XRule(), _settings()))
    assert posts[0] == plain
    assert not any("incredible" in p or "getting on with" in p for p in posts)
    assert any("delighted" in p for p in posts)


def test_a_list_item_that_finishes_its_lead_ins_sentence_is_not_posted_alone() -> None:
    item = "Expand access to £37 billion of public contracts for small firms."
    story = make_story(lede=NEWS, figures=((item, "£37 billion", 0.9),), quote=None)
    fragment = dataclasses.replace(
        story, key_figures=tuple(dataclasses.replace(f, continues=True) for f in story.key_figures)
    )
    assert _after_headline(compose_thread(fragment, XRule(), _settings())) == [NEWS]
    assert [p.text for p in compose_thread(story, XRule(), _settings()).posts[1:]] == [NEWS, item]


def test_a_thread_posts_its_surest_figures_in_the_articles_order() -> None:
    figures = (
        ("Millions of families will notice the change.", "Millions", 0.62),
        ("The fund is worth £2 billion over five years.", "£2 billion", 0.95),
        ("About 1.4 million season-ticket holders are affected.", "1.4 million", 0.9),
        ("Fares will fall by 5% in March.", "5%", 0.85),
    )
    story = make_story(figures=figures, quote=None)
    posted = "\n".join(p.text for p in compose_thread(story, XRule(), _settings()).posts[1:])
    assert "Millions of families" not in posted  # the least sure of four, over max_figures
    kept = [text for text, _, _ in figures[1:]]
    assert [line for line in posted.split("\n") if line] == kept


@settings(max_examples=200, deadline=None)
@given(
    text=_free_text,
    value=st.sampled_from(["£2 billion", "40%", "1,200", ""]),
    room=st.integers(min_value=10, max_value=300),
)
def test_property_a_clause_cut_is_a_prefix_that_fits_and_keeps_the_number(
    text: str, value: str, room: int
) -> None:
    sentence = f"{text}, allowing {value} more, which {text}" if value else text
    cut = clause_cut(sentence, value, lambda t: len(t) <= room)
    if cut is None:
        return
    assert cut.endswith("…") and sentence.startswith(cut[:-1])
    assert len(cut) <= room and value in cut
    assert len(cut[:-1].split()) >= 8


def test_a_clause_cut_never_stops_inside_or_before_an_aside_between_dashes() -> None:
    # Cut at either dash, "The eleven attachés … world" would have no verb.
    sentence = (
        "The eleven attachés based in embassies around the world – in Canada, Mexico, Brazil, "
        "Kenya, India and Japan – work to remove trade barriers worth £340 million a year."
    )
    assert clause_cut(sentence, "eleven", lambda t: len(t) <= 150) is None
    # A dash that opens a closing aside is still a place to stop.
    trailing = (
        "The eleven attachés based in embassies around the world remove trade barriers worth "
        "£340 million a year – in Canada, Mexico, Brazil, Kenya, India and Japan."
    )
    assert clause_cut(trailing, "£340 million", lambda t: len(t) <= 150) == (
        "The eleven attachés based in embassies around the world remove trade barriers worth "
        "£340 million a year…"
    )


def test_who_speaks_takes_room_only_in_the_first_post_of_a_long_quote() -> None:
    # The second sentence fills a post by itself; the long signature must not push it out.
    first = "Every harbour in the region will be dredged to take the largest ships by 2030."
    second = (
        "That means more trade, more jobs on the quays and lower prices in the shops for "
        "every family, from the coast to the valleys, and we will report on progress to "
        "this house every single year until the work is done, starting next spring."
    )
    texts = _quote_thread(
        f"{first} {second}",
        "Alexandra Montgomery-Whitfield",
        "Deputy Cabinet Secretary for Harbours, Coastal Communities and the Islands",
    )
    assert any(second in t for t in texts)
    assert any(t.startswith("Alexandra Montgomery-Whitfield, Deputy Cabinet") for t in texts)


def test_a_long_role_gives_way_to_its_head_title_before_the_name_goes_bare() -> None:
    # With the whole role the first sentence no longer fits; with "Commissioner" it does.
    first = "Community grants support local groups tackling pollution in " + "every town " * 15
    first = first.rstrip() + "."
    second = "We remain committed to this work with all our partners across the state."
    texts = _quote_thread(
        f"{first} {second}",
        "Basil Okonkwo",
        "State Department of Environmental Conservation Commissioner",
    )
    assert any(t.startswith("Commissioner Basil Okonkwo:\n“Community grants") for t in texts), texts


def _quote_thread(quote: str, speaker: str, role: str) -> list[str]:
    """The posts of a story's thread on X whose quote may take two posts."""
    story = make_story(quote=quote, speaker=speaker, role=role)
    return [p.text for p in compose_thread(story, RULES[0], _settings(quote_max_posts=2)).posts]


def _after_headline(thread: Thread) -> list[str]:
    return [p.text for p in thread.posts[1:]]


def test_a_thread_with_no_figure_and_no_quote_to_post_gives_the_lede() -> None:
    story = make_story(lede=NEWS, figures=(), quote=None)
    assert _after_headline(compose_thread(story, XRule(), _settings())) == [NEWS]
    # Not when the lede only says the headline again.
    again = dataclasses.replace(story, headline="Rail fares in England will not rise")
    assert _after_headline(compose_thread(again, XRule(), _settings())) == []


@pytest.mark.parametrize(
    "scene, done",
    [
        (
            "Surrounded by the beauty of Cranberry Lake Preserve in North White Plains, ",
            "Harbour County Executive Ann Ford signed a bill into law that keeps the names and"
            " faces of elected officials off county signs, including at county parks, golf"
            " courses, marinas, libraries and other properties the county owns.",
        ),
        # Whose behest it was, before the subject, goes the same way.
        (
            "At the direction of the President of the United States, ",
            "Gov. Ada Lee has ordered that the United States flag and the state flag will be"
            " flown at half-staff at the State Capitol and upon all state offices and agencies"
            " as well as the National Guard in the State of Harbour through July 18.",
        ),
    ],
)
def test_a_lede_too_long_for_a_post_loses_its_scene_before_its_clauses(
    scene: str, done: str
) -> None:
    lede = scene + done
    assert not XRule().fits(lede)
    story = make_story(lede=lede, figures=(), quote=None)
    assert _after_headline(compose_thread(story, XRule(), _settings())) == [done]


def test_a_lede_too_long_for_a_post_keeps_what_happened_before_why() -> None:
    done = (
        "A former supervisor who served on the Harbour County Board was sentenced today to 60"
        " months in federal prison for accepting more than $550,000 in bribes"
    )
    lede = (
        f"{done} for directing and voting in favor of more than $10 million in pandemic relief"
        " funds to a charity affiliated with one of his daughters and her business partners."
    )
    assert not XRule().fits(lede)
    story = make_story(lede=lede, figures=(), quote=None)
    assert _after_headline(compose_thread(story, XRule(), _settings())) == [f"{done}{ELLIPSIS}"]


def test_a_lede_too_long_for_a_post_keeps_what_will_happen_before_after() -> None:
    done = "A man accused of a violent, racially motivated rampage in Harbour City will face trial"
    lede = (
        f"{done} after the state's highest court declined to review an appeals court ruling"
        " agreeing with the District Attorney's Office that the trial judge abused her"
        " discretion in granting him pretrial mental health diversion last spring."
    )
    assert not XRule().fits(lede)
    story = make_story(lede=lede, figures=(), quote=None)
    assert _after_headline(compose_thread(story, XRule(), _settings())) == [f"{done}{ELLIPSIS}"]


def test_a_lede_is_never_cut_in_its_list_of_who_announces() -> None:
    lede = (
        "Harbour County State Attorney Ann Ford, City of Doral Police Chief Tom Lee, City of"
        " Harbour Police Chief Ana Ruiz, the Harbour County Office of the Tax Collector, and"
        " the State Department of Highway Safety and Motor Vehicles announce the arrest of a"
        " 27-year-old clerk who forged the titles of 30 stolen vehicles over two years."
    )
    assert not XRule().fits(lede)
    story = make_story(lede=lede, figures=(), quote=None)
    assert _after_headline(compose_thread(story, XRule(), _settings())) == []


def test_a_lede_that_is_the_quotes_own_words_is_posted_once_signed() -> None:
    words = "A driver who killed two teenagers is being freed after serving a fraction of his term."
    story = make_story(lede=words, figures=(), quote=None)
    body = story.article.body
    signed = dataclasses.replace(
        story,
        quote=Quote(words, "Ann Ford", "District Attorney", (Span(words, 0, len(words)),), 0.85),
    )
    assert body.startswith(words)
    posts = _after_headline(compose_thread(signed, XRule(), _settings()))
    assert posts == [f"“{words}”\n— District Attorney Ann Ford"]


def _with_next_paragraph(story: Story, paragraph: str) -> Story:
    article = dataclasses.replace(
        story.article, body=f"{story.article.body}\n\n{paragraph}\n\nMore follows later."
    )
    return dataclasses.replace(story, article=article)


def test_a_lede_that_says_the_headline_again_gives_way_to_the_next_paragraph() -> None:
    story = dataclasses.replace(
        make_story(lede=NEWS, figures=(), quote=None),
        headline="Rail fares in England will not rise",
    )
    more = "Season tickets on every route will cost what they cost this year until next spring."
    assert _after_headline(
        compose_thread(_with_next_paragraph(story, more), XRule(), _settings())
    ) == [more]
    # Not a paragraph that leans on the one before, nor one in someone's own voice.
    for weak in ("It will also cover the new routes opening next year.", "We will freeze them."):
        thread = compose_thread(_with_next_paragraph(story, weak), XRule(), _settings())
        assert _after_headline(thread) == []


def test_a_clause_cut_may_stop_before_a_pointer_into_the_page() -> None:
    pointer = (
        "The Minister today announced a programme to help 9 councils complete 16 harbour "
        "projects (see table below for details)."
    )
    assert clause_cut(pointer, "16", lambda t: len(t) <= 110) == (
        f"The Minister today announced a programme to help 9 councils complete 16 harbour "
        f"projects{ELLIPSIS}"
    )


def test_a_clause_cut_never_stops_a_list_half_way() -> None:
    listed = (
        "The agency approved over 51,000 disaster loans to help homeowners, renters, "
        "businesses, and charities recover from wildfires, storms, and other declared "
        "disasters across the country."
    )
    assert clause_cut(listed, "51,000", lambda t: len(t) <= 200) is None
    gerunds = (
        "The funding includes £49.4 million to cover additional costs such as maintenance, "
        "staffing, cleaning and other pressures across every school in the region."
    )
    assert clause_cut(gerunds, "£49.4 million", lambda t: len(t) <= 120) is None
    clause = (
        "The fund will build 2,000 homes on former industrial land in the north of the "
        "county, and councils will bid for what is left over the coming year."
    )
    assert clause_cut(clause, "2,000", lambda t: len(t) <= 110) == (
        "The fund will build 2,000 homes on former industrial land in the north of the county…"
    )


@pytest.mark.parametrize(
    ("headline", "lede"),
    [
        (
            "Agency awards £4 million to harbour towns for old quays",
            "The agency is awarding £4 million in assistance to 23 harbour towns to plan the "
            "reuse of their old quays.",
        ),
        (
            "Fire danger period ends across most of the county",
            "The fire danger period has ended across most of the county, with restrictions "
            "to end in the remaining districts in the coming weeks.",
        ),
        (
            "First patients have robotic surgery at Harbour Hospital",
            "A retired engineer was one of the first patients to have robotic surgery at the "
            "Harbour Hospital in Porthallow.",
        ),
    ],
)
def test_a_lede_saying_the_headline_again_with_more_is_posted(headline: str, lede: str) -> None:
    story = make_story(title=headline, lede=lede, figures=(), quote=None)
    thread = compose_thread(story, XRule(), _settings())
    assert _after_headline(thread) == [lede]
    assert [o.kind for o in thread_origins(story, _settings(), XRule())] == ["summary"]


def test_a_quote_that_cannot_be_posted_is_not_named_as_the_threads_source() -> None:
    # One sentence, an aside between dashes in it, longer than a post: no cut reads right.
    words = (
        "This approach recognises that the revival of towns hit by many closed quays – in "
        "particular towns far from any city, with few jobs and fewer buses – needs a plan "
        "for the whole coast that draws investment to rebuild the old harbour sites and the "
        "roads, rail links and homes around them"
    )
    story = make_story(lede=NEWS, figures=(), quote=words + ".")
    thread = compose_thread(story, XRule(), _settings())
    assert not any("“" in text for text in _after_headline(thread))
    assert _after_headline(thread) == [NEWS]
    assert [o.kind for o in thread_origins(story, _settings(), XRule())] == ["summary"]


def _storm_statement(figure_paragraph: str, *more: str) -> list[str]:
    """The posts after the headline of a statement whose key figure comes in its third
    paragraph, after more than two posts of words."""
    from distributor.extract import extract
    from distributor.models import Article

    body = "\n".join(
        [
            "The harbour towns were hit by storms this week.",
            "Ports Secretary Ines Calder said:",
            "“I want to thank the crews and volunteers who worked through the night to keep "
            "the quays open and the families who live beside them safe from the water.",
            "“The danger has not passed, and the tides will stay high into next week, so "
            "everyone who lives near the water should follow the advice they are given. "
            "Sign up for the warnings, keep a bag ready by the door and check on the "
            "neighbours who live alone, as so many of you did on Tuesday night.",
            figure_paragraph,
            *more,
        ]
    )
    story = extract(Article("t", "t.txt", "Storms hit the harbour towns", body))
    assert story.quote is not None and story.quote.speaker == "Ines Calder"
    return _after_headline(compose_thread(story, XRule(), _settings(quote_max_posts=2)))


def test_a_long_quote_keeps_its_opening_and_the_sentences_that_give_its_figures() -> None:
    posts = _storm_statement(
        "“We will press on with our £5.2 billion programme of sea defences to protect "
        "336,000 homes over the next five years.",
        "“I will visit the worst-hit towns myself in the coming days to hear what more "
        "they need from us.”",
    )
    assert posts[0].startswith("Ports Secretary Ines Calder:\n“I want to thank the crews"), posts
    assert posts[0].endswith(f"safe from the water. {ELLIPSIS}”")
    assert posts[1] == (
        "“We will press on with our £5.2 billion programme of sea defences to protect 336,000 "
        f"homes over the next five years.{ELLIPSIS}”\n— Ines Calder"
    )


def test_a_quotes_figure_sentence_that_leans_on_one_left_out_is_not_picked() -> None:
    posts = _storm_statement(
        "“In addition, we will press on with our £5.2 billion programme of sea defences "
        "to protect 336,000 homes over the next five years.”"
    )
    assert not any("In addition" in p for p in posts)
    assert posts[-1].endswith(f"{ELLIPSIS}”\n— Ines Calder")


def test_a_lede_saying_more_than_the_headline_follows_it_and_is_not_repeated() -> None:
    story = make_story(
        lede=NEWS,
        figures=(
            (NEWS, "Friday", 0.95),  # the lede itself, found as a figure
            ("About 1.4 million season-ticket holders are affected.", "1.4 million", 0.95),
        ),
    )
    posts = _after_headline(compose_thread(story, XRule(), _settings()))
    assert posts[0] == NEWS
    assert posts[1] == "About 1.4 million season-ticket holders are affected."
    assert sum(NEWS in p for p in posts) == 1
    assert posts[-1].startswith("“This freeze puts money back")
    assert [o.kind for o in thread_origins(story, _settings(), XRule())] == [
        "summary",
        "figure",
        "quote",
    ]
    # Turned off, the thread is headline, figures and quote, as before.
    off = _after_headline(compose_thread(story, XRule(), _settings(lede=False)))
    assert NEWS not in off[1:] and off[-1].startswith("“This freeze puts money back")


def test_a_lede_post_outlasts_figures_when_the_thread_is_capped() -> None:
    story = make_story(
        lede=NEWS,
        figures=(
            ("About 1.4 million season-ticket holders are affected.", "1.4 million", 0.95),
            ("Regulated fares will stay at 2025 prices until March 2027.", "2027", 0.9),
        ),
    )
    posts = _after_headline(compose_thread(story, XRule(), _settings(max_posts_per_thread=3)))
    assert posts[0] == NEWS
    assert posts[1].startswith("“This freeze")
    assert len(posts) == 2


def test_a_quote_never_stops_just_before_a_sentence_that_turns_it_round() -> None:
    words = (
        "I want this work to send a message to everyone who deals drugs in this city that we "
        "are stepping up our response and will keep going. "
        "This is only a snapshot of the work we carry out, with many more investigations and "
        "operations going on out of sight of the public every single week. "
        "We know there is more to do, and this one result does not tackle the problem. "
        "But it is a step in the right direction to keep the people of this city safe from "
        "harm, and we will not stop until the streets are safer for all of them."
    )
    posts = _quote_thread(words, "Ana Brill", "Police Sergeant")
    text = " ".join(posts)
    assert "does not tackle the problem" not in text
    assert posts[-1].endswith(f"every single week.{ELLIPSIS}”\n— Ana Brill")
    # When the turn comes right after the first sentence, the quote is left out.
    turned = (
        "We know there is much more to do across every part of this city, and this one "
        "result on one street does not on its own tackle the problem that so many people "
        "living here have told us about. But it is a step in the right direction to keep "
        "the people of this city safe from harm, and we will not stop until it is done."
    )
    alone = make_story(quote=turned, speaker="Ana Brill", role="Police Sergeant")
    thread = compose_thread(alone, RULES[0], _settings(quote_max_posts=1))
    assert not any("does not on its own tackle" in p.text for p in thread.posts)


def test_a_verbless_list_item_finishing_its_lead_in_is_not_posted_alone() -> None:
    from distributor.extract import extract
    from distributor.models import Article

    body = "\n".join(
        [
            "The harbour towns will share £40 million over five years, the council said today.",
            "In this year's budget, the council is also investing:",
            "- $1.6 million to strengthen the sea wall along the old quay",
            "- Porthallow will get a new lifeboat station, costing £2.5 million.",
        ]
    )
    story = extract(Article("t", "t.txt", "Harbour towns to share new fund", body))
    posts = _after_headline(compose_thread(story, XRule(), _settings()))
    assert not any(p.startswith("$1.6 million") for p in posts)
    # An item that is a sentence of its own still is.
    assert "Porthallow will get a new lifeboat station, costing £2.5 million." in "\n".join(posts)


def _thread_of(*paragraphs: str, title: str = "Arrest leads to watchdog inquiry") -> list[str]:
    from distributor.extract import extract
    from distributor.models import Article

    body = "\n\n".join(paragraphs)
    story = extract(Article("t", "t.txt", title, body, url=LINK))
    return _after_headline(compose_thread(story, XRule(), _settings()))


ARREST = "On Monday afternoon officers stopped a man who was wanted on warrants in two counties."


def test_a_thread_with_no_figure_posts_the_next_sentence_that_says_more() -> None:
    posts = _thread_of(
        ARREST,
        "The man was taken to hospital with a broken wrist. The police watchdog has been"
        " told and is leading the inquiry.",
    )
    # The lede alone leaves out what the release is about: the sentence after it says it.
    assert posts == [ARREST, "The man was taken to hospital with a broken wrist."]


def test_the_sentence_after_the_lede_is_not_posted_beside_figures_or_when_it_points_away() -> None:
    with_figure = _thread_of(
        ARREST,
        "The man was injured during the arrest, and 3 officers were treated at the scene.",
    )
    assert len(with_figure) == 2 and "3 officers" in with_figure[1]
    pointing = _thread_of(ARREST, "The watchdog's statement on the arrest is posted here.")
    assert pointing == [ARREST]


def test_the_sentence_after_the_lede_comes_before_the_quote_within_the_cap() -> None:
    posts = _thread_of(
        ARREST,
        "The man was taken to hospital with a broken wrist.",
        "Chief Constable Ruth Hale said: “We have referred the arrest to the watchdog, as we"
        " must, and we will help its inquiry in every way we can.”",
    )
    assert posts[:2] == [ARREST, "The man was taken to hospital with a broken wrist."]
    assert posts[2].startswith("“We have referred the arrest") and "Ruth Hale" in posts[2]


def test_a_long_first_sentence_of_a_quote_stops_before_a_clause_of_when() -> None:
    words = (
        "Following the consultation the council held earlier this year, we have analysed the"
        " feedback from residents and will now take this important information from every"
        " household to the next scrutiny committee meeting in January, before the next steps"
        " are discussed at a"
        " future cabinet meeting."
    )
    posts = _quote_thread(words, "Michael Fuller", "Councillor, Portfolio Holder for Environment")
    # The whole role leaves the words no room: the member's title signs before the name.
    assert posts[-1:] == [
        "“Following the consultation the council held earlier this year, we have analysed the"
        " feedback from residents and will now take this important information from every"
        f" household to the next scrutiny committee meeting in January{ELLIPSIS}”"
        "\n— Councillor Michael Fuller"
    ]


@pytest.mark.parametrize(
    "title, posted",
    [
        ("Man charged with murder of neighbour", False),
        # The headline names him: the surname is no stranger to a reader of the thread.
        ("Michael Gledhill charged with murder of neighbour", True),
    ],
)
def test_a_figure_naming_someone_by_surname_alone_is_posted_only_where_they_are_named(
    title: str, posted: bool
) -> None:
    posts = _thread_of(
        "A 44-year-old man was charged today with murder in the death of his neighbour.",
        "Michael Gledhill, 44, was arrested at his home in Tarzana on Monday morning.",
        "If convicted as charged, Gledhill faces up to 26 years to life in state prison.",
        title=title,
    )
    assert any("Gledhill faces" in p for p in posts) is posted


def test_a_body_named_by_its_last_word_is_posted_but_a_period_no_post_gave_is_not() -> None:
    # A body's last word is no surname: "Police" here is the Harbour Police.
    kept = _thread_of(
        "Officers arrested two men after a chase through the town centre on Friday.",
        "The Harbour Police said the chase ended near the station.",
        "Police recovered 3 guns and $20,000 in cash from the car.",
        title="Two men arrested after chase",
    )
    assert any(p.startswith("Police recovered 3 guns") for p in kept)
    assert not stands_alone("During this 47-month period, the accountant received $644,000.")


@pytest.mark.parametrize(
    "done, rest",
    [
        (
            "Harbour County State’s Attorney Ann Hale today announced that prosecutors have"
            " charged Adam Reed with First Degree Murder in connection with the killing of his"
            " wife, 36-year-old Cara Reed",
            ", whose body was discovered at the bottom of a stairwell in their South Loop"
            " condominium building in October 2024.",
        ),
        (
            "Harbour County District Attorney Ann Hale announced today that Thrive Foods, Inc.,"
            " an online retailer of natural and organic food products, will pay $1.55 million"
            " in civil penalties and costs to settle a civil lawsuit",
            " alleging the company broke the state's Automatic Renewal Law and its False"
            " Advertising Law.",
        ),
        (
            "Harbour State Attorney Ann Hale and Harbour Police Chief Tom Reed announce the"
            " charging of Harbour Police Officer Zamir Vale Torres with official misconduct",
            " as a result of an investigation into the issuance of a false traffic citation to a"
            " former girlfriend by an officer using a colleague’s login credentials at the"
            " station.",
        ),
        (
            "Harbour State Attorney Ann Hale along with Harbour Police Chief Tom Reed announce"
            " the arrest of 15 individuals over the course of a two-day operation",
            " designed to identify predators using online platforms to solicit, entice, or"
            " coerce minor victims into human trafficking in the county.",
        ),
    ],
)
def test_a_lede_too_long_for_a_post_stops_before_a_clause_of_whose_or_why(
    done: str, rest: str
) -> None:
    lede = done + rest
    assert not XRule().fits(lede)
    story = make_story(lede=lede, figures=(), quote=None)
    assert _after_headline(compose_thread(story, XRule(), _settings())) == [done + ELLIPSIS]


def test_the_sentence_after_the_lede_never_gives_the_ledes_number_again() -> None:
    lede = (
        "The District Attorney announced today that a Harbour man has been sentenced to 100"
        " years to life in prison for four attacks within one week."
    )
    posts = _thread_of(
        lede,
        "The defendant, Dan Bell, of Crown Heights, was sentenced today to 100 years to life in"
        " prison by Supreme Court Justice Ann Reed.",
        title="Harbour man sentenced for four attacks",
    )
    assert posts == [lede]


def test_a_charge_the_lede_does_not_give_follows_it_even_beside_figures() -> None:
    lede = "A 44-year-old man was charged today in the death of a neighbour in Tarzana."
    charge = (
        "Michael Gledhill was charged in case 26VW01097 with one count of murder with a"
        " special allegation that he used a knife."
    )
    posts = _thread_of(
        lede,
        "Police were called to the house at about 9:30 a.m. on Monday.",
        charge,
        "Prosecutors are recommending bail be set at $2.02 million.",
        title="Man charged in death of neighbour",
    )
    assert posts[:2] == [lede, charge]
    assert any("$2.02 million" in p for p in posts[2:])  # the figure still follows


@pytest.mark.parametrize(
    "sentence, alone",
    [
        ("A third defendant, Zameer Khan, was arraigned on the indictment last month.", False),
        ("At some point, however, the victim found that $7,700 had been taken.", False),
        ("The other 12 sites will open in May.", False),
        (
            "The following day, Dec. 8, there were no courtrooms free, so 40 cases were dropped.",
            False,
        ),
        # A compound word is no count of what came before.
        ("A second-hand shop opened on the High Street with 30 staff.", True),
    ],
)
def test_a_sentence_pointing_back_to_others_or_turning_from_them_does_not_stand_alone(
    sentence: str, alone: bool
) -> None:
    assert stands_alone(sentence) is alone


def test_several_surnames_only_the_body_introduced_are_strangers_to_a_post() -> None:
    posts = _thread_of(
        "Four people were charged today in a $3.2 million insurance fraud scheme.",
        "The defendants are Ann Mohases, Bo Williams, Cy Reeves and Di Frageau, all of Irvine.",
        "Mohases, Williams, Reeves, and Frageau have each been charged with two counts of"
        " insurance fraud.",
        title="Four charged in insurance fraud",
    )
    assert not any(p.startswith("Mohases, Williams") for p in posts)


HOTLINE = (
    "To report any suspicion of price gouging, residents may call the State Attorney’s"
    " Hotline at 305-547-3300."
)


def test_what_a_reader_can_do_and_the_number_to_do_it_on_follows_the_lede() -> None:
    lede = "The State Attorney’s price gouging hotline is open from today for the storm."
    more = "Price gouging laws are triggered by a declaration of a state of emergency."
    posts = _thread_of(
        lede,
        more,
        "Examples include charging far more for water, ice, fuel or hotel rooms.",
        HOTLINE,
        title="Price gouging hotline opens",
    )
    assert posts == [lede, more, HOTLINE]


def test_over_the_cap_the_quotes_later_post_goes_before_what_a_reader_can_do() -> None:
    lede = "The State Attorney’s price gouging hotline is open from today for the storm."
    more = "Price gouging laws are triggered by a declaration of a state of emergency."
    first = (
        "Financially exploiting a crisis, such as this storm and the weeks of recovery that"
        " will follow it, is not only unethical and cruel to the families who are hit hardest"
        " but illegal under state law."
    )
    posts = _thread_of(
        lede,
        more,
        "State Attorney Ann Hale said: “"
        + first
        + " The office and our law enforcement partners will investigate and prosecute anyone"
        " who seeks to profit from this community’s suffering.”",
        HOTLINE,
        title="Price gouging hotline opens",
    )
    assert len(posts) == 4  # five posts with the headline: the cap
    assert posts[:3] == [lede, more, HOTLINE]
    assert posts[3] == f"State Attorney Ann Hale:\n“{first}”"


def test_the_defendant_named_after_a_lede_that_gave_only_their_age_follows_it() -> None:
    lede = "A 63-year-old landlord was convicted today of murdering his tenant over unpaid rent."
    named = (
        "The District Attorney identified the defendant as Phil Este, 63, of Shepherd Avenue,"
        " in East New York."
    )
    posts = _thread_of(lede, named, title="Landlord convicted of murder of tenant")
    # The age again is no repeat: the post says who the lede's "63-year-old" is.
    assert posts == [lede, named]


def test_preview_names_as_sources_only_what_the_capped_thread_still_posts() -> None:
    from distributor.extract import extract
    from distributor.models import Article

    body = "\n\n".join(
        [
            "The State Attorney’s price gouging hotline is open from today for the storm.",
            "Prices rose by 40% for bottled water in the first week, the office found.",
            "State Attorney Ann Hale said: “Financially exploiting a crisis, such as this storm"
            " and the weeks of recovery that will follow it, is not only unethical and cruel to"
            " the families who are hit hardest but illegal under state law. The office and our"
            " law enforcement partners will investigate and prosecute anyone who seeks to"
            " profit from this community’s suffering.”",
            HOTLINE,
        ]
    )
    story = extract(Article("t", "t.txt", "Price gouging hotline opens", body, url=LINK))
    thread = compose_thread(story, XRule(), Settings())
    assert len(thread.posts) == Settings().social.max_posts_per_thread
    assert not any("40%" in p.text for p in thread.posts)  # the figure gave way
    kinds = [o.kind for o in thread_origins(story, Settings(), XRule())]
    assert kinds == ["summary", "context", "quote"]


@pytest.mark.parametrize(
    "title, lede, posted",
    [
        # Charged, not convicted: the release's narrative of the crime is an allegation.
        (
            "Five charged in delivery truck thefts",
            "The District Attorney announced robbery and theft charges against five men.",
            False,
        ),
        # Convicted: what the court found may be stated as fact.
        (
            "Five convicted in delivery truck thefts",
            "The District Attorney announced that a jury convicted five men of robbery.",
            True,
        ),
    ],
)
def test_a_crime_stated_as_fact_is_posted_only_once_a_court_has_found_it(
    title: str, lede: str, posted: bool
) -> None:
    crime = (
        "Between July 2024 and June 2025, the defendants stole over $667,000 worth of"
        " handbags, shoes and belts."
    )
    posts = _thread_of(lede, crime, title=title)
    assert (crime in posts) is posted
    # Hedged, it states the allegation, which is news.
    hedged = crime.replace("the defendants stole", "the defendants allegedly stole")
    assert hedged in _thread_of(lede.replace("jury convicted", "jury heard"), hedged, title=title)


def test_the_sentence_naming_the_defendant_follows_the_lede_though_it_repeats_the_term() -> None:
    lede = (
        "The District Attorney announced that a 36-year-old Harbour man was sentenced to 110"
        " years to life in prison for shooting at five police officers."
    )
    named = (
        "The District Attorney said that the defendant, Nak Fox, 36, of Nostrand Avenue, was"
        " today sentenced by Justice Ann Reed to 110 years to life in prison."
    )
    posts = _thread_of(lede, named, title="Harbour man sentenced for shooting at officers")
    assert posts == [lede, named]

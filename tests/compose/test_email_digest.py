"""The rendered digest: what subscribers see and what the email channel relies on."""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from distributor.compose.digest import PLACEHOLDERS, render_digest, template_dir
from distributor.compose.lint import lint_digest, lint_html
from distributor.compose.roundup import RoundupOptions, build_roundup
from distributor.errors import ConfigError
from distributor.models import Image, Span, Story, Voice
from distributor.settings import EmailSettings, PublisherSettings, Settings, from_mapping
from tests.compose.digest_stories import (
    DAY,
    SOURCE_NAMES,
    grouped_stories,
    many_stories,
    sample_stories,
    story,
)

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


class Tags(HTMLParser):
    """Every start tag with its attributes, and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Tags:
    p = Tags()
    p.feed(html)
    return p


def render(stories: list[Story], settings: Settings | None = None, **kw: object):
    settings = settings or Settings()
    roundup = build_roundup(stories, DAY, RoundupOptions.from_settings(settings))
    return render_digest(stories, roundup, settings, DAY, **kw)  # type: ignore[arg-type]


def with_email(**kw: object) -> Settings:
    return dataclasses.replace(Settings(), email=EmailSettings(**kw))  # type: ignore[arg-type]


# --- golden files -------------------------------------------------------------


def _grouped_day() -> tuple[list[Story], Settings]:
    settings = dataclasses.replace(
        with_email(
            featured_count=2,
            logo_url="https://news.example.org/img/logo.png",
            logo_width=200,
            logo_height=50,
            source_names=SOURCE_NAMES,
            roundup_max_stories=4,
        ),
        publisher=PublisherSettings(archive_url="https://news.example.org/archive"),
    )
    return grouped_stories(), settings


GOLDEN_DAYS = {
    # The default masthead (the name set as type over the date); one source: one list.
    "digest": lambda: (sample_stories(), with_email(featured_count=3)),
    # The logo; the roundup under a heading per department, cut to four stories, and
    # the line counting the rest with a link to the archive.
    "digest-grouped": _grouped_day,
}


@pytest.mark.parametrize(
    "name", [f"{day}.{kind}" for day in GOLDEN_DAYS for kind in ("html", "txt")]
)
def test_golden_digest(name: str) -> None:
    stories, settings = GOLDEN_DAYS[name.rsplit(".", 1)[0]]()
    digest = render(stories, settings)
    actual = digest.html if name.endswith(".html") else digest.text
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"run with UPDATE_GOLDEN=1 to create {path}"
    assert actual == path.read_text(encoding="utf-8"), (
        f"{name} changed; inspect the diff and re-run with UPDATE_GOLDEN=1 if intended"
    )


# --- content and order ----------------------------------------------------------


def test_featured_stories_are_cards_and_the_rest_one_line_in_the_roundup() -> None:
    digest = render(sample_stories(), with_email(featured_count=2))
    html = digest.html
    assert html.count('class="dx-card dx-section-story"') == 2
    roundup_html = html[html.index("More of Today&#39;s Top Breaking Government News") :]
    for headline in (
        "Passport office clears its summer backlog",
        "Coastguard station to reopen in the Hebrides",
    ):
        assert headline in roundup_html
    assert len(digest.story_ids) == 5
    # The card keeps its figures and the quote with its speaker.
    assert "2,000 homes protected from a one-in-200-year flood" in html
    assert "We are building this so families stop fearing every forecast" in html
    assert "Priya Natarajan, Floods Minister" in html
    assert "Priya Natarajan, Floods Minister" in digest.text


def test_every_story_is_in_the_text_twin() -> None:
    digest = render(sample_stories(), with_email(featured_count=2))
    for s in sample_stories():
        assert s.headline in digest.text
    assert "More of Today's Top Breaking Government News" in digest.text
    assert "<a " not in digest.text and "<p" not in digest.text


def test_placeholders_are_left_for_the_email_channel() -> None:
    digest = render(sample_stories())
    for placeholder in PLACEHOLDERS:
        assert placeholder in digest.html
        assert placeholder in digest.text
    hrefs = [a.get("href") for t, a in parse(digest.html).tags if t == "a"]
    assert "{{unsubscribe_url}}" in hrefs and "{{preferences_url}}" in hrefs


def test_article_text_cannot_forge_a_placeholder() -> None:
    s = story(1, title="Win {{unsubscribe_url}} now", summary="Dear {{name}}, hello")
    digest = render([s])
    assert digest.html.count("{{unsubscribe_url}}") == 1  # only the footer link
    assert digest.html.count("{{name}}") == 1  # only the greeting
    assert digest.text.count("{{unsubscribe_url}}") == 1
    assert digest.text.count("{{name}}") == 1
    assert "Win {{unsubscribe_url}} now" in "".join(parse(digest.html).text)


# --- escaping and links -----------------------------------------------------------

EVIL = "</mj-text><mj-raw><script>alert(1)</script></mj-raw>"


@pytest.mark.parametrize("evil", [EVIL, '<img src=x onerror="alert(1)">', "a < b & c > d"])
def test_article_markup_shows_as_text(evil: str) -> None:
    s = story(
        1,
        title=evil,
        summary=evil,
        figures=(evil,),
        quote=(evil, evil, evil),
        image=Image("https://news.example.org/i.jpg", evil, 600, 400),
    )
    digest = render([s])
    parsed = parse(digest.html)
    assert "<script" not in digest.html.lower()
    assert not any(t in ("script", "mj-raw") for t, _ in parsed.tags)
    assert not any("onerror" in attrs for _, attrs in parsed.tags)
    text = "".join(parsed.text)
    assert evil in text
    img_alts = [a.get("alt") for t, a in parsed.tags if t == "img"]
    assert evil in img_alts
    assert evil in digest.text


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "ftp://x.org/a",
        "//news.example.org/a",
        "https://news.example.org/a b",
        "vbscript:msgbox",
    ],
)
def test_only_http_links_reach_the_email(bad: str) -> None:
    s = story(1, url=bad, image=Image(bad, "A picture", 600, 400))
    digest = render([s])
    hrefs = {a.get("href") for t, a in parse(digest.html).tags if t == "a"}
    srcs = {a.get("src") for t, a in parse(digest.html).tags if t == "img"}
    assert not any(h.startswith(bad) for h in hrefs if h)
    assert all(h in PLACEHOLDERS or (h or "").startswith("https://") for h in hrefs)
    assert bad not in srcs
    assert s.headline in digest.html  # the story is still listed, just not linked
    assert not [f for f in lint_digest(digest) if f.code == "bad-link"]


def test_utm_parameters_only_on_article_links() -> None:
    digest = render(sample_stories())
    hrefs = [a["href"] for t, a in parse(digest.html).tags if t == "a" and a.get("href")]
    article_links = [h for h in hrefs if "/stories/" in h]
    assert article_links
    for href in article_links:
        q = parse_qs(urlsplit(href).query)
        assert q == {
            "utm_source": ["newsletter"],
            "utm_medium": ["email"],
            "utm_campaign": ["2026-11-28"],
        }
    for href in hrefs:
        if "/stories/" not in href:
            assert "utm_" not in href, href
    assert "{{unsubscribe_url}}" in hrefs
    assert "utm_" not in digest.text.split("Unsubscribe from this email:")[1]


def test_utm_can_be_switched_off_and_keeps_existing_query() -> None:
    s = story(1, url="https://news.example.org/a?q=flood%20aid&utm_source=old#top")
    on = render([s])
    assert (
        "https://news.example.org/a?q=flood%20aid&amp;utm_source=newsletter"
        "&amp;utm_medium=email&amp;utm_campaign=2026-11-28#top" in on.html
    )
    off = render([s], with_email(utm_enabled=False))
    assert "https://news.example.org/a?q=flood%20aid&amp;utm_source=old#top" in off.html


# --- subject and preheader ---------------------------------------------------------


def test_subject_has_top_headline_count_and_date() -> None:
    digest = render(sample_stories())
    # Within 70 characters: the date gives way before the headline does.
    assert digest.subject == "Flood barrier on the River Wend will shield 2,000 homes + 4 more"
    assert digest.preheader.startswith("Also today: Free school meals")
    one = render(sample_stories()[:1])
    assert one.subject == "Flood barrier on the River Wend will shield 2,000 homes"
    short = render([story(9, title="Rail fares frozen")])
    assert short.subject == "Rail fares frozen – 28 November 2026"


def test_subject_is_one_clean_line_whatever_the_article_says() -> None:
    s = story(1, title="Breaking\r\nBcc: victim@example.org\x00\u2028\x1b[31m news\u202e")
    digest = render([s])
    assert not re.search(r"[\x00-\x1f\x7f\u2028\u2029\u202e]", digest.subject)
    assert not re.search(r"[\x00-\x1f\x7f\u2028\u2029\u202e]", digest.preheader)
    assert "Breaking Bcc: victim@example.org [31m news" in digest.subject


def test_subject_and_preheader_overrides() -> None:
    settings = with_email(
        subject="{brand} for {date}: {count} stories", preheader="Led by {headline}"
    )
    digest = render(sample_stories(), settings)
    assert digest.subject == "Government News Daily for 28 November 2026: 5 stories"
    assert digest.preheader.startswith("Led by Flood barrier")
    explicit = render(sample_stories(), settings, subject="Special\nedition", preheader="Hi")
    assert explicit.subject == "Special edition"
    assert explicit.preheader == "Hi"
    assert "<title>Special edition</title>" in explicit.html


def test_subject_date_is_the_publisher_day() -> None:
    stories = [story(9, title="Rail fares frozen")]
    roundup = build_roundup(stories, date(2026, 1, 3))
    digest = render_digest(stories, roundup, Settings(), date(2026, 1, 3))
    assert digest.subject.endswith("3 January 2026")
    assert digest.day == date(2026, 1, 3)


# --- real clients: accessibility, dark mode, size -------------------------------------


def test_html_is_ready_for_mail_clients() -> None:
    digest = render(sample_stories())
    parsed = parse(digest.html)
    html_tag = next(a for t, a in parsed.tags if t == "html")
    assert html_tag.get("lang") == "en-GB"
    metas = {a.get("name"): a.get("content") for t, a in parsed.tags if t == "meta"}
    assert metas.get("color-scheme") == "light dark"
    assert metas.get("viewport", "").startswith("width=device-width")
    assert "prefers-color-scheme: dark" in digest.html
    tables = [a for t, a in parsed.tags if t == "table"]
    assert tables and all(a.get("role") == "presentation" for a in tables)
    images = [a for t, a in parsed.tags if t == "img"]
    assert images and all((a.get("alt") or "").strip() for a in images)
    assert all((a.get("width") or "").isdigit() for a in images)
    assert not any(t in ("script", "link") for t, _ in parsed.tags)
    assert lint_digest(digest) == []


def test_thirty_story_day_stays_under_gmail_clip() -> None:
    digest = render(many_stories(30))
    size = len(digest.html.encode("utf-8"))
    assert size < 102_000, size
    assert len(digest.story_ids) == 30
    assert digest.html.count('class="dx-card dx-section-story"') == 8
    assert "{{unsubscribe_url}}" in digest.html
    for i in range(1, 31):
        assert f"funding round {i} for coastal towns" in digest.html


def test_over_budget_cards_become_lines_and_nothing_is_lost() -> None:
    full = render(many_stories(12))
    budget = len(full.html.encode("utf-8")) - 4000
    digest = render(many_stories(12), with_email(max_html_bytes=budget))
    assert len(digest.html.encode("utf-8")) <= budget
    assert digest.html.count('class="dx-card dx-section-story"') < 8
    assert set(digest.story_ids) == set(full.story_ids)
    assert lint_html(full.html, max_bytes=budget)[0].code == "size-over-budget"


def test_minify_drops_only_whitespace() -> None:
    small = render(sample_stories())
    big = render(sample_stories(), with_email(minify=False))
    assert len(small.html) < len(big.html)
    assert re.sub(r"\s+", " ", small.html) == re.sub(r"\s+", " ", big.html)


# --- brand and templates ------------------------------------------------------------


def test_brand_comes_from_config() -> None:
    settings = with_email(
        brand_name="Civic Wire",
        logo_url="https://cdn.example.org/logo.png",
        logo_alt="Civic Wire logo",
        accent_color="#aa0000",
        dark_card_color="#000000",
    )
    digest = render(sample_stories(), settings)
    imgs = [a for t, a in parse(digest.html).tags if t == "img"]
    logo = next(a for a in imgs if a.get("src") == "https://cdn.example.org/logo.png")
    assert logo["alt"] == "Civic Wire logo"
    assert (logo["width"], logo["height"]) == ("160", "40")
    assert "#aa0000" in digest.html and "#000000 !important" in digest.html
    assert digest.text.startswith("Civic Wire\n")


def test_bad_brand_config_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        from_mapping({"email": {"accent_color": "red; background:url(x)"}}, path="d.toml")
    assert "d.toml" in str(err.value) and "email" in str(err.value)
    with pytest.raises(ConfigError, match=r"email\.featured_count"):
        from_mapping({"email": {"featured_count": "eight"}}, path="d.toml")


def test_template_directory_from_config(tmp_path: Path) -> None:
    src = template_dir(Settings())
    own = tmp_path / "brand"
    (own / "partials").mkdir(parents=True)
    for f in src.rglob("*.j2"):
        (own / f.relative_to(src)).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    footer = own / "partials" / "footer.mjml.j2"
    footer.write_text(
        footer.read_text(encoding="utf-8").replace(
            "Manage your email preferences", "Choose what you receive"
        ),
        encoding="utf-8",
    )
    settings = dataclasses.replace(with_email(templates=str(own)), base_dir=tmp_path)
    assert "Choose what you receive" in render(sample_stories(), settings).html
    missing = dataclasses.replace(with_email(templates="nowhere"), base_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"email\.templates"):
        render(sample_stories(), missing)


def test_empty_day_is_flagged() -> None:
    digest = render([])
    codes = {f.code for f in lint_digest(digest)}
    assert "empty-section" in codes
    assert "no new stories" in digest.subject


def test_a_day_too_big_for_the_budget_cuts_the_roundup_and_says_how_much() -> None:
    # 1,000 stories render to far more than Gmail shows before clipping (102 KB), which
    # would hide the unsubscribe link: the list is cut to fit, and the reader told.
    stories = [story(i, hour=8 + i % 12) for i in range(1, 1001)]
    digest = render(stories, with_email(featured_count=3, roundup_max_stories=0))
    size = len(digest.html.encode("utf-8"))
    assert size <= EmailSettings().max_html_bytes
    assert "{{unsubscribe_url}}" in digest.html  # the footer survived
    listed = len(digest.story_ids)
    assert 3 < listed < 1000
    note = f"…and {1000 - listed} more stories"
    assert note in digest.html and note in digest.text


def test_the_subject_stays_within_70_characters_and_the_headline_gives_way() -> None:
    from distributor.compose.digest import digest_subject

    long = "Prime Minister announces a sweeping package of measures for rural bus routes"
    subject = digest_subject([long, *(f"Story {i}" for i in range(11))], DAY, "Gov")
    assert len(subject) <= 70
    assert subject.endswith("… + 11 more")  # the date went first, then the headline's end
    assert subject.startswith("Prime Minister announces")


def test_the_preheader_is_a_sentence_of_whole_headlines() -> None:
    from distributor.compose.digest import PREHEADER_LIMIT, digest_preheader

    others = [f"Council plan number {i} approved for the high street" for i in range(9)]
    text = digest_preheader(["Lead story", *others], "", DAY, "Gov")
    assert text.startswith("Also today: ") and text.endswith(" more stories.")
    assert len(text) <= PREHEADER_LIMIT
    listed = text.removeprefix("Also today: ").split("; ")[:-1]
    assert listed and all(h in others for h in listed)  # never a headline cut short


def test_a_cut_never_falls_inside_an_emoji_or_an_accent() -> None:
    import regex

    from distributor.compose.safe import shorten

    family = "👨\u200d👩\u200d👧\u200d👦"
    for text in (family * 30, "e\u0301" * 100, ("word " + family) * 20):
        for limit in range(5, 60):
            cut = shorten(text, limit).removesuffix("…")
            assert len(cut) + 1 <= limit
            assert text.startswith(cut)
            # What is kept is whole graphemes of the original.
            assert "".join(regex.findall(r"\X", text)[: len(regex.findall(r"\X", cut))]) == cut


def test_every_card_with_a_link_has_a_read_the_full_story_button() -> None:
    digest = render(sample_stories())
    # Each card's headline link, and the button under it, to the same place.
    cards = re.findall(r'<h2[^>]*><a href="([^"]+)"', digest.html)
    buttons = re.findall(r'<a href="([^"]+)"[^>]*>Read the full story</a>', digest.html)
    assert cards and buttons == cards
    assert digest.text.count("Read the full story: https://") == len(cards)


def test_a_statements_figures_are_shown_as_its_issuers_words_or_not_at_all() -> None:
    figure = "Since 2020 the number of “start-ups” in the region has doubled to 4,800."
    signed = dataclasses.replace(story(1, figures=(figure,)), voice=Voice("Ada Marsh", "President"))
    briefing = dataclasses.replace(
        story(2, figures=("Officials said 2,400 homes were rebuilt.",)), voice=Voice(None)
    )
    digest = render([signed, briefing], with_email(featured_count=2))
    wanted = "“Since 2020 the number of ‘start-ups’ in the region has doubled to 4,800.”"
    assert "Key figures, in the words of President Ada Marsh" in digest.html
    assert wanted in digest.html.replace("&#39;", "'")
    assert "Key figures, in the words of President Ada Marsh:" in digest.text
    assert wanted in " ".join(digest.text.split())
    # Words with no one to sign them are not shown in the publisher's voice.
    assert "2,400 homes" not in digest.html and "2,400 homes" not in digest.text


def test_a_statements_first_person_summary_is_shown_signed_never_bare() -> None:
    lede = "Today, I join the nation in honouring the 1,200 volunteers who rebuilt the town."
    signed = dataclasses.replace(
        story(1, summary=lede, title="Statement from President Ada Marsh on the Flood"),
        voice=Voice("Ada Marsh", "President"),
    )
    narrative = story(2, summary="Councils will get £45m to rebuild flood defences.")
    digest = render([signed, narrative], with_email(featured_count=2))
    html = digest.html.replace("&#39;", "'")
    assert f'“{lede}”<br /><span style="font-size:14px">— President Ada Marsh</span>' in html
    text = " ".join(digest.text.split())
    assert f"“{lede}” — President Ada Marsh" in text
    # The publisher's own narrative stays as it is, unsigned and unquoted.
    assert "Councils will get £45m to rebuild flood defences." in text
    assert "“Councils will get" not in text


def test_an_issuers_quote_that_is_the_summarys_own_sentence_is_shown_once() -> None:
    lede = "I was deeply saddened to hear of the passing of Congressman Tom Hale."
    signed = dataclasses.replace(
        story(1, summary=lede, quote=(lede, "Ada Marsh", "Secretary of State")),
        voice=Voice("Ada Marsh", "Secretary of State"),
    )
    digest = render([signed], with_email(featured_count=1))
    assert " ".join(digest.text.split()).count("deeply saddened") == 1
    shown = re.sub(r'<div style="display:none[^"]*">[^<]*', "", digest.html)  # the preheader
    assert shown.count("deeply saddened") == 1


def test_a_summary_that_is_the_quotes_own_words_is_shown_once_signed() -> None:
    words = "A driver who killed two teenagers is being freed after serving a fraction of his term."
    s = story(1, summary=words, quote=(words, "Ann Ford", "District Attorney"))
    quoted = dataclasses.replace(
        s, quote=dataclasses.replace(s.quote, segments=(Span(words, 0, len(words)),))
    )
    digest = render([quoted], with_email(featured_count=1))
    text = " ".join(digest.text.split())
    assert text.count("A driver who killed") == 1
    assert "Ann Ford" in text


def test_a_card_shows_its_surest_four_figures_in_the_articles_order() -> None:
    texts = (
        "Millions of families will notice the change.",
        "The fund is worth £2 billion over five years.",
        "About 1.4 million season-ticket holders are affected.",
        "Fares will fall by 5% in March.",
        "A further £300 million goes to rural routes.",
    )
    base = story(1, figures=texts)
    sure = (0.62, 0.95, 0.9, 0.85, 0.9)
    figures = tuple(
        dataclasses.replace(f, confidence=c) for f, c in zip(base.key_figures, sure, strict=True)
    )
    digest = render([dataclasses.replace(base, key_figures=figures)], with_email(featured_count=1))
    text = " ".join(digest.text.split())
    assert "Millions of families" not in text
    shown = [text.index(t) for t in texts[1:]]
    assert shown == sorted(shown)

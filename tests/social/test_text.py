"""Length rules and splitting: what each network would accept, and nothing lost."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet

from distributor.text import (
    ELLIPSIS,
    BlueskyRule,
    LengthRule,
    MastodonRule,
    XRule,
    graphemes,
    rule_for,
    sentences,
    shorten,
    split_text,
    url_spans,
    x_weighted_length,
)


def _validate_cases(specs_dir: Path, section: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((specs_dir / "twitter-text" / "validate.yml").read_text("utf-8"))
    cases: list[dict[str, Any]] = data["tests"][section]
    return cases


@pytest.mark.parametrize(
    "section",
    ["WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest"],
)
def test_x_length_passes_every_v3_weighted_case(specs_dir: Path, section: str) -> None:
    cases = _validate_cases(specs_dir, section)
    assert cases
    rule = XRule()
    for case in cases:
        expected = case["expected"]
        assert x_weighted_length(case["text"]) == expected["weightedLength"], case["description"]
        assert rule.fits(case["text"]) == expected["valid"], case["description"]


def test_x_older_configs_pass_their_conformance_cases(specs_dir: Path) -> None:
    v2 = XRule(version=2)
    for case in _validate_cases(specs_dir, "WeightedTweetsCounterTest"):
        assert v2.length(case["text"]) == case["expected"]["weightedLength"], case["description"]
        assert v2.fits(case["text"]) == case["expected"]["valid"], case["description"]
    legacy = XRule(limit=140, version=1)
    for case in _validate_cases(specs_dir, "tweets"):
        assert legacy.fits(case["text"]) == case["expected"], case["description"]


def test_x_counts_urls_as_23_and_cjk_and_emoji_as_2() -> None:
    assert x_weighted_length("see https://www.gov.uk/a/very/long/path/to/a/page") == 4 + 23
    assert x_weighted_length("see gov.uk") == 4 + 23
    assert x_weighted_length("日本語") == 6
    assert x_weighted_length("👨‍👩‍👧‍👦") == 2
    assert x_weighted_length("café") == x_weighted_length("cafe\u0301") == 4
    assert XRule().fits("a" * 280) and not XRule().fits("a" * 281)


def test_bluesky_counts_graphemes_and_bytes() -> None:
    rule = BlueskyRule()
    assert graphemes("👨‍👩‍👧‍👦 ok") == 4
    assert rule.fits("a" * 300) and not rule.fits("a" * 301)
    # 300 family emoji are 300 graphemes but 7500 bytes: over the byte limit.
    assert not rule.fits("👨‍👩‍👧‍👦" * 300)


def test_mastodon_counts_urls_mentions_and_the_content_warning() -> None:
    rule = MastodonRule()
    # Mastodon's own spec cases.
    assert rule.fits("a" * 476 + " http://" + "b" * 30 + ".com/example")
    assert rule.fits("a" * 475 + " @alice@" + "b" * 30 + ".com")
    assert not rule.fits("a" * 501)
    assert not MastodonRule(spoiler_text="a" * 250).fits("a" * 251)
    # Only URLs with a protocol are shortened.
    assert rule.length("www.gov.uk/some/long/path") == 25
    assert MastodonRule(limit=1000, url_length=10).length("x https://www.gov.uk/long") == 12


def test_unknown_network_is_named() -> None:
    with pytest.raises(ValueError, match="unknown network 'myspace'"):
        rule_for("myspace")


PARAGRAPH = (
    "The department published its annual figures on Monday. Spending rose by 4.2% to "
    "£12.5 billion, the highest on record; officials said most of it went to schools. "
    "The full tables are at https://www.gov.uk/statistics/annual-spending-2026 for anyone."
)


@pytest.mark.parametrize("rule", [XRule(), BlueskyRule(), MastodonRule(limit=200)])
def test_split_prefers_sentence_ends(rule: LengthRule) -> None:
    parts = split_text(PARAGRAPH * 2, rule)
    assert len(parts) >= 2
    for part in parts:
        assert rule.fits(part)
    # Every cut falls after a full stop here: there are enough sentences to choose from.
    for part in parts[:-1]:
        assert part.endswith("."), part


def test_split_keeps_paragraphs_together_when_they_fit() -> None:
    first = "First paragraph, with a clause. " * 5 + "And an end."
    text = first + "\n" + "Second paragraph, with its own clause. " * 5
    parts = split_text(text, XRule())
    assert parts[0] == first


def test_split_does_not_break_after_an_abbreviation() -> None:
    text = ("Word " * 40) + "Mr. Smith said so. " + ("more " * 40)
    parts = split_text(text, XRule())
    assert not any(p.endswith("Mr.") for p in parts)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        # Titles written short, as US releases write them, never end a sentence.
        (
            "A champion of working people, Sen. Kennedy shaped every labor law. He will be missed.",
            2,
        ),
        ("Gov. Hale and Rep. Ortiz met on Jan. 20 at No. 10. Both spoke after.", 2),
        # An abbreviation that often ends a sentence does when a sentence opens after it.
        ("The plant is the largest in the U.S. The work starts in May.", 2),
    ],
)
def test_posts_read_sentences_as_extraction_does(text: str, count: int) -> None:
    assert len(sentences(text)) == count


def test_split_never_breaks_a_url_that_fits() -> None:
    url = "https://www.gov.uk/" + "a" * 60
    text = " ".join(["word"] * 50 + [url] + ["word"] * 50)
    for rule in (XRule(), BlueskyRule(limit=100), MastodonRule(limit=100)):
        assert any(url in p for p in split_text(text, rule))


def test_a_url_longer_than_a_post_is_cut_only_on_bluesky_where_it_counts_in_full() -> None:
    url = "https://www.gov.uk/" + "a" * 400
    assert split_text(url, XRule()) == [url]
    parts = split_text(url, BlueskyRule())
    assert "".join(parts) == url and all(BlueskyRule().fits(p) for p in parts)


def test_shorten_keeps_the_suffix_and_ends_with_an_ellipsis() -> None:
    link = "\nhttps://www.gov.uk/news/2026/11/a-long-headline-page"
    headline = "Minister announces " + "very " * 80 + "long plan"
    out = shorten(headline, XRule(), suffix=link)
    assert out.endswith(ELLIPSIS + link)
    assert XRule().fits(out)
    assert headline.startswith(out[: -len(ELLIPSIS + link)])
    assert shorten("Short headline", XRule(), suffix=link) == "Short headline" + link


def _nonspace(text: str) -> str:
    return re.sub(r"\s+", "", text)


_words = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(
        [
            "https://www.gov.uk/a/b?c=1",
            "gov.uk",
            "£1,200",
            "4.2%",
            "日本語",
            "👍🏽",
            "👨‍👩‍👧‍👦",
            "Mr.",
            "end.",
            "clause,",
            "—",
            "\n",
            "\n\n",
            "é",
            "e\u0301",
            "a" * 90,
        ]
    ),
)
_article_text = st.lists(_words, max_size=120).map(" ".join)
_rules = st.sampled_from([XRule(), BlueskyRule(), MastodonRule(), BlueskyRule(limit=40)])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_article_text, rule=_rules, reserve=st.sampled_from([0, 6]))
def test_split_property_every_part_fits_nothing_lost_order_kept(
    text: str, rule: LengthRule, reserve: int
) -> None:
    parts = split_text(text, rule, reserve=reserve)
    for part in parts:
        assert rule.fits(part, reserve), (part, rule.length(part))
        assert part == part.strip()
    # Only whitespace at a cut is dropped; every other character is kept, in order.
    assert _nonspace("".join(parts)) == _nonspace(text)
    # A URL that fits a post is never cut.
    for start, end in url_spans(text):
        url = text[start:end]
        if rule.fits(url, reserve):
            assert any(url in p for p in parts), url


@settings(max_examples=200, deadline=None)
@given(text=_article_text, rule=_rules)
def test_shorten_property_fits_and_is_a_prefix(text: str, rule: LengthRule) -> None:
    suffix = "\nhttps://www.gov.uk/story"
    out = shorten(text, rule, suffix=suffix)
    if not rule.fits(out):
        return  # only when even "…" plus the link cannot fit, which these rules allow
    assert out.endswith(suffix)
    kept = out[: -len(suffix)]
    if kept.endswith(ELLIPSIS) and not rule.fits(text + suffix):
        assert text.startswith(kept[: -len(ELLIPSIS)])
    else:
        assert kept == text


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300) | _article_text)
def test_x_fast_count_agrees_with_the_reference(text: str) -> None:
    assert x_weighted_length(text) == parse_tweet(text).weightedLength


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200) | _article_text)
def test_grapheme_fast_count_agrees_with_unicode_segmentation(text: str) -> None:
    import regex

    assert graphemes(text) == len(regex.findall(r"\X", text))

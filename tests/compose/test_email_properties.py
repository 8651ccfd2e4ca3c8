"""Escaping holds for any text an article can carry."""

from __future__ import annotations

import dataclasses
import re
import textwrap
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distributor.compose.digest import digest_subject, render_digest
from distributor.compose.mjml import compile_mjml
from distributor.compose.roundup import RoundupOptions, build_roundup
from distributor.compose.safe import clean_inline, html_str, safe_url, shorten
from distributor.models import Image
from distributor.settings import EmailSettings, Settings
from tests.compose.digest_stories import DAY, story

SETTINGS = dataclasses.replace(
    Settings(), email=EmailSettings(utm_enabled=False, featured_count=1, roundup_group="topic")
)

# Printable-ish text with markup, entities, braces, controls and joiners mixed in.
nasty = st.lists(
    st.one_of(
        st.text(max_size=8),
        st.sampled_from(list("<>&\"'{}/=;\n\r\t\x00\x1b\u200d\u202e\u2028\ufe0f\u0301")),
        st.sampled_from(
            [
                "<script>",
                "</mj-text>",
                "<mj-raw>",
                "{{name}}",
                "&amp;",
                "<img src=x onerror=alert(1)>",
                "]]>",
                "<!--",
                "👩\u200d💻",
            ]
        ),
    ),
    max_size=10,
).map("".join)


class Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.headings: dict[str, list[str]] = {"h2": [], "h3": []}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in self.headings and self._in is None:
            self._in = tag
            self.headings[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self.headings[self._in][-1] += data


ALLOWED = {
    "html",
    "head",
    "title",
    "meta",
    "style",
    "body",
    "div",
    "table",
    "tbody",
    "tr",
    "td",
    "p",
    "h1",
    "h2",
    "h3",
    "a",
    "img",
    "ul",
    "li",
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=nasty, summary=nasty, quote=nasty, figure=nasty, alt=nasty, tag=nasty)
def test_any_article_text_stays_text(
    title: str, summary: str, quote: str, figure: str, alt: str, tag: str
) -> None:
    s = story(
        1,
        title=title or "x",
        summary=summary,
        figures=(figure,),
        quote=(quote, quote, quote),
        image=Image("https://news.example.org/i.jpg", alt, 600, 300),
        hour=9,
    )
    # Two roundup lines under the topic headings their tags give.
    listed = [story(2, title=title or "y", tags=(tag,), hour=8), story(3, tags=("zz top",), hour=7)]
    stories = [s, *listed]
    roundup = build_roundup(stories, DAY, RoundupOptions.from_settings(SETTINGS))
    digest = render_digest(stories, roundup, SETTINGS, DAY)  # never raises
    assert "<script" not in digest.html.lower()
    parser = Headings()
    parser.feed(digest.html)
    assert set(parser.tags) <= ALLOWED, set(parser.tags) - ALLOWED
    assert parser.headings["h2"][0] == clean_inline(title or "x")
    # The tag is a heading as written (its first letter raised when all in lower case).
    own = shorten(clean_inline(tag), 80).casefold()
    if own and own != "zz top":
        assert [h.casefold() for h in parser.headings["h3"]] == [own, "zz top"]
    assert digest.html.count("{{name}}") == 1 and digest.text.count("{{name}}") == 1
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", digest.text)


@settings(max_examples=200, deadline=None)
@given(headlines=st.lists(nasty, max_size=4), brand=nasty, template=nasty)
def test_subject_never_has_control_characters(
    headlines: list[str], brand: str, template: str
) -> None:
    subject = digest_subject(headlines, DAY, brand, template)
    assert not re.search(r"[\x00-\x1f\x7f\x85\u2028\u2029\u202a-\u202e\u2066-\u2069]", subject)
    assert len(subject) <= 150


@given(url=st.text(max_size=40))
def test_only_http_urls_pass(url: str) -> None:
    ok = safe_url(url)
    if ok is not None:
        assert ok.lower().startswith(("http://", "https://"))
        assert not re.search(r"\s", ok)


def test_the_quick_check_for_plain_unicode_agrees_with_the_full_one() -> None:
    # _escape skips the slow per-character rule for text the stdlib class accepts.
    from distributor.compose.safe import _AS_REFERENCE, _NO_MARK_OR_CONTROL

    plain = [chr(c) for c in range(0x80, 0x2100) if _NO_MARK_OR_CONTROL.fullmatch(chr(c))]
    assert len(plain) > 500
    assert [c for c in plain if _AS_REFERENCE.match(c) or not c.isprintable()] == []


def test_the_compiler_never_mangles_an_escaped_character() -> None:
    # MRML writes some characters as "\u{...}" where it copies text into an attribute
    # (the title into aria-label, alt text); html_str turns those into references.
    for start in range(0x80, 0x110000, 8000):
        text = "".join(
            chr(c) for c in range(start, min(start + 8000, 0x110000)) if not 0xD800 <= c < 0xE000
        )
        source = f"<mjml><mj-head><mj-title>{html_str(text)}</mj-title></mj-head><mj-body>"
        source += '<mj-section><mj-column><mj-image src="https://x.example/a.png" '
        source += f'alt="{html_str(text)}" />'
        source += "</mj-column></mj-section></mj-body></mjml>"
        html = compile_mjml(source)
        assert "\\u{" not in html, hex(start)


@given(
    words=st.lists(st.text(alphabet="abcdefghij-é", min_size=1, max_size=30), max_size=40),
    width=st.integers(10, 90),
    indent=st.sampled_from(["", "- ", "    "]),
)
def test_the_text_twin_wraps_as_textwrap_does(words: list[str], width: int, indent: str) -> None:
    from distributor.compose.digest import _wrap_lines

    text = " ".join(words)
    expected = textwrap.wrap(
        text,
        width,
        initial_indent=indent,
        subsequent_indent="  ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    assert _wrap_lines(text, width, indent, "  ") == expected


def test_a_tag_of_noncharacters_gives_no_empty_heading() -> None:
    # Found by the property above: U+FFFE alone made an h3 that an HTML parser reads empty.
    stories = [
        story(1, hour=9),
        story(2, tags=("\ufffe",), hour=8),
        story(3, tags=("zz top",), hour=7),
    ]
    roundup = build_roundup(stories, DAY, RoundupOptions.from_settings(SETTINGS))
    parser = Headings()
    parser.feed(render_digest(stories, roundup, SETTINGS, DAY).html)
    assert "" not in [h.strip() for h in parser.headings["h3"]]

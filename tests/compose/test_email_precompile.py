"""The digest template compiled by MJML once gives the same bytes as compiling every
render, and templates it cannot carry are compiled per render instead."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import DictLoader, Environment, StrictUndefined

from distributor.compose.digest import (
    HTML_TEMPLATE,
    environments,
    render_digest,
    template_dir,
)
from distributor.compose.digest import _brand as brand_of
from distributor.compose.precompile import precompile
from distributor.compose.roundup import RoundupOptions, build_roundup
from distributor.compose.safe import html_str
from distributor.models import Image, Story
from distributor.settings import EmailSettings, Settings
from tests.compose.digest_stories import DAY, many_stories, sample_stories, story
from tests.compose.test_email_properties import nasty

LOGO = EmailSettings(
    logo_url="https://news.example.org/logo.png", logo_alt="Daily & Co", logo_width=120
)


def both(stories: list[Story], config: Settings) -> tuple[str, str]:
    roundup = build_roundup(stories, DAY, RoundupOptions.from_settings(config))
    once = render_digest(stories, roundup, config, DAY)
    each = render_digest(stories, roundup, config, DAY, compile_once=False)
    assert once.text == each.text
    return once.html, each.html


def with_settings(email: EmailSettings | None = None, **publisher: object) -> Settings:
    base = Settings()
    return dataclasses.replace(
        base,
        email=email or base.email,
        publisher=dataclasses.replace(base.publisher, **publisher),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    "config",
    [
        Settings(),
        with_settings(LOGO),
        with_settings(dataclasses.replace(LOGO, minify=False)),
        with_settings(url=""),
        with_settings(EmailSettings(featured_count=0)),
        with_settings(EmailSettings(utm_enabled=False, font_family="'Segoe UI', Arial")),
    ],
    ids=["defaults", "logo", "not-minified", "no-site-url", "no-cards", "quoted-font"],
)
@pytest.mark.parametrize("day", ["sample", "many", "empty"])
def test_compiled_once_equals_compiled_per_render(config: Settings, day: str) -> None:
    stories = {"sample": sample_stories(), "many": many_stories(30), "empty": []}[day]
    once, each = both(stories, config)
    assert once == each


stories_st = st.lists(
    st.builds(
        lambda n, title, summary, figures, quote, image, url: story(
            n,
            title=title or "x",
            summary=summary,
            figures=tuple(figures),
            quote=quote,
            image=image,
            url=url,
        ),
        n=st.integers(1, 500),
        title=nasty,
        summary=nasty,
        figures=st.lists(nasty, max_size=5),
        quote=st.one_of(st.none(), st.tuples(nasty, st.one_of(st.none(), nasty), nasty)),
        image=st.one_of(
            st.none(),
            st.builds(
                Image,
                st.sampled_from(["https://news.example.org/i.jpg", "javascript:alert(1)"]),
                nasty,
                st.one_of(st.none(), st.integers(1, 2000)),
                st.one_of(st.none(), st.integers(1, 2000)),
            ),
        ),
        url=st.sampled_from(["default", None, "https://news.example.org/a?b=1&c=<2>"]),
    ),
    max_size=12,
    unique_by=lambda s: s.id,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stories=stories_st, featured=st.integers(0, 6), logo=st.booleans())
def test_any_day_compiles_once_to_the_same_bytes(
    stories: list[Story], featured: int, logo: bool
) -> None:
    email = dataclasses.replace(LOGO if logo else EmailSettings(), featured_count=featured)
    once, each = both(stories, with_settings(email))
    assert once == each


def test_the_shipped_templates_compile_once() -> None:
    # Falling back silently would keep every test green and lose the speed.
    for config in (Settings(), with_settings(LOGO)):
        html_env, _ = environments(template_dir(config))
        compiled = precompile(html_env, HTML_TEMPLATE, {"brand": brand_of(config)}, minify=True)
        # ...and minified once, not on every render.
        assert compiled is not None and compiled.minified


# --- templates that cannot be compiled once --------------------------------------

BODY = '<mjml><mj-body width="600px">{body}</mj-body></mjml>'


def env_for(body: str) -> Environment:
    return Environment(
        loader=DictLoader({"t": BODY.format(body=body)}),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=html_str,
    )


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (
            '<mj-section><mj-column><mj-image src="x" width="{{ w }}px" />'
            "</mj-column></mj-section>",
            "a per-render width is layout",
        ),
        (
            "<mj-section>{% for c in cols %}<mj-column><mj-text>{{ c }}</mj-text></mj-column>"
            "{% endfor %}</mj-section>",
            "column widths depend on how many columns there are",
        ),
        (
            '<mj-section><mj-column><mj-image src="x"{% if big %} width="500px"{% endif %} />'
            "</mj-column></mj-section>",
            "a statement among attributes",
        ),
        (
            "{% macro card(c) %}<mj-text>{{ c }}</mj-text>{% endmacro %}"
            "<mj-section><mj-column>{{ card(1) }}</mj-column></mj-section>",
            "macros",
        ),
        (
            "<mj-section><mj-column>{{ raw_mjml }}</mj-column></mj-section>",
            "an expression that would be MJML",
        ),
        (
            "<mj-section><mj-column><mj-text>{% if a < b %}x{% endif %}</mj-text>"
            "</mj-column></mj-section>",
            "a stray < that the compiler rejects",
        ),
    ],
)
def test_what_cannot_be_compiled_once_is_refused(body: str, why: str) -> None:
    assert precompile(env_for(body), "t", {}) is None, why


def test_constants_may_drive_layout() -> None:
    env = env_for(
        '<mj-section><mj-column>{% if brand.wide %}<mj-image src="{{ src }}" '
        'width="{{ brand.width }}px" />{% endif %}<mj-text>{{ text }}</mj-text>'
        "</mj-column></mj-section>"
    )
    compiled = precompile(env, "t", {"brand": {"wide": True, "width": 300}})
    assert compiled is not None
    html = compiled.template.render(src="https://x.example/a.png", text="<b>")
    assert 'width="300"' in html and 'src="https://x.example/a.png"' in html
    assert "&lt;b&gt;" in html


def test_a_line_that_starts_with_a_tag_is_minified_on_every_render() -> None:
    env = env_for(
        "<mj-section><mj-column><mj-text>\n{{ a }}\n<p>x</p></mj-text></mj-column></mj-section>"
    )
    compiled = precompile(env, "t", {}, minify=True)
    assert compiled is not None and not compiled.minified


def test_a_custom_template_that_cannot_compile_once_still_renders(tmp_path: Path) -> None:
    folder = tmp_path / "email"
    shutil.copytree(template_dir(Settings()), folder)
    card = folder / "partials" / "story_card.mjml.j2"
    card.write_text(
        card.read_text(encoding="utf-8").replace(
            '{% include "partials/story_image.mjml.j2" %}',
            '<mj-image src="{{ card.image.src }}" alt="{{ card.image.alt }}" '
            'width="{{ card.image.width }}px" />',
        ),
        encoding="utf-8",
    )
    config = with_settings(EmailSettings(templates=str(folder)))
    html_env, _ = environments(template_dir(config))
    assert precompile(html_env, HTML_TEMPLATE, {"brand": brand_of(config)}) is None
    once, each = both(sample_stories(), config)
    assert once == each
    assert 'alt="Engineers survey the river bank"' in once


def test_publisher_settings_are_not_shared_between_brands() -> None:
    a, _ = both(sample_stories(), with_settings(name="North Gazette"))
    b, _ = both(sample_stories(), with_settings(name="South Courier"))
    assert "North Gazette" in a and "South Courier" not in a
    assert "South Courier" in b and "North Gazette" not in b

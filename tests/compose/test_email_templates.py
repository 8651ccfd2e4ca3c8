"""The templates themselves: MRML accepts unknown tags silently, so check them here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from distributor.compose.digest import HTML_TEMPLATE, TEXT_TEMPLATE, template_dir
from distributor.compose.mjml import MJML_TAGS, compile_mjml, unknown_tags
from distributor.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates" / "email"


def mjml_templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.mjml.j2"))


def test_templates_are_found_in_the_repository() -> None:
    assert template_dir(Settings()) == TEMPLATES
    assert (TEMPLATES / HTML_TEMPLATE).is_file() and (TEMPLATES / TEXT_TEMPLATE).is_file()
    names = {p.name for p in mjml_templates()}
    assert {
        "base.mjml.j2",
        "story_card.mjml.j2",
        "figures.mjml.j2",
        "quote.mjml.j2",
        "roundup.mjml.j2",
        "footer.mjml.j2",
    } <= names


def test_every_mjml_tag_is_known() -> None:
    for path in mjml_templates():
        source = path.read_text(encoding="utf-8")
        assert unknown_tags(source) == set(), f"{path.name}: unknown MJML tags"


def test_unknown_tag_check_catches_typos() -> None:
    assert unknown_tags("<mj-section><mj-colum></mj-colum><mj-text/></mj-section>") == {"mj-colum"}
    assert "mj-text" in MJML_TAGS
    # ... because the compiler itself accepts them without a word, leaking the tag:
    html = compile_mjml(
        "<mjml><mj-body><mj-section><mj-colum><mj-text>lost</mj-text>"
        "</mj-colum></mj-section></mj-body></mjml>"
    )
    assert "<mj-colum>" in html


def test_attribute_values_stay_on_one_line() -> None:
    # The compiler copies newlines inside attribute values into the HTML.
    multi_line_attr = re.compile(r'<mj-[a-z-]+[^>]*="[^"]*\n')
    for path in mjml_templates():
        source = path.read_text(encoding="utf-8")
        assert not multi_line_attr.search(source), path.name


def test_no_inline_mj_style() -> None:
    # mjml-python ignores mj-style inline="inline": styles must be inline or mj-attributes.
    for path in mjml_templates():
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"<mj-style[^>]*inline=", source), path.name


def test_templates_ship_in_the_wheel() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert include["templates"] == "distributor/templates"

"""The preview's lint: what an editor is warned about before a send."""

from __future__ import annotations

from distributor.compose.digest import render_digest
from distributor.compose.lint import lint_digest, lint_html
from distributor.compose.roundup import build_roundup
from distributor.models import Image
from distributor.settings import Settings
from tests.compose.digest_stories import DAY, story


def codes(html: str, **kw: int) -> list[str]:
    return [f.code for f in lint_html(html, **kw)]


def test_clean_page_has_no_findings() -> None:
    html = (
        '<div class="dx-section-story"><h2>Title</h2><p>Text</p>'
        '<img src="https://e.org/a.png" alt="A map" width="300" height="200" />'
        '<a href="https://e.org/">Read</a><a href="{{unsubscribe_url}}">Unsubscribe</a></div>'
    )
    assert codes(html) == []


def test_each_problem_is_named() -> None:
    html = (
        '<div class="dx-section-roundup"><h2>More news</h2></div>'
        '<img src="https://e.org/a.png" width="300" height="auto">'
        '<img src="https://e.org/b.png" alt="  ">'
        '<a href="javascript:alert(1)">x</a><a href="mailto:a@b.org">y</a>'
    )
    found = lint_html(html, max_bytes=100)
    assert [f.code for f in found] == [
        "size-over-budget",
        "missing-alt",
        "image-without-dimensions",
        "missing-alt",
        "image-without-dimensions",
        "bad-link",
        "bad-link",
        "empty-section",
    ]
    assert "roundup" in found[-1].message and "b.png" in found[3].message


def test_story_image_without_known_size_is_flagged() -> None:
    s = story(1, image=Image("https://news.example.org/i.jpg", "A road", None, None))
    digest = render_digest([s], build_roundup([s], DAY), Settings(), DAY)
    assert [f.code for f in lint_digest(digest)] == ["image-without-dimensions"]

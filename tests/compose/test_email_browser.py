"""The digest in a real Chromium: phone and desktop layouts, as a subscriber sees them."""

from __future__ import annotations

import pytest

from distributor.compose import browser
from distributor.compose.digest import render_digest
from distributor.compose.roundup import build_roundup
from distributor.settings import Settings
from tests.compose.digest_stories import DAY, many_stories, sample_stories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        browser.find_chromium() is None,
        reason="Chromium is not installed (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="module")
def digest_html() -> str:
    stories = [*sample_stories(), *many_stories(12, start=100)]
    return render_digest(stories, build_roundup(stories, DAY), Settings(), DAY).html


@pytest.mark.parametrize("width", [320, 375, 800])
def test_layout_fits_without_horizontal_scroll(digest_html: str, width: int) -> None:
    facts = browser.probe_layout(digest_html, width=width)
    assert facts["innerWidth"] == width
    assert facts["scrollWidth"] <= facts["clientWidth"], facts["overflowing"]
    assert facts["overflowing"] == []
    text = facts["text"]
    for s in [*sample_stories(), *many_stories(12, start=100)]:
        assert s.headline in text, s.headline
    assert "Unsubscribe from this email" in text
    images = facts["images"]
    assert images
    for img in images:
        # Sized before any image loads: no layout jump, nothing wider than the screen.
        assert img["width"] > 0 and img["height"] > 0, img
        assert img["right"] <= width, img
        assert img["alt"]


def test_story_images_keep_their_shape_on_a_phone(digest_html: str) -> None:
    facts = browser.probe_layout(digest_html, width=375)
    photo = next(i for i in facts["images"] if i["src"].endswith("/barrier.jpg"))
    assert photo["width"] < 552
    assert photo["height"] == pytest.approx(photo["width"] * 800 / 1200, abs=1.5)


def test_screenshots_at_phone_and_desktop_width(tmp_path, digest_html: str) -> None:
    page = tmp_path / "digest.html"
    page.write_text(digest_html, encoding="utf-8")
    for width in (375, 800):
        png = browser.screenshot(page, tmp_path / f"d-{width}.png", width=width, height=900)
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(data[16:20], "big") == width

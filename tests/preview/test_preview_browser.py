"""The preview page in a real Chromium, as an editor uses it: it loads cleanly, its
approve button approves (and refuses content that changed under it), it reloads itself
when an article is edited, and it looks right on a phone and a desktop, light and dark."""

from __future__ import annotations

from pathlib import Path

import pytest

from distributor.compose import browser
from distributor.models import DeliveryState
from tests.preview.cdp import chromium, png_size
from tests.preview.day import FERRIES, news_day, serving

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        browser.find_chromium() is None,
        reason="Chromium is not installed (apt-get install chromium)",
    ),
]


def test_the_page_loads_without_a_console_error(tmp_path: Path) -> None:
    day = news_day(tmp_path)
    day.plan()
    with serving(day) as url, chromium(tmp_path / "profile") as page:
        page.load(url)
        assert page.evaluate("document.querySelectorAll('form.approve').length") >= 1
        assert page.evaluate("document.querySelectorAll('iframe.email').length") == 2
        # Polling /version for a while stays quiet too.
        page.until("performance.getEntriesByName(location.origin + '/version').length >= 2")
        assert page.errors() == []


def test_approve_in_the_browser_and_a_stale_page_is_refused(tmp_path: Path) -> None:
    day = news_day(tmp_path)
    day.plan()
    held = day.held()
    assert held and all(not r.approved for r in held)
    with serving(day) as url, chromium(tmp_path / "profile") as page:
        page.load(url)
        # The article changes and run plans it again while the page is open.
        ferries = next(r for r in held if "ferries" in r.delivery.subject_id)
        day.edit("ferries.txt", FERRIES.replace("two new boats", "three new boats"))
        day.plan()
        anchor = f"held-{ferries.delivery.id}"
        page.click_and_load(f"#{anchor} button")
        refused = page.evaluate("document.getElementById('note').textContent")
        assert "Not approved" in refused and "changed since it was shown" in refused
        assert not any(r.approved for r in day.held())
        # The page now shows what is there; approving it goes through.
        shown = page.evaluate(f"document.getElementById('{anchor}').textContent")
        assert "three new boats" in shown
        page.click_and_load(f"#{anchor} button")
        note = page.evaluate("document.getElementById('note').textContent")
        assert note.startswith("Approved ")
        assert page.errors() == []
    thread = [
        r
        for r in day.outbox.records()
        if r.delivery.channel == "x" and r.delivery.subject_id == ferries.delivery.subject_id
    ]
    assert thread and all(r.approved for r in thread)
    assert all(r.delivery.state == DeliveryState.PLANNED for r in thread)
    # The other threads still wait for their own approval.
    assert any(not r.approved for r in day.held())


def test_the_page_reloads_itself_when_an_article_is_edited(tmp_path: Path) -> None:
    day = news_day(tmp_path)
    with serving(day) as url, chromium(tmp_path / "profile") as page:
        page.load(url)
        assert "two new boats" in page.evaluate("document.body.textContent")
        day.edit("ferries.txt", FERRIES.replace("two new boats", "three new boats"))
        page.until("document.body.textContent.includes('three new boats')")
        assert page.errors() == []


def test_screenshots_on_a_phone_and_a_desktop_light_and_dark(tmp_path: Path) -> None:
    day = news_day(tmp_path)
    day.plan()
    shots = tmp_path / "shots"
    shots.mkdir()
    with serving(day) as url, chromium(tmp_path / "profile") as page:
        for width in (375, 1280):
            data = page.screenshot(url, width, shots / f"preview-{width}.png")
            assert png_size(data)[0] == width
            # Nothing on the page is wider than the screen: the frames scroll inside.
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        backgrounds = {}
        for scheme in ("light", "dark"):
            data = page.screenshot(f"{url}email.html?scheme={scheme}", 375, shots / f"{scheme}.png")
            assert png_size(data)[0] == 375 and len(data) > 10_000
            backgrounds[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert page.errors() == []
    # Dark is the email's own dark styles (brand.dark_background_color), light is not.
    assert backgrounds["dark"] == "rgb(18, 18, 18)"
    assert backgrounds["light"] != backgrounds["dark"]
    for name in ("preview-375", "preview-1280", "light", "dark"):
        assert (shots / f"{name}.png").stat().st_size > 0

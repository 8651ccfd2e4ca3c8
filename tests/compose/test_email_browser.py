"""The digest in a real Chromium: phone and desktop layouts, as a subscriber sees them."""

from __future__ import annotations

import dataclasses
import re

import pytest

from distributor.compose import browser
from distributor.compose.digest import render_digest
from distributor.compose.roundup import RoundupOptions, build_roundup
from distributor.settings import EmailSettings, Settings
from tests.compose.digest_stories import (
    DAY,
    SOURCE_NAMES,
    grouped_stories,
    many_stories,
    sample_stories,
)

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


def _luminance(css: str) -> float:
    """WCAG relative luminance of a computed ``rgb(r, g, b)`` colour."""
    channels = [int(v) / 255 for v in re.findall(r"\d+", css)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(color: str, background: str) -> float:
    high, low = sorted((_luminance(color), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("logo", ["", "https://news.example.org/img/logo.png"])
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_masthead_and_grouped_roundup_are_readable_on_a_phone_in_light_and_dark_mode(
    logo: str, dark: bool
) -> None:
    stories = grouped_stories()
    settings = dataclasses.replace(
        Settings(),
        email=EmailSettings(
            featured_count=2, logo_url=logo, source_names=SOURCE_NAMES, roundup_max_stories=4
        ),
    )
    roundup = build_roundup(stories, DAY, RoundupOptions.from_settings(settings))
    html = render_digest(stories, roundup, settings, DAY).html
    facts = browser.probe_layout(html, width=375, dark=dark)
    assert facts["scrollWidth"] <= facts["clientWidth"], facts["overflowing"]
    texts = facts["texts"]
    shown = {t["text"] for t in texts}
    assert "28 November 2026" in shown
    assert ("Government News Daily" in shown) is not bool(logo)  # the name or the logo
    assert {"Department for Transport", "Environment Agency"} <= shown
    assert "news.example.org" in shown  # the link at the end of "…and 2 more stories at"
    # WCAG AA: 4.5:1 for text, 3:1 for large text (24 px, or 18.66 px bold).
    for t in texts:
        large = t["fontSize"] >= 24 or (t["fontSize"] >= 18.66 and t["fontWeight"] >= 700)
        ratio = _contrast(t["color"], t["background"])
        assert ratio >= (3 if large else 4.5), (t, round(ratio, 2))
    if logo:
        # The image is blocked here (no network), as many readers have it: the logo's
        # box keeps its width and, on a phone, grows to show the whole alt text.
        image = next(i for i in facts["images"] if i["src"] == logo)
        assert image["alt"] == "Government News Daily"
        assert image["width"] == 160 and image["height"] >= 40


def test_a_preview_reaches_no_server_named_in_the_article(tmp_path) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[str] = []

    class Record(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Record)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        # What an article could put in a story: images on loopback, by name and by a
        # tracking host, a style sheet and a background.
        html = (
            "<!doctype html><html><head>"
            f'<link rel=stylesheet href="http://127.0.0.1:{port}/css">'
            f"</head><body style=\"background:url('http://localhost:{port}/bg')\">"
            f'<img src="http://127.0.0.1:{port}/pixel.png" alt="pixel" width=10 height=10>'
            '<img src="https://tracker.example/open.gif" alt="tracker" width=10 height=10>'
            "<p>Story</p></body></html>"
        )
        page = tmp_path / "digest.html"
        page.write_text(html, encoding="utf-8")
        browser.screenshot(page, tmp_path / "d.png", width=375, height=400)
        facts = browser.probe_layout(html, width=375)
        assert "Story" in facts["text"]
    finally:
        server.shutdown()
        server.server_close()
    assert seen == []


def test_chromium_keeps_its_sandbox_unless_it_cannot_start_with_one(
    tmp_path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import logging
    import os

    real_root = os.geteuid() == 0
    calls = tmp_path / "calls.txt"
    wrapper = tmp_path / "chromium"
    wrapper.write_text(
        f'#!/bin/sh\necho "$*" >> {calls}\nexec {browser.find_chromium()} "$@"\n', encoding="utf-8"
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv(browser.CHROMIUM_ENV, str(wrapper))
    # As a user that is not root, the sandbox is asked for first.
    monkeypatch.setattr(browser.os, "geteuid", lambda: 1000)
    page = tmp_path / "p.html"
    page.write_text("<p>hi</p>", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        browser.screenshot(page, tmp_path / "p.png", width=375, height=300)
    runs = calls.read_text(encoding="utf-8").splitlines()
    assert "--no-sandbox" not in runs[0]
    if real_root:
        # Chromium refused (it is really root here): one retry without, and a warning.
        assert len(runs) == 2 and "--no-sandbox" in runs[1]
        assert "sandbox cannot start" in caplog.text
    else:
        assert len(runs) == 1
    # As root, Chromium cannot have its sandbox: it is started once, without.
    calls.unlink()
    monkeypatch.setattr(browser.os, "geteuid", lambda: 0)
    browser.screenshot(page, tmp_path / "p.png", width=375, height=300)
    (run,) = calls.read_text(encoding="utf-8").splitlines()
    assert "--no-sandbox" in run

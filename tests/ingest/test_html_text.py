"""HTML content becomes plain text in the body's shape; nothing executable survives."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from distributor.ingest.feeds import parse_feed
from distributor.ingest.html_text import html_to_text
from distributor.ingest.shape import squash


def test_blocks_headings_and_list_items() -> None:
    source = """
      <h2>Key  points</h2>
      <p>Funding of &pound;2.5bn &ndash; up&nbsp;10%.<br>New line after a break.</p>
      <ul><li>First <strong>item</strong></li><li><p>Second item</p></li></ul>
      <ol><li>Third</li></ol>
      <blockquote><p>&#8220;Quoted,&#8221; she said.</p></blockquote>
      <div>Tail <a href="https://x.org">link text</a> here</div>
    """
    assert html_to_text(source).split("\n") == [
        "Key points",
        "Funding of £2.5bn – up 10%.",
        "New line after a break.",
        "- First item",
        "- Second item",
        "- Third",
        "“Quoted,” she said.",
        "Tail link text here",
    ]


def test_hostile_markup_is_dropped_with_its_content() -> None:
    source = (
        "<p>Safe text.</p>"
        "<script>alert('x')</script>"
        "<style>p { display: none }</style>"
        '<p onclick="steal()">Click <img src=x onerror=alert(1)>me</p>'
        "<iframe src='https://evil.example'>inner frame text</iframe>"
        "<svg><script>alert(2)</script><text>svg text</text></svg>"
        "<noscript>enable js</noscript>"
        "<form><input value='hidden'><button>Send</button></form>"
        "<p>End.</p>"
    )
    text = html_to_text(source)
    assert text.split("\n") == ["Safe text.", "Click me", "End."]
    for bad in ("alert", "steal", "display", "evil", "svg text", "enable js", "Send"):
        assert bad not in text


def test_unclosed_script_swallows_the_rest_rather_than_leaking_it() -> None:
    assert html_to_text("<p>Before</p><script>var a = '<p>not text</p>';") == "Before"


def test_hostile_feed_html_never_reaches_the_body() -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
      <item><title>Item</title><guid>g1</guid>
      <description><![CDATA[<p>Real news.</p><script>document.cookie</script>
      <p><a href="javascript:alert(1)">link</a></p>]]></description></item>
    </channel></rss>"""
    (article,) = parse_feed(feed, "hostile.rss").articles
    assert article.body.split("\n") == ["Real news.", "link"]
    assert "cookie" not in article.body and "javascript" not in article.body


# Control characters that are not whitespace are never article text (libxml2 refuses
# them, and no later stage wants them): they are dropped.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b]")


@given(st.text())
def test_escaped_text_comes_back_as_written(text: str) -> None:
    assert html_to_text(f"<p>{html.escape(text)}</p>") == squash(_CONTROLS.sub("", text))


@given(st.text(), st.text())
def test_script_content_never_appears(before: str, inside: str) -> None:
    out = html_to_text(f"<p>{html.escape(before)}</p><script>{html.escape(inside)}</script>")
    assert out == squash(_CONTROLS.sub("", before))


def test_pathological_markup_is_read_in_linear_time() -> None:
    import time

    for shape in ("<a b='", "<p", "<!--", "<![CDATA[", "&#"):
        source = shape * (1_000_000 // len(shape))  # 1 MB
        started = time.process_time()
        html_to_text(source)
        assert time.process_time() - started < 1.0, shape

"""HTML to the article body's shape: paragraphs, headings and ``- `` items, one per line.

Only text survives: scripts, styles and other non-content elements are dropped with
everything inside them, tags are removed and entities decoded. The result is plain
text, so hostile markup cannot reach any later stage through the body.

The parsing is lxml's (libxml2's HTML parser, in C): linear in the input, where the
standard library's parser rescans an unclosed tag on every feed (100 KB of ``<a b='``
took 24 s).
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from distributor.ingest.shape import body_from_blocks, squash

# Elements whose content is never article text.
_DROP = frozenset(
    {
        "script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
        "math", "head", "title", "form", "button", "select", "textarea", "canvas", "video",
        "audio", "map",
    }
)  # fmt: skip
_BLOCK = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "main", "aside", "nav",
        "blockquote", "pre", "figure", "figcaption", "table", "tr", "ul", "ol", "dl", "dt",
        "dd", "address", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "li", "body", "html",
        "details", "summary",
    }
)  # fmt: skip


class _Converter:
    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.prefix = ""

    def flush(self) -> None:
        text = squash("".join(self.current))
        self.current = []
        # An empty flush (as in <li><p>) keeps the item's "- " for the text that follows.
        if text:
            self.blocks.append(self.prefix + text)
            self.prefix = ""

    def start(self, tag: str) -> None:
        if tag == "br":
            self.flush()
        elif tag in _BLOCK:
            self.flush()
            if tag == "li":
                self.prefix = "- "
        elif tag in ("td", "th"):
            self.current.append(" ")

    def end(self, tag: str) -> None:
        if tag in _BLOCK:
            self.flush()
            if tag == "li":
                self.prefix = ""

    def data(self, text: str | None) -> None:
        if text:
            self.current.append(text)


# What libxml2 refuses in a string: C0 controls that are whitespace become a space (as
# squash would make them), the others and lone surrogates are never text.
_UNPARSABLE_SPACE = re.compile("[\x0b\x0c\x1c-\x1f]")
_UNPARSABLE = re.compile("[\x00-\x08\x0e-\x1b\ud800-\udfff]")


def html_to_text(html: str) -> str:
    """The body text of an HTML fragment, one block per line."""
    source = _UNPARSABLE.sub("", _UNPARSABLE_SPACE.sub(" ", html))
    if not source.strip():
        return ""
    try:
        root = lxml_html.fragment_fromstring(source, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    converter = _Converter()
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if not tag or tag.lower() in _DROP:
                # A comment, processing instruction or dropped element: nothing inside
                # is text (what follows it, its tail, is).
                walker.skip_subtree()
                continue
            converter.start(tag.lower())
            converter.data(element.text)
        else:
            if tag and tag.lower() not in _DROP:
                converter.end(tag.lower())
            converter.data(element.tail)
    converter.flush()
    return body_from_blocks(converter.blocks)


def looks_like_html(text: str) -> bool:
    lowered = text.lower()
    return any(
        tag in lowered for tag in ("<p", "<br", "<div", "<li", "<h2", "<h3", "<a ", "<em", "<b>")
    )

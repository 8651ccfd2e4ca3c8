"""HTML to the article body's shape: paragraphs, headings and ``- `` items, one per line.

Only text survives: scripts, styles and other non-content elements are dropped with
everything inside them, tags are removed and entities decoded. The result is plain
text, so hostile markup cannot reach any later stage through the body.
"""

from __future__ import annotations

from html.parser import HTMLParser

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
_VOID = frozenset(
    {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "base", "col", "track"}
)


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.prefix = ""
        self.dropping: list[str] = []

    def flush(self) -> None:
        text = squash("".join(self.current))
        self.current = []
        # An empty flush (as in <li><p>) keeps the item's "- " for the text that follows.
        if text:
            self.blocks.append(self.prefix + text)
            self.prefix = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropping:
            if tag not in _VOID:
                self.dropping.append(tag)
            return
        if tag in _DROP:
            self.dropping.append(tag)
            return
        if tag == "br":
            self.flush()
        elif tag in _BLOCK:
            self.flush()
            if tag == "li":
                self.prefix = "- "
        elif tag in ("td", "th"):
            self.current.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.dropping and (tag == "br" or tag in _BLOCK):
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            # Unwind to the matching open tag; tolerate sloppy nesting inside dropped parts.
            if tag in self.dropping:
                while self.dropping and self.dropping.pop() != tag:
                    pass
            return
        if tag in _BLOCK:
            self.flush()
            if tag == "li":
                self.prefix = ""

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.current.append(data)


def html_to_text(html: str) -> str:
    """The body text of an HTML fragment, one block per line."""
    converter = _Converter()
    converter.feed(html)
    converter.close()
    converter.flush()
    return body_from_blocks(converter.blocks)


def looks_like_html(text: str) -> bool:
    lowered = text.lower()
    return any(
        tag in lowered for tag in ("<p", "<br", "<div", "<li", "<h2", "<h3", "<a ", "<em", "<b>")
    )

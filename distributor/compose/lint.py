"""Checks an editor wants before a digest goes out: size, alt text, image sizes, links.

Findings are data; the CLI decides how to show them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from html.parser import HTMLParser

from distributor.compose.safe import safe_url
from distributor.models import Digest

GMAIL_CLIP_BYTES = 102_000


@dataclass(frozen=True)
class Finding:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class _Scan(HTMLParser):
    """Collects images, links and the text of each ``dx-section-*`` block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[dict[str, str | None]] = []
        self.links: list[str] = []
        self.sections: list[tuple[str, list[str]]] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, opens a section)
        self._heading_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "img":
            self.images.append(a)
        elif tag == "a" and a.get("href") is not None:
            self.links.append(a["href"] or "")
        if tag in ("img", "meta", "br", "hr", "link", "input"):
            return
        classes = (a.get("class") or "").split()
        name = next((c[len("dx-section-") :] for c in classes if c.startswith("dx-section-")), None)
        if name is not None:
            self.sections.append((name, []))
        if tag in ("h1", "h2", "h3"):
            self._heading_depth += 1
        self._stack.append((tag, name is not None))

    def handle_endtag(self, tag: str) -> None:
        if all(open_tag != tag for open_tag, _ in self._stack):
            return  # a void element such as <img />, or a stray end tag
        while self._stack:
            open_tag, _ = self._stack.pop()
            if open_tag in ("h1", "h2", "h3"):
                self._heading_depth -= 1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.sections and not self._heading_depth and self._in_section():
            self.sections[-1][1].append(data)

    def _in_section(self) -> bool:
        return any(opens for _, opens in self._stack)


def lint_html(html: str, *, max_bytes: int = GMAIL_CLIP_BYTES) -> list[Finding]:
    findings: list[Finding] = []
    size = len(html.encode("utf-8"))
    if size > max_bytes:
        findings.append(
            Finding(
                "size-over-budget",
                f"the HTML is {size} bytes, over the {max_bytes} byte budget: Gmail clips it "
                "and hides the footer with the unsubscribe link; feature fewer stories",
            )
        )
    scan = _Scan()
    scan.feed(html)
    scan.close()
    for img in scan.images:
        src = img.get("src") or "(no src)"
        if not (img.get("alt") or "").strip():
            findings.append(Finding("missing-alt", f"image {src} has no alt text"))
        width, height = img.get("width"), img.get("height")
        if not (width or "").isdigit() or not (height or "").isdigit():
            findings.append(
                Finding(
                    "image-without-dimensions",
                    f"image {src} has no width and height in pixels; the layout jumps as it loads",
                )
            )
    placeholders = {"{{unsubscribe_url}}", "{{preferences_url}}"}
    for href in scan.links:
        if href not in placeholders and safe_url(href) is None:
            findings.append(Finding("bad-link", f"link {href!r} is not an http(s) URL"))
    for name, texts in scan.sections:
        if not "".join(texts).strip():
            findings.append(Finding("empty-section", f"the {name} section has no content"))
    return findings


def lint_digest(digest: Digest, *, max_bytes: int = GMAIL_CLIP_BYTES) -> list[Finding]:
    findings = lint_html(digest.html, max_bytes=max_bytes)
    if not digest.story_ids:
        findings.append(Finding("empty-section", "the digest lists no stories"))
    return findings

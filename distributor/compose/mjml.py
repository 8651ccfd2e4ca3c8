"""MJML compiled in-process by mjml-python (MRML), plus what MRML leaves to us.

MRML does not validate: an unknown tag is dropped silently, so :func:`unknown_tags`
lets tests check every template. It also ignores ``mj-style inline="inline"``, so the
templates style through ``mj-attributes`` and inline ``style`` attributes instead.
"""

from __future__ import annotations

import re

import mjml as mrml

# Every tag MJML 4/5 documents (mj-attributes children are component names too).
MJML_TAGS = frozenset(
    {
        "mjml",
        "mj-head",
        "mj-body",
        "mj-include",
        "mj-attributes",
        "mj-all",
        "mj-class",
        "mj-breakpoint",
        "mj-font",
        "mj-html-attributes",
        "mj-html-attribute",
        "mj-selector",
        "mj-preview",
        "mj-style",
        "mj-title",
        "mj-raw",
        "mj-accordion",
        "mj-accordion-element",
        "mj-accordion-title",
        "mj-accordion-text",
        "mj-button",
        "mj-carousel",
        "mj-carousel-image",
        "mj-column",
        "mj-divider",
        "mj-group",
        "mj-hero",
        "mj-image",
        "mj-navbar",
        "mj-navbar-link",
        "mj-section",
        "mj-social",
        "mj-social-element",
        "mj-spacer",
        "mj-table",
        "mj-text",
        "mj-wrapper",
    }
)

_TAG = re.compile(r"</?(mj[a-z0-9-]*)\b", re.IGNORECASE)


class MjmlError(ValueError):
    """The MJML did not compile (a template bug: article values are always escaped)."""


def unknown_tags(source: str) -> set[str]:
    """Tags that look like MJML but that MJML does not know (MRML would drop them)."""
    return {m.group(1).lower() for m in _TAG.finditer(source)} - MJML_TAGS


def compile_mjml(source: str) -> str:
    try:
        html: str = mrml.mjml2html(source, disable_comments=True)
    except ValueError as exc:
        raise MjmlError(f"MJML did not compile: {exc}") from exc
    return html


def minify_html(html: str) -> str:
    """Collapse every run of whitespace holding a line break into one line break.

    A browser renders such a run exactly as it renders one newline (the email has no
    ``<pre>``), so this only drops indentation and blank lines.
    """
    # ASCII whitespace only: a no-break space at a line's end is content.
    lines = (line.strip(" \t\r\f\v") for line in html.split("\n"))
    return "\n".join(line for line in lines if line)

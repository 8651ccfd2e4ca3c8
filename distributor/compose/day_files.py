"""The whole day as files an editor can open: what the ``files`` channel writes.

``<date>/digest.html``, ``digest.txt`` and ``digest.json`` (:func:`digest_summary`);
``roundup.json`` and ``roundup.xml`` (the manifest and its RSS feed);
``threads/<network>/<NN>-<story>.txt``, numbered in posting order; and
``roundup-post/<network>.txt``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from distributor.compose.lint import lint_digest
from distributor.compose.roundup import roundup_json, roundup_rss
from distributor.models import Digest, Roundup, Thread
from distributor.settings import EmailSettings, PublisherSettings, SubscribersSettings

PREVIEW_TOKEN = "preview"  # noqa: S105 (a sample link value, signed by nothing)


def as_a_reader_sees_it(text: str, subscribers: SubscribersSettings) -> str:
    """A digest's HTML or text with its per-reader placeholders filled with sample values,
    as a reader without a name sees it: "Hello," and the configured links with a token
    that matches no one (for previews; the email channel fills them per reader)."""
    return (
        text.replace("{{name}}", "")
        .replace("{{unsubscribe_url}}", f"{subscribers.unsubscribe_url}?u={PREVIEW_TOKEN}")
        .replace("{{preferences_url}}", f"{subscribers.preferences_url}?u={PREVIEW_TOKEN}")
    )


def digest_summary(
    digest: Digest, *, max_html_bytes: int, why: str | None = None
) -> dict[str, Any]:
    """The one shape of ``digest.json``, written by the files channel and by ``preview
    digest`` alike: the edition's day (and why that edition, when a command chose it),
    subject, preheader, the stories in order, sizes against the budget and what the
    email lint found."""
    return {
        "day": digest.day.isoformat(),
        "edition_why": why,
        "subject": digest.subject,
        "preheader": digest.preheader,
        "stories": list(digest.story_ids),
        "html_bytes": len(digest.html.encode("utf-8")),
        "text_bytes": len(digest.text.encode("utf-8")),
        "max_html_bytes": max_html_bytes,
        "findings": [f.as_dict() for f in lint_digest(digest, max_bytes=max_html_bytes)],
    }


def digest_json(summary: Mapping[str, Any]) -> str:
    """``digest.json``'s text: a :func:`digest_summary` (with whatever a command adds)."""
    return json.dumps(summary, indent=2, ensure_ascii=False) + "\n"


def day_files(
    day: date,
    *,
    digest: Digest | None,
    threads: Mapping[str, Sequence[Thread]],
    roundup_posts: Mapping[str, Thread],
    roundup: Roundup | None = None,
    publisher: PublisherSettings | None = None,
    subscribers: SubscribersSettings | None = None,
    email: EmailSettings | None = None,
    why: str | None = None,
) -> dict[str, str]:
    """Every file of the day, keyed by its path relative to the output folder: the day's
    threads and roundup under ``<day>/``, the digest under its edition's date (the
    same folder unless the edition is another day's), as a reader without a name sees
    it (:func:`as_a_reader_sees_it`), with its summary (:func:`digest_json`; ``why``: why
    this edition)."""
    readers = subscribers or SubscribersSettings()
    prefix = day.isoformat()
    files: dict[str, str] = {}
    if roundup is not None:
        files[f"{prefix}/roundup.json"] = roundup_json(roundup)
        files[f"{prefix}/roundup.xml"] = roundup_rss(roundup, publisher or PublisherSettings())
    if digest is not None:
        # Under the edition's own date, as its subject and page have it: after digest_at
        # today's threads sit in today's folder, tomorrow's email in tomorrow's.
        edition = digest.day.isoformat()
        files[f"{edition}/digest.html"] = as_a_reader_sees_it(digest.html, readers)
        files[f"{edition}/digest.txt"] = as_a_reader_sees_it(digest.text, readers)
        budget = (email or EmailSettings()).max_html_bytes
        files[f"{edition}/digest.json"] = digest_json(
            digest_summary(digest, max_html_bytes=budget, why=why)
        )
    for network, group in threads.items():
        # The number keeps apart two stories whose addresses end alike.
        for number, thread in enumerate(group, start=1):
            name = f"{prefix}/threads/{_safe(network)}/{number:02d}-{slug(thread.story_id)}.txt"
            files[name] = thread_text(thread)
    for network, post in roundup_posts.items():
        files[f"{prefix}/roundup-post/{_safe(network)}.txt"] = thread_text(post)
    return files


def thread_text(thread: Thread) -> str:
    """A thread as an editor reads it: each post under ``--- n/N (length/limit)``."""
    parts = []
    for i, post in enumerate(thread.posts, 1):
        head = f"--- {i}/{len(thread.posts)}"
        if post.limit:
            head += f" ({post.length}/{post.limit})"
        parts.append(f"{head}\n{post.text}\n")
    return "\n".join(parts)


def slug(identity: str) -> str:
    """A file name for a story: the last meaningful part of its URL or guid."""
    tail = identity.rstrip("/").rsplit("/", 1)[-1]
    tail = tail.rsplit(".", 1)[0] if "." in tail else tail
    cleaned = "".join(c if c.isalnum() or c in "-_" else "-" for c in tail.lower()).strip("-")
    return cleaned[:80] or "story"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "x"

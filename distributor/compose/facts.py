"""Which of a story's facts a card or a thread shows: what the reader has not just read.

The summary opens every card and thread, so a key figure that only restates it is left
out, and so is a figure said inside the quote that the same card or thread shows.
"""

from __future__ import annotations

from distributor.models import Figure, Story


def repeats(story: Story, figure: Figure) -> bool:
    """Does ``figure`` say again what the summary or the main quote already says?"""
    summary = " ".join(story.summary.split())
    flat = " ".join(figure.text.split())
    if summary and len(flat) >= 20 and (summary.startswith(flat) or flat.startswith(summary)):
        return True
    q = story.quote
    return q is not None and any(s.start < figure.end and figure.start < s.end for s in q.segments)


def fresh_figures(story: Story) -> list[Figure]:
    """The key figures worth showing beside the summary and the quote, in article order."""
    return [f for f in story.key_figures if not repeats(story, f)]

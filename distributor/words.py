"""Wording shared by everything that prints or renders text for people."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 post", "2 posts" (``many`` for the irregular: "1 story", "2 stories")."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


# The months' names in lower case: words of time, never a name or a rate's subject.
MONTH_NAMES = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)

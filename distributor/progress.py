"""How far a long step has got, for whoever is watching.

A step that can take more than a second (reading a large folder, extracting its
articles, importing subscribers, taking screenshots) reports each item with
:func:`advance`. Nothing happens unless a watcher was installed with :func:`watching`:
the command line installs one when stderr is a terminal, and only the command line
prints. The watcher lives in a context variable, so a worker's threads report to none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Watcher = Callable[[str, int, int], None]
"""Called with the step's name, how many of its items are done, and how many there are."""

_watcher: ContextVar[Watcher | None] = ContextVar("distributor_progress", default=None)


@contextmanager
def watching(watcher: Watcher | None) -> Iterator[None]:
    """Report the steps run inside the block to ``watcher`` (None: to no one)."""
    token = _watcher.set(watcher)
    try:
        yield
    finally:
        _watcher.reset(token)


def advance(step: str, done: int, total: int) -> None:
    """``done`` of the ``total`` items of ``step`` are done."""
    watcher = _watcher.get()
    if watcher is not None:
        watcher(step, done, total)


def counter(step: str, total: int) -> Callable[[int], None]:
    """A callback for code that reports how many more items it has done."""
    done = 0

    def more(n: int) -> None:
        nonlocal done
        done += n
        advance(step, done, total)

    return more

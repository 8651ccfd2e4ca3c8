"""How often one client, or one address, may use the sign-up form.

A sliding window kept in this process's memory: right for ``distributor serve``, one
process whose threads share it. A restart forgets the counts, and several ``serve``
processes behind one proxy would each count on their own. Memory is bounded: past
``max_keys`` keys, those whose window has passed are dropped, then the oldest.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimit:
    """At most ``limit`` uses per key within ``window`` seconds (``limit`` 0: no limit)."""

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._uses: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one use of ``key`` and say whether it is within the limit (a use over
        the limit is not counted, so waiting out the window is enough)."""
        if self.limit <= 0:
            return True
        now = self.clock()
        with self._lock:
            uses = self._uses.get(key)
            if uses is None:
                self._make_room(now)
                uses = self._uses[key] = deque()
            while uses and uses[0] <= now - self.window:
                uses.popleft()
            if len(uses) >= self.limit:
                return False
            uses.append(now)
            return True

    def retry_after(self, key: str) -> int:
        """Whole seconds until ``key`` may be used again (0: now)."""
        with self._lock:
            uses = self._uses.get(key)
            if not uses or len(uses) < self.limit:
                return 0
            return max(1, int(uses[0] + self.window - self.clock() + 0.999))

    def _make_room(self, now: float) -> None:
        if len(self._uses) < self.max_keys:
            return
        for key in [
            k for k, uses in self._uses.items() if not uses or uses[-1] <= now - self.window
        ]:
            del self._uses[key]
        while len(self._uses) >= self.max_keys:
            del self._uses[next(iter(self._uses))]

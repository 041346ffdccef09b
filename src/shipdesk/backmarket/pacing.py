"""Client-side pacing: stay under Back Market's edge limit instead of collecting 429s.

Back Market allows about 200 requests per 10 seconds per account, then blocks for ~10 s.
The default pacer keeps each account under 150 per 10 s in this process. Several processes
sharing one account need a pacer backed by shared storage (database, Redis) with the same
`acquire` signature.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

__all__ = ["NullPacer", "Pacer", "SlidingWindowPacer"]


class Pacer(Protocol):
    def acquire(self, key: str) -> None:
        """Block until a request for `key` (one Back Market account) may be sent."""


class NullPacer:
    """No pacing at all: for tests and for the sandbox."""

    def acquire(self, key: str) -> None:
        return None


class SlidingWindowPacer:
    """At most `limit` requests per key in any `window_s` seconds; in memory, thread-safe."""

    def __init__(
        self,
        limit: int = 150,
        window_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be >= 1 and window_s > 0")
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._sleep = sleep
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> None:
        while True:
            with self._lock:
                now = self._clock()
                sent = self._sent.setdefault(key, deque())
                while sent and sent[0] <= now - self.window_s:
                    sent.popleft()
                if len(sent) < self.limit:
                    sent.append(now)
                    return
                wait = sent[0] + self.window_s - now
            # Sleep outside the lock so other accounts are not held up; then re-check,
            # since another thread may have taken the freed slot.
            self._sleep(wait)

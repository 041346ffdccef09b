"""Pacing Back Market requests across every process and machine, in the database.

A token bucket per account: it refills at `limit / window_s` per second and holds at most
`burst` tokens, so any `window_s` seconds see at most `limit + burst` requests (150 + 30
by default, under Back Market's ~200 per 10 s). The row lock serialises the accounting;
the waiting happens outside the transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import IntegrityError, transaction

from shipdesk.sync.models import PacingBucket

# Refills are computed in floating point: 0.9999999 tokens is one token.
_EPSILON = 1e-6


class DatabasePacer:
    def __init__(
        self,
        limit: int = 150,
        window_s: float = 10.0,
        burst: int | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = limit / window_s
        self.burst = burst if burst is not None else max(1, limit // 5)
        self._clock = clock
        self._sleep = sleep

    def acquire(self, key: str) -> None:
        while True:
            wait = self._take(key)
            if wait <= 0:
                return
            self._sleep(wait)

    def _take(self, key: str) -> float:
        """Take a token if there is one (0.0), else return how long to wait for one."""
        try:
            with transaction.atomic():
                now = self._clock()
                bucket = PacingBucket.objects.select_for_update().filter(key=key).first()
                if bucket is None:
                    PacingBucket.objects.create(key=key, tokens=self.burst - 1, updated=now)
                    return 0.0
                tokens = min(self.burst, bucket.tokens + max(0.0, now - bucket.updated) * self.rate)
                if tokens < 1 - _EPSILON:
                    return (1 - tokens) / self.rate
                PacingBucket.objects.filter(pk=bucket.pk).update(
                    tokens=max(0.0, tokens - 1), updated=now
                )
                return 0.0
        except IntegrityError:
            return 0.001  # another process created the bucket first: read it again

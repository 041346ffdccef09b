"""Requests per minute per API key, counted where every process sees the same number.

A fixed one-minute window, as ShipStation does: Redis (INCR) when settings.REDIS_URL is set,
else one counter row per key and minute in the database, incremented by an atomic UPDATE.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from shipdesk.api.models import RateLimitWindow

DEFAULT_LIMIT = 40
WINDOW_S = 60


@dataclass(frozen=True)
class RateLimit:
    limit: int
    count: int  # requests in this window, this one included
    reset: int  # seconds until the window ends

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    def headers(self) -> dict[str, str]:
        return {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.remaining),
            "X-Rate-Limit-Reset": str(self.reset),
        }


def limit_per_minute() -> int:
    value = getattr(settings, "SHIPDESK_API_RATE_LIMIT", None)
    if value is None:
        value = os.environ.get("SHIPDESK_API_RATE_LIMIT", DEFAULT_LIMIT)
    return int(value)


def hit(api_key_id: int, *, now: float | None = None) -> RateLimit:
    """Count one request for the key and say where it stands in the current minute."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_S) * WINDOW_S
    if getattr(settings, "REDIS_URL", None):
        count = _redis_increment(api_key_id, window)
    else:
        count = _db_increment(api_key_id, window)
    reset = max(window + WINDOW_S - int(now), 1)
    return RateLimit(limit=limit_per_minute(), count=count, reset=reset)


def _db_increment(api_key_id: int, window: int) -> int:
    rows = RateLimitWindow.objects.filter(api_key_id=api_key_id, window=window)
    # The UPDATE's row lock holds until commit, so the count read back is this request's.
    with transaction.atomic():
        if rows.update(count=F("count") + 1):
            return rows.values_list("count", flat=True).get()
        try:
            with transaction.atomic():
                RateLimitWindow.objects.create(api_key_id=api_key_id, window=window, count=1)
        except IntegrityError:  # another process opened this minute first
            rows.update(count=F("count") + 1)
            return rows.values_list("count", flat=True).get()
        RateLimitWindow.objects.filter(api_key_id=api_key_id, window__lt=window).delete()
        return 1


_redis_clients: dict = {}
_redis_lock = threading.Lock()


def _redis_client():
    """One connection pool per process and URL."""
    with _redis_lock:
        client = _redis_clients.get(settings.REDIS_URL)
        if client is None:
            import redis

            client = _redis_clients[settings.REDIS_URL] = redis.Redis.from_url(settings.REDIS_URL)
        return client


def _redis_increment(api_key_id: int, window: int) -> int:
    name = f"shipdesk:api-rate:{api_key_id}:{window}"
    pipe = _redis_client().pipeline()
    pipe.incr(name)
    pipe.expire(name, 2 * WINDOW_S)
    count, _ = pipe.execute()
    return int(count)

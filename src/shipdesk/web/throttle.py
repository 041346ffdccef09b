"""Throttling failed sign-ins per username and address, across processes (in the database).

After MAX_FAILURES failures within WINDOW, that username from that address is refused for
LOCKOUT without even checking the password; a successful sign-in clears the count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shipdesk.web.models import LoginAttempt

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def locked_until(username: str, ip: str, *, now: datetime | None = None) -> datetime | None:
    """When the lock on this username from this address ends, or None if it may try."""
    now = now or timezone.now()
    attempt = LoginAttempt.objects.filter(username=_key(username), ip=ip).first()
    if attempt and attempt.locked_until and attempt.locked_until > now:
        return attempt.locked_until
    return None


def record_failure(username: str, ip: str, *, now: datetime | None = None) -> LoginAttempt:
    """Count one failure; lock the pair once it reaches MAX_FAILURES within WINDOW."""
    now = now or timezone.now()
    key = _key(username)
    with transaction.atomic():
        LoginAttempt.objects.filter(first_failure_at__lt=now - FORGET_AFTER).delete()
        try:
            with transaction.atomic():
                attempt, created = LoginAttempt.objects.get_or_create(
                    username=key, ip=ip, defaults={"failures": 1, "first_failure_at": now}
                )
        except IntegrityError:  # another process created it between our read and insert
            attempt, created = LoginAttempt.objects.get(username=key, ip=ip), False
        if not created:
            window_over = attempt.first_failure_at < now - WINDOW
            lock_over = attempt.locked_until is not None and attempt.locked_until <= now
            if window_over or lock_over:
                LoginAttempt.objects.filter(pk=attempt.pk).update(
                    failures=1, first_failure_at=now, locked_until=None
                )
            else:
                # F(): two processes counting at once both count.
                LoginAttempt.objects.filter(pk=attempt.pk).update(failures=F("failures") + 1)
            attempt.refresh_from_db()
        if attempt.failures >= MAX_FAILURES and attempt.locked_until is None:
            attempt.locked_until = now + LOCKOUT
            attempt.save(update_fields=["locked_until"])
    return attempt


def clear(username: str, ip: str) -> None:
    LoginAttempt.objects.filter(username=_key(username), ip=ip).delete()

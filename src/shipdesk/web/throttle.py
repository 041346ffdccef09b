"""Throttling sign-ins and password-reset requests, across processes (in the database).

Sign-ins: after MAX_FAILURES failures within WINDOW, that username from that address is
refused for LOCKOUT without even checking the password; a successful sign-in clears the count.
Every way of signing in counts against the same lock: the web login and Django admin's login
(both go through shipdesk.web.backends.LockoutBackend), the old password of a password change,
and the ShipStation API's keys (shipdesk.api.auth, as `api key <key>`: no username has spaces).

Password-reset requests: at most RESETS_PER_HOUR per address and per email address, so the
form cannot be used to flood someone's mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shipdesk.web.models import LoginAttempt

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)
RESETS_PER_HOUR = 5
# Counts per email address are kept under this address: they hold whoever asks.
ANY_ADDRESS = "0.0.0.0"


@dataclass(frozen=True)
class Policy:
    max_count: int
    window: timedelta
    lockout: timedelta


SIGN_IN = Policy(MAX_FAILURES, WINDOW, LOCKOUT)
PASSWORD_RESET = Policy(RESETS_PER_HOUR, timedelta(hours=1), timedelta(hours=1))


def client_ip(request) -> str:
    """The peer's address (put a proxy's X-Forwarded-For handling in the proxy itself).

    Without a request (a sign-in from code), every such attempt shares one address.
    """
    return (request.META.get("REMOTE_ADDR") if request is not None else None) or ANY_ADDRESS


def minutes_left(until: datetime) -> int:
    """Whole minutes until `until`, rounded up: what people are told to wait."""
    return max(1, int((until - timezone.now()).total_seconds() // 60) + 1)


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def failures(username: str, ip: str) -> LoginAttempt | None:
    """What is counted for this username from this address, if anything."""
    return LoginAttempt.objects.filter(username=_key(username), ip=ip).first()


def lock_end(attempt: LoginAttempt | None, *, now: datetime | None = None) -> datetime | None:
    now = now or timezone.now()
    if attempt and attempt.locked_until and attempt.locked_until > now:
        return attempt.locked_until
    return None


def locked_until(username: str, ip: str, *, now: datetime | None = None) -> datetime | None:
    """When the lock on this username from this address ends, or None if it may try."""
    return lock_end(failures(username, ip), now=now)


def record_failure(
    username: str, ip: str, *, now: datetime | None = None, policy: Policy = SIGN_IN
) -> LoginAttempt:
    """Count one failure; lock the pair once it reaches the policy's count within its window."""
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
            window_over = attempt.first_failure_at < now - policy.window
            lock_over = attempt.locked_until is not None and attempt.locked_until <= now
            if window_over or lock_over:
                LoginAttempt.objects.filter(pk=attempt.pk).update(
                    failures=1, first_failure_at=now, locked_until=None
                )
            else:
                # F(): two processes counting at once both count.
                LoginAttempt.objects.filter(pk=attempt.pk).update(failures=F("failures") + 1)
            attempt.refresh_from_db()
        if attempt.failures >= policy.max_count and attempt.locked_until is None:
            attempt.locked_until = now + policy.lockout
            attempt.save(update_fields=["locked_until"])
    return attempt


def clear(username: str, ip: str) -> None:
    LoginAttempt.objects.filter(username=_key(username), ip=ip).delete()


def password_reset_refused_until(
    email: str, ip: str, *, now: datetime | None = None
) -> datetime | None:
    """Count a password-reset request; None if it may go ahead, else when asking is allowed again.

    Every request counts, whether or not an account has the address: the answer must not
    tell which addresses exist.
    """
    counters = [("password reset", ip), (f"password reset {email}", ANY_ADDRESS)]
    for name, address in counters:
        until = locked_until(name, address, now=now)
        if until is not None:
            return until
    for name, address in counters:
        record_failure(name, address, now=now, policy=PASSWORD_RESET)
    return None

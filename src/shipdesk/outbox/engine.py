"""Delivering outbox messages: the same claim, record and retry rules for every sender.

`deliver(message_id)` takes the message's lease with one atomic UPDATE (any number of
workers may run), hands the message to its kind's sender, and records every request the
sender makes as an Attempt. The sender's answer decides what follows:
- it returns: the message is sent;
- it raises `Retriable` (or anything unexpected): retried with backoff and jitter until the
  sender's deadline, then dead;
- it raises `Final`: failed, for a person to look at (and "retry now" once fixed).

A lease that expires means the worker holding it died mid-send; what then is the sender's
policy (`Sender.when_interrupted`): send again (webhooks: at least once), let the sender
check the other side's copy first (Back Market: `Delivery.taken_over`), or fail without
resending (emails: the customer may already have it).

Senders register themselves (`register`) when the outbox app is ready; this module imports
none of them, so the domain can queue messages without importing what delivers them.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from shipdesk.outbox.models import Attempt, Message

log = logging.getLogger(__name__)

Status = Message.Status
ErrorClass = Attempt.ErrorClass

RESEND = "resend"  # a lease expired: deliver again (the sender may check what was applied)
FAIL = "fail"  # a lease expired: failed, never resent


class Retriable(Exception):  # noqa: N818 (what the sender says of its try, not an error type)
    """The try failed for a reason that may pass (an outage, a timeout, a 5xx): try again."""


class Final(Exception):  # noqa: N818
    """The other side refused for good: resending the same message cannot succeed."""


@dataclass(frozen=True)
class Backoff:
    """Delay before retry n (1, 2, ...): first × factor^(n-1), capped, plus up to 50 % jitter
    so that messages failed together do not come back together. None: no retry left."""

    first_s: float = 30
    factor: float = 2
    cap_s: float = 3600
    max_retries: int | None = None

    def delay(self, retry: int) -> timedelta | None:
        if self.max_retries is not None and retry > self.max_retries:
            return None
        base = min(self.cap_s, self.first_s * self.factor ** max(retry - 1, 0))
        return timedelta(seconds=base * (1 + random.random() / 2))


@dataclass(frozen=True)
class Sender:
    """One kind of message: how it is sent, and the rules of its retries."""

    kind: str
    send: Callable[[Message, Delivery], None]
    lease_s: Callable[[], float]
    give_up_after: timedelta = timedelta(hours=24)
    backoff: Backoff = Backoff()
    when_interrupted: str = RESEND
    interrupted_error: str = ""
    # Told the new status (sent, failed, dead) and the error: the order's history, say.
    finished: Callable[[Message, str, str], None] | None = None


SENDERS: dict[str, Sender] = {}


def register(sender: Sender) -> Sender:
    SENDERS[sender.kind] = sender
    return sender


class Delivery:
    """One delivery of a message, as its sender sees it.

    `taken_over`: the previous delivery died holding the lease, so its requests may have
    been applied without anyone hearing the answer.
    """

    def __init__(self, message: Message, *, taken_over: bool):
        self.message = message
        self.taken_over = taken_over
        self.recorded = 0

    @contextmanager
    def attempt(self, request: dict, *, final: tuple = ()) -> Iterator[Attempt]:
        """Record one request: the sender fills in the answer; an exception is the error,
        a refusal when it is `Final` or one of the `final` types, else worth a retry."""
        attempt = Attempt(message=self.message, request=request)
        started = time.monotonic()
        try:
            yield attempt
        except Exception as exc:
            refused = isinstance(exc, (Final, *final))
            attempt.error_class = ErrorClass.FINAL if refused else ErrorClass.RETRIABLE
            attempt.error = attempt.error or str(exc)
            raise
        finally:
            attempt.duration_ms = int((time.monotonic() - started) * 1000)
            attempt.save()
            self.recorded += 1

    def step_done(self, step: str) -> None:
        """Persist one completed step at once: a crash after it must not repeat it."""
        if step not in self.message.steps_done:
            self.message.steps_done = [*self.message.steps_done, step]
            Message.objects.filter(pk=self.message.pk).update(steps_done=self.message.steps_done)


def claim(message_id: int) -> tuple[Message | None, bool]:
    """Take the message's lease if it is due and nobody holds it: (message, taken_over)."""
    now = timezone.now()
    due = Message.objects.filter(pk=message_id, status=Status.PENDING, next_attempt_at__lte=now)
    kind = due.values_list("kind", flat=True).first()
    if kind is None:
        return None, False
    until = now + timedelta(seconds=SENDERS[kind].lease_s())
    taken_over = False
    if not due.filter(lease_until__isnull=True).update(lease_until=until):
        if not due.filter(lease_until__lt=now).update(lease_until=until):
            return None, False
        taken_over = True
    message = Message.objects.select_related("order__store", "shipment").get(pk=message_id)
    return message, taken_over


def deliver(message_id: int) -> str | None:
    """Deliver one due message; return its new status (None when it was not claimed)."""
    message, taken_over = claim(message_id)
    if message is None:
        return None
    sender = SENDERS[message.kind]
    if taken_over and sender.when_interrupted == FAIL:
        Attempt.objects.create(
            message=message,
            error_class=ErrorClass.INTERRUPTED,
            error=sender.interrupted_error,
        )
        return _finish(sender, message, Status.FAILED, sender.interrupted_error, tried=False)
    waiting = _earlier_in_series(message)
    if waiting is not None:
        return _postpone(message, until=waiting)
    delivery = Delivery(message, taken_over=taken_over)
    try:
        sender.send(message, delivery)
    except Exception as exc:
        error = str(exc) or type(exc).__name__
        if not isinstance(exc, Final | Retriable):
            log.exception("outbox message %s (%s) failed unexpectedly", message.pk, message.kind)
        if not delivery.recorded:  # the page shows why, even when no request was made
            final = isinstance(exc, Final)
            Attempt.objects.create(
                message=message,
                error_class=ErrorClass.FINAL if final else ErrorClass.RETRIABLE,
                error=error,
            )
        log.warning("outbox %s message %s failed: %s", message.kind, message.pk, error)
        if isinstance(exc, Final):
            return _finish(sender, message, Status.FAILED, error)
        return _retry_later(sender, message, error)
    return _finish(sender, message, Status.SENT, "")


def _earlier_in_series(message: Message):
    """When an older message of the series is still pending, deliver it first, here; if it
    stays pending, return when to look again (None: nothing waits before this one)."""
    if not message.series:
        return None
    earlier = Message.objects.filter(
        series=message.series, status=Status.PENDING, pk__lt=message.pk
    ).order_by("pk")
    for pk in earlier.values_list("pk", flat=True):
        deliver(pk)
    blocking = earlier.first()
    if blocking is None:
        return None
    return max(blocking.next_attempt_at, blocking.lease_until or blocking.next_attempt_at)


def _postpone(message: Message, *, until) -> str:
    Message.objects.filter(pk=message.pk).update(
        lease_until=None, next_attempt_at=max(until, timezone.now() + timedelta(seconds=5))
    )
    return Status.PENDING


def _finish(sender: Sender, message: Message, status: str, error: str, *, tried=True) -> str:
    fields = {"status": status, "lease_until": None, "last_error": error[:4000]}
    if tried:
        fields["attempts"] = message.attempts = message.attempts + 1
    if status == Status.SENT:
        fields["sent_at"] = timezone.now()
    # One transaction: a worker killed between the two would leave a message sent whose
    # order never says so (seen once in the fault soak).
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(**fields)
        message.status = status
        if sender.finished:
            sender.finished(message, status, error)
    return status


def _retry_later(sender: Sender, message: Message, error: str) -> str:
    attempts = message.attempts + 1
    now = timezone.now()
    delay = sender.backoff.delay(attempts)
    if delay is None or now >= message.deadline_at:
        return _finish(sender, message, Status.DEAD, error)
    Message.objects.filter(pk=message.pk).update(
        lease_until=None, attempts=attempts, last_error=error[:4000], next_attempt_at=now + delay
    )
    return Status.PENDING


def due(kind: str | None = None, *, limit: int = 500) -> list[int]:
    """Ids of the messages due now, oldest first."""
    rows = Message.objects.filter(status=Status.PENDING, next_attempt_at__lte=timezone.now())
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def deliver_due(kind: str | None = None, *, limit: int = 500) -> dict[str, dict[str, int]]:
    """Deliver every due message now (retries, and any whose after-commit job was lost);
    return the outbox's counts by kind and status."""
    for pk in due(kind, limit=limit):
        try:
            deliver(pk)
        except Exception:  # one broken message must not stop the others
            log.exception("delivering outbox message %s failed", pk)
    return counts()


def counts(*, messages=None) -> dict[str, dict[str, int]]:
    """{kind: {status: n}} with every kind and status present."""
    by_kind = {kind: dict.fromkeys(Status.values, 0) for kind in Message.Kind.values}
    rows = (messages if messages is not None else Message.objects.all()).order_by()
    for row in rows.values("kind", "status").annotate(n=Count("pk")):
        by_kind.setdefault(row["kind"], dict.fromkeys(Status.values, 0))[row["status"]] = row["n"]
    return by_kind

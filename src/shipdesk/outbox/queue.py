"""Putting messages in the outbox: what the domain calls, inside its own transaction."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from shipdesk.orders.history import record
from shipdesk.outbox import engine
from shipdesk.outbox.models import Message
from shipdesk.outbox.tasks import deliver_message

Status = Message.Status


def queue(
    kind: str,
    payload: dict,
    *,
    key: str,
    order=None,
    shipment=None,
    series: str = "",
    enqueue: bool = True,
) -> Message:
    """Write a message in the caller's transaction; its delivery is queued on commit
    (`enqueue=False`: the caller delivers it itself after commit, the periodic job if not).

    `key` names the side effect: queueing a key again returns the existing message (a
    failed or dead one is armed again, as a person retrying it would), so the same effect
    is never queued twice. A queue outage at commit does not fail the caller's change: the
    periodic job delivers what the after-commit job missed.
    """
    now = timezone.now()
    fields = {
        "kind": kind,
        "payload": payload,
        "order": order,
        "shipment": shipment,
        "series": series,
        "next_attempt_at": now,
        "deadline_at": now + engine.SENDERS[kind].give_up_after,
    }
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(key=key).first()
        if message is None:
            try:
                with transaction.atomic():
                    message = Message.objects.create(key=key, **fields)
            except IntegrityError:  # queued meanwhile by another process: that one stands
                return Message.objects.get(key=key)
        elif message.status in (Status.FAILED, Status.DEAD):
            _rearm(message, payload=payload, deadline_at=fields["deadline_at"])
        else:
            return message
        if enqueue:
            transaction.on_commit(lambda: deliver_message(message.pk), robust=True)
    return message


def retry_now(message: Message, *, user=None) -> Message:
    """A person asks to send a message again now (failed, dead, or even sent); the order's
    history says so."""
    with transaction.atomic():
        if message.order_id:
            record(
                message.order,
                "notification_resend",
                source="user",
                user=user,
                notification=message.pk,
                message_kind=str(message.kind),
            )
        _rearm(
            message,
            deadline_at=timezone.now() + engine.SENDERS[message.kind].give_up_after,
            # Sent: every step again. Otherwise what succeeded stays done.
            steps_done=[] if message.status == Status.SENT else message.steps_done,
        )
        transaction.on_commit(lambda: deliver_message(message.pk), robust=True)
    message.refresh_from_db()
    return message


def withdraw(messages, reason: str) -> int:
    """Fail messages not yet sent whose reason to exist went away (a voided shipment)."""
    return messages.filter(status=Status.PENDING).update(
        status=Status.FAILED, lease_until=None, last_error=reason
    )


def _rearm(message: Message, **fields) -> None:
    fields = {
        "status": Status.PENDING,
        "next_attempt_at": timezone.now(),
        "lease_until": None,
        **fields,
    }
    Message.objects.filter(pk=message.pk).update(**fields)
    for name, value in fields.items():
        setattr(message, name, value)

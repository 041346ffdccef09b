"""The updates shipdesk sends Back Market about an order, and what their answers change.

`queue_update` writes one in the caller's transaction (the outbox delivers it: accept a
line, cancel a line, ship). The outbox's Back Market sender calls the other functions once
Back Market applied (or refused for good) an update: lines accepted or cancelled, units whose
IMEI Back Market now has, lines given back after a refusal, and the order's history.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shipdesk.backmarket import CANCELLED_LINE_STATES, LineState, OrderState
from shipdesk.orders.history import record
from shipdesk.orders.models import ItemUnit, Order, OrderItem
from shipdesk.orders.status import CANCELLED
from shipdesk.outbox.models import Message
from shipdesk.outbox.queue import queue


def queue_update(
    order: Order,
    action: str,
    *,
    key: str,
    shipment=None,
    user=None,
    source: str = "user",
    enqueue: bool = True,
    **payload,
) -> Message | None:
    """Queue one Back Market update of the order (`action`: accept, cancel, refund, ship,
    invoice); None for an order Back Market does not know (a manual order): every update
    shipdesk sends Back Market is queued here, so none can leave for such an order.

    `key` names the effect (one per line, or per shipment): queued twice, it is one message.
    An order's updates reach Back Market in the order they were queued (an acceptance before
    the shipment).
    """
    if not order.store.is_backmarket:
        return None
    return queue(
        Message.Kind.BACKMARKET,
        {"action": action, "user": getattr(user, "pk", None), "source": source, **payload},
        key=f"backmarket:{action}:{key}",
        order=order,
        shipment=shipment,
        series=f"backmarket:order:{order.pk}",
        enqueue=enqueue,
    )


def _by(payload: dict) -> dict:
    """source= and user= for the history, from what the message kept of who asked."""
    user = None
    if payload.get("user"):
        user = get_user_model().objects.filter(pk=payload["user"]).first()
    return {"source": payload.get("source") or "system", "user": user}


def line_accepted(order: Order, sku: str) -> None:
    """Back Market accepted the line: once no line awaits acceptance, neither does the order."""
    with transaction.atomic():
        order.items.filter(sku=sku, channel_state=LineState.AWAITING_ACCEPTANCE).update(
            channel_state=LineState.ACCEPTED, modified_at=timezone.now()
        )
        if not order.items.filter(channel_state=LineState.AWAITING_ACCEPTANCE).exists():
            Order.objects.filter(pk=order.pk).update(
                awaiting_acceptance=False, channel_state=OrderState.AWAITING_SHIPMENT
            )


def line_cancelled(order: Order, sku: str) -> None:
    """Back Market cancelled the line: an order without a live line is cancelled."""
    with transaction.atomic():
        order.items.filter(sku=sku).exclude(channel_state__in=CANCELLED_LINE_STATES).update(
            channel_state=LineState.CANCELLED, modified_at=timezone.now()
        )
        states = set(order.items.values_list("channel_state", flat=True))
        fields = {}
        if states <= CANCELLED_LINE_STATES:
            fields["status"] = CANCELLED
        if LineState.AWAITING_ACCEPTANCE not in states:
            fields["awaiting_acceptance"] = False
        if fields:
            Order.objects.filter(pk=order.pk).update(modified_at=timezone.now(), **fields)


def line_refunded(order: Order, line_id: int, new_state: int, return_reason) -> None:
    """Back Market refunded the line. Before shipping, an order without a live line is
    cancelled (the seller did it: no warning); after shipping, the order came back: it stays
    shipped, marked returned."""
    with transaction.atomic():
        order.items.filter(channel_line_id=line_id).update(
            channel_state=new_state, modified_at=timezone.now()
        )
        states = set(order.items.values_list("channel_state", flat=True))
        if new_state == LineState.REFUNDED_AFTER_SHIPPING:
            Order.objects.filter(pk=order.pk, returned_at__isnull=True).update(
                returned_at=timezone.now(), return_reason=return_reason
            )
        elif states <= CANCELLED_LINE_STATES and LineState.REFUNDED_AFTER_SHIPPING not in states:
            Order.objects.filter(pk=order.pk).update(status=CANCELLED, modified_at=timezone.now())


def identifiers_sent(order: Order, *, imei: str = "", serial_number: str = "") -> None:
    """Back Market has this IMEI / serial number: it can no longer be corrected here."""
    ItemUnit.objects.filter(item__order=order, sent_at__isnull=True).filter(
        Q(imei__in=[imei]) | Q(serial_number__in=[serial_number])
    ).exclude(imei="", serial_number="").update(sent_at=timezone.now())


def line_given_back(order: Order, sku: str, claimed: LineState) -> None:
    """A line claimed for an update Back Market did not apply awaits acceptance again; the
    order's hash is cleared so that the next import re-reads Back Market's copy of it."""
    with transaction.atomic():
        OrderItem.objects.filter(order=order, sku=sku, channel_state=claimed).update(
            channel_state=LineState.AWAITING_ACCEPTANCE, modified_at=timezone.now()
        )
        Order.objects.filter(pk=order.pk).update(channel_hash="")


def acceptance_finished(order: Order, payload: dict, status: str, error: str) -> None:
    sku = payload["sku"]
    if status == "sent":
        record(order, "accepted", skus=[sku], **_by(payload))
        return
    line_given_back(order, sku, LineState.ACCEPTED)
    record(
        order,
        "accept_failed",
        sku=sku,
        error=error,
        **_by(payload),
    )


def cancellation_finished(order: Order, payload: dict, status: str, error: str) -> None:
    sku = payload["sku"]
    if status == "sent":
        reason = payload.get("reason") or "out of stock"
        record(order, "line_cancelled", sku=sku, reason=reason, **_by(payload))
        return
    line_given_back(order, sku, LineState.CANCELLED)
    record(
        order,
        "cancel_failed",
        sku=sku,
        error=error,
        **_by(payload),
    )


def refund_finished(order: Order, payload: dict, status: str, error: str) -> None:
    sku = payload["sku"]
    if status == "sent":
        after = payload["new_state"] == LineState.REFUNDED_AFTER_SHIPPING
        record(
            order,
            "line_refunded",
            sku=sku,
            after_shipping=after,
            reason=payload["return_reason"],
            **_by(payload),
        )
        return
    # Not refunded: the line is as it was (accepted, or shipped) until the import says more.
    with transaction.atomic():
        OrderItem.objects.filter(
            order=order, channel_line_id=payload["line"], channel_state=payload["new_state"]
        ).update(channel_state=payload["previous"], modified_at=timezone.now())
        Order.objects.filter(pk=order.pk).update(channel_hash="")
    record(order, "refund_failed", sku=sku, error=error, **_by(payload))


def shipment_finished(order: Order, message, status: str, error: str) -> None:
    record(
        order,
        f"notification_{status}",
        source="backmarket",
        notification=message.pk,
        tracking=message.shipment.tracking_number,
        attempts=message.attempts,
        error=error,
    )


def update_finished(message: Message, status: str, error: str) -> None:
    """The update was sent, or failed or died for good: the order and its history say so."""
    action = message.payload["action"]
    if action == "accept":
        acceptance_finished(message.order, message.payload, status, error)
    elif action == "cancel":
        cancellation_finished(message.order, message.payload, status, error)
    elif action == "refund":
        refund_finished(message.order, message.payload, status, error)
    else:
        shipment_finished(message.order, message, status, error)

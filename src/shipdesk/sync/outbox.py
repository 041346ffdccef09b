"""Delivering shipment notifications to Back Market: exactly once, whatever fails in between.

A notification is a row written in the same transaction as its shipment. Delivery claims
the row with a lease (one atomic UPDATE, so any number of workers may run), performs the
Back Market calls that are not yet in `steps_done`, recording each attempt, and:
- on success marks it sent (never sent again unless a person asks);
- on a transient error (5xx, 429, timeout, firewall) schedules a retry with exponential
  backoff, for up to 24 hours, then marks it dead;
- on a rejection (400 / 422 / 404) marks it failed with Back Market's message, for a person.

A worker killed after Back Market applied a call but before the row recorded it leaves a
lease that expires; the next attempt first re-reads the order on Back Market and counts
what is already there as done, so nothing is sent twice.
"""

from __future__ import annotations

import json
import logging
import random
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from shipdesk.backmarket import (
    BackMarketError,
    NotFound,
    RetryPolicy,
    TokenRejected,
    UpdateRejected,
)
from shipdesk.backmarket.states import CANCELLED_LINE_STATES
from shipdesk.orders.history import record
from shipdesk.orders.models import ItemUnit, Order
from shipdesk.shipping.carriers import get_carrier
from shipdesk.stores.connection import client_for
from shipdesk.stores.models import Store
from shipdesk.sync.models import Notification, NotificationAttempt

log = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(hours=24)
FIRST_RETRY_S = 30
MAX_RETRY_S = 3600
# The outbox retries over hours itself: the client only smooths over a blip.
CLIENT_RETRY = RetryPolicy(max_attempts=2, base_delay=0.5, max_delay=2.0, budget_s=10.0)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: ~30 s, 1 min, 2 min ... capped at an hour."""
    base = min(MAX_RETRY_S, FIRST_RETRY_S * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=base * (0.5 + random.random() / 2))


def claim(notification_id: int) -> tuple[Notification | None, bool]:
    """Take the notification's lease if it is due and nobody holds it.

    Returns (notification or None, taken_over): taken_over means an expired lease was taken
    from a worker that died mid-send, so Back Market may already have applied its calls.
    """
    now = timezone.now()
    due = Notification.objects.filter(
        pk=notification_id, status=Notification.Status.PENDING, next_attempt_at__lte=now
    )
    taken_over = False
    until = now + timedelta(seconds=settings.OUTBOX_LEASE_S)
    if not due.filter(lease_until__isnull=True).update(lease_until=until):
        if not due.filter(lease_until__lt=now).update(lease_until=until):
            return None, False
        taken_over = True
    notification = Notification.objects.select_related("order__store", "shipment").get(
        pk=notification_id
    )
    return notification, taken_over


def _steps(order: Order) -> list[dict]:
    """The Back Market calls a shipment needs, in order, following Back Market's rules."""
    shipment_steps: list[dict] = []
    items = [i for i in order.items.all() if i.channel_line_id]
    single_unit = len(items) == 1 and items[0].quantity == 1
    # Cancelled and refunded lines are neither accepted nor shipped.
    items = [i for i in items if i.channel_state not in CANCELLED_LINE_STATES]
    for item in items:
        if item.channel_state == 1:
            shipment_steps.append(
                {"id": f"accept:{item.channel_line_id}", "kind": "accept", "sku": item.sku}
            )
    order_level: dict = {}
    for item in items:
        unit = next(
            (u for u in item.units.all() if (u.imei or u.serial_number) and not u.sent_at), None
        )
        if unit is None or item.quantity > 1:
            # Back Market's API holds one IMEI per line of quantity 1: a line of quantity 2
            # keeps its IMEIs in shipdesk (ship_order records that in the history).
            continue
        values = {
            k: v for k, v in (("imei", unit.imei), ("serial_number", unit.serial_number)) if v
        }
        if single_unit:
            order_level = values  # IMEI in the order-level update: single line of quantity 1 only
        else:
            shipment_steps.append(
                {
                    "id": f"identifiers:{item.channel_line_id}",
                    "kind": "identifiers",
                    "line_id": item.channel_line_id,
                    "sku": item.sku,
                    **values,
                }
            )
    shipment_steps.append({"id": "ship", "kind": "ship", **order_level})
    return shipment_steps


def _ship_body(notification: Notification, step: dict) -> dict:
    shipment = notification.shipment
    body = {
        "tracking_number": shipment.tracking_number,
        "tracking_url": shipment.tracking_url,
        "shipper": get_carrier(shipment.carrier_code).backmarket_shipper,
        "date_shipping": shipment.ship_date.isoformat(),
    }
    body.update({k: step[k] for k in ("imei", "serial_number") if step.get(k)})
    return body


def _already_done(raw: dict, step: dict, notification: Notification) -> bool:
    """Does Back Market's copy of the order already show this step? (after a lost answer)"""
    lines = {line.get("id"): line for line in raw.get("orderlines") or [] if isinstance(line, dict)}
    if step["kind"] == "accept":
        line = next((ln for ln in lines.values() if ln.get("listing") == step["sku"]), None)
        return line is not None and line.get("state") not in (1, None)
    if step["kind"] == "identifiers":
        line = lines.get(step["line_id"]) or {}
        return all(line.get(k) == step[k] for k in ("imei", "serial_number") if step.get(k))
    tracking = notification.shipment.tracking_number
    return raw.get("tracking_number") == tracking and all(
        ln.get("state") != 2 for ln in lines.values()
    )


def _call(client, notification: Notification, step: dict) -> None:
    order = notification.order
    if step["kind"] == "accept":
        method, path = "POST", f"/ws/orders/{order.channel_order_id}"
        body = {"order_id": order.channel_order_id, "new_state": 2, "sku": step["sku"]}
        send = lambda: client.accept_line(order.channel_order_id, step["sku"])  # noqa: E731
    elif step["kind"] == "identifiers":
        method, path = "PATCH", f"/ws/orderlines/{step['line_id']}"
        body = {k: step[k] for k in ("imei", "serial_number") if step.get(k)}
        send = lambda: client.set_orderline_identifiers(step["line_id"], **body)  # noqa: E731
    else:
        method, path = "POST", f"/ws/orders/{order.channel_order_id}"
        fields = _ship_body(notification, step)
        body = {"order_id": order.channel_order_id, "new_state": 3, **fields}
        ship_date = notification.shipment.ship_date
        send = lambda: client.ship_order(  # noqa: E731
            order.channel_order_id,
            tracking_number=fields["tracking_number"],
            tracking_url=fields["tracking_url"],
            shipper=fields["shipper"],
            date_shipping=timezone.make_aware(
                timezone.datetime.combine(ship_date, timezone.datetime.min.time().replace(hour=12))
            ),
            imei=fields.get("imei", ""),
            serial_number=fields.get("serial_number", ""),
        )
    started = time.monotonic()
    attempt = NotificationAttempt(
        notification=notification, step=step["id"], method=method, path=path, request_body=body
    )
    try:
        response = send()
    except BackMarketError as exc:
        attempt.status_code = exc.status
        attempt.response_body = exc.body or ""
        attempt.error = str(exc)
        raise
    else:
        attempt.status_code = 200
        attempt.response_body = json.dumps(response, default=str)[:4000]
    finally:
        attempt.duration_ms = int((time.monotonic() - started) * 1000)
        attempt.save()


def deliver(notification_id: int, *, client=None) -> str | None:
    """Deliver one notification if due; return its new status (None if not claimed)."""
    notification, taken_over = claim(notification_id)
    if notification is None:
        return None
    order = notification.order
    own = client is None
    client = client or client_for(order.store, retry=CLIENT_RETRY)
    try:
        steps = _steps(order)
        done = list(notification.steps_done)
        if notification.attempts or taken_over:
            # A previous attempt may have been applied without us hearing the answer.
            raw = client.get_order_raw(order.channel_order_id)
            for step in steps:
                if step["id"] not in done and _already_done(raw, step, notification):
                    done.append(step["id"])
                    _mark_step(notification, done, step, order)
        for step in steps:
            if step["id"] in done:
                continue
            try:
                _call(client, notification, step)
            except UpdateRejected:
                # The client retries updates; a retry after a lost answer is refused because
                # the first try was applied. Back Market's copy of the order tells which.
                if not _already_done(
                    client.get_order_raw(order.channel_order_id), step, notification
                ):
                    raise
            done.append(step["id"])
            _mark_step(notification, done, step, order)
    except (UpdateRejected, NotFound) as exc:
        return _finish(notification, Notification.Status.FAILED, exc)
    except BackMarketError as exc:
        if isinstance(exc, TokenRejected):
            order.store.record_failure(Store.Health.TOKEN_REJECTED, str(exc))
        return _retry_later(notification, exc)
    finally:
        if own:
            client.close()
    return _finish(notification, Notification.Status.SENT, None)


def _mark_step(notification: Notification, done: list, step: dict, order: Order) -> None:
    """Persist each completed Back Market call at once: a crash must not repeat it."""
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(steps_done=done)
        if step["kind"] == "accept":
            order.items.filter(sku=step["sku"], channel_state=1).update(channel_state=2)
            if not order.items.filter(channel_state=1).exists():
                Order.objects.filter(pk=order.pk).update(awaiting_acceptance=False, channel_state=3)
        elif step.get("imei") or step.get("serial_number"):
            ItemUnit.objects.filter(item__order=order, sent_at__isnull=True).filter(
                Q(imei__in=[step.get("imei")]) | Q(serial_number__in=[step.get("serial_number")])
            ).exclude(imei="", serial_number="").update(sent_at=timezone.now())


def _finish(notification: Notification, status: str, exc: Exception | None) -> str:
    now = timezone.now()
    fields = {"status": status, "lease_until": None, "attempts": notification.attempts + 1}
    order = notification.order
    if status == Notification.Status.SENT:
        fields.update(sent_at=now, last_error="")
        message = f"Back Market notified: shipped with {notification.shipment.tracking_number}."
    else:
        fields.update(last_error=str(exc))
        message = f"Back Market rejected the shipment notification: {exc}. Fix it and re-send."
    Notification.objects.filter(pk=notification.pk).update(**fields)
    record(
        order, f"notification_{status}", message, source="backmarket", notification=notification.pk
    )
    return status


def _retry_later(notification: Notification, exc: BackMarketError) -> str:
    now = timezone.now()
    attempts = notification.attempts + 1
    if now - notification.created_at >= GIVE_UP_AFTER:
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.DEAD,
            lease_until=None,
            attempts=attempts,
            last_error=str(exc),
        )
        record(
            notification.order,
            "notification_dead",
            f"Gave up notifying Back Market after {attempts} attempts over 24 h: {exc}",
            source="backmarket",
            notification=notification.pk,
        )
        return Notification.Status.DEAD
    Notification.objects.filter(pk=notification.pk).update(
        lease_until=None,
        attempts=attempts,
        last_error=str(exc),
        next_attempt_at=now + retry_delay(attempts),
    )
    return Notification.Status.PENDING


def deliver_due(*, limit: int = 500) -> dict:
    """Deliver every due notification now; return the outbox's counts."""
    due = list(
        Notification.objects.filter(
            status=Notification.Status.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        try:
            deliver(pk)
        except Exception:  # one broken notification must not stop the others
            log.exception("delivering notification %s failed", pk)
    return counts()


def counts() -> dict:
    by_status = dict.fromkeys(("sent", "failed", "pending", "dead"), 0)
    for row in Notification.objects.values("status").order_by().annotate(n=Count("pk")):
        by_status[row["status"]] = row["n"]
    return by_status


def resend(notification: Notification, *, user=None) -> Notification:
    """A person asks to send a failed, dead (or even sent) notification again."""
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.PENDING,
            next_attempt_at=timezone.now(),
            lease_until=None,
            steps_done=[]
            if notification.status == Notification.Status.SENT
            else notification.steps_done,
        )
        record(
            notification.order,
            "notification_resend",
            "Re-send to Back Market requested.",
            source="user",
            user=user,
            notification=notification.pk,
        )
        transaction.on_commit(lambda: enqueue(notification.pk))
    notification.refresh_from_db()
    return notification


def enqueue(notification_id: int) -> None:
    from shipdesk.sync.tasks import deliver_notification

    deliver_notification(notification_id)

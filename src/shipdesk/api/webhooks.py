"""ShipStation-style webhooks: ORDER_NOTIFY per import batch, SHIP_NOTIFY per shipment batch.

The import and shipping call `orders_imported` / `shipments_created`; each records one batch
and one outbox row per subscriber in the caller's transaction, and queues their delivery on
commit. Delivery POSTs `{"resource_url", "resource_type"}`; the subscriber then GETs the
resource URL with its API key. Each POST is recorded as an attempt; failures are retried
with backoff for 24 hours, the row (not memory) saying what is left to do.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import httpx
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from shipdesk.api.models import WebhookAttempt, WebhookBatch, WebhookDelivery, WebhookSubscription
from shipdesk.sync.outbox import retry_delay

log = logging.getLogger(__name__)

ORDER_EVENTS = (
    WebhookSubscription.Event.ORDER_NOTIFY,
    WebhookSubscription.Event.ITEM_ORDER_NOTIFY,
)
SHIP_EVENTS = (
    WebhookSubscription.Event.SHIP_NOTIFY,
    WebhookSubscription.Event.ITEM_SHIP_NOTIFY,
)
TIMEOUT_S = 10.0
LEASE = timedelta(minutes=2)
GIVE_UP_AFTER = timedelta(hours=24)
USER_AGENT = "shipdesk-webhooks"


def resource_url(subscription: WebhookSubscription, batch: WebhookBatch) -> str:
    root = subscription.api_root.rstrip("/")
    if batch.kind == WebhookBatch.Kind.ORDERS:
        return f"{root}/orders?importBatch={batch.uuid}"
    items = subscription.event == WebhookSubscription.Event.ITEM_SHIP_NOTIFY
    url = f"{root}/shipments?batchId={batch.pk}&includeShipmentItems={items}"
    if subscription.store_id:
        url += f"&storeId={subscription.store_id}"
    return url


def _record_batch(kind: str, store, ids: list[int], subscriptions) -> WebhookBatch:
    now = timezone.now()
    with transaction.atomic():
        batch = WebhookBatch.objects.create(kind=kind, store=store, object_ids=sorted(ids))
        deliveries = [
            WebhookDelivery.objects.create(
                subscription=s,
                batch=batch,
                resource_url=resource_url(s, batch),
                next_attempt_at=now,
            )
            for s in subscriptions
        ]
        for pk in [d.pk for d in deliveries]:
            # robust: a queue outage must not fail the import or the shipment; the periodic
            # deliver_due_webhooks task picks the row up instead.
            transaction.on_commit(lambda pk=pk: enqueue(pk), robust=True)
    return batch


def orders_imported(store, order_ids: list[int]) -> WebhookBatch | None:
    """Announce the orders one import created (ORDER_NOTIFY); None when nobody listens."""
    if not order_ids:
        return None
    subscriptions = list(
        WebhookSubscription.objects.filter(active=True, event__in=ORDER_EVENTS).filter(
            Q(store__isnull=True) | Q(store=store)
        )
    )
    if not subscriptions:
        return None
    return _record_batch(WebhookBatch.Kind.ORDERS, store, order_ids, subscriptions)


def shipments_created(shipment_ids: list[int]) -> WebhookBatch | None:
    """Announce shipments created together (SHIP_NOTIFY); None when nobody listens."""
    if not shipment_ids:
        return None
    subscriptions = list(WebhookSubscription.objects.filter(active=True, event__in=SHIP_EVENTS))
    if not subscriptions:
        return None
    from shipdesk.shipping.models import Shipment

    store_ids = set(
        Shipment.objects.filter(pk__in=shipment_ids).values_list("order__store_id", flat=True)
    )
    subscriptions = [s for s in subscriptions if s.store_id is None or s.store_id in store_ids]
    if not subscriptions:
        return None
    store = None
    if len(store_ids) == 1:
        from shipdesk.stores.models import Store

        store = Store.objects.get(pk=next(iter(store_ids)))
    return _record_batch(WebhookBatch.Kind.SHIPMENTS, store, shipment_ids, subscriptions)


def enqueue(delivery_id: int) -> None:
    from shipdesk.api.tasks import deliver_webhook

    deliver_webhook(delivery_id)


def claim(delivery_id: int) -> WebhookDelivery | None:
    """Take the delivery's lease if it is due and nobody holds it (one atomic UPDATE)."""
    now = timezone.now()
    taken = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .filter(next_attempt_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + LEASE)
    )
    if not taken:
        return None
    return WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)


def deliver(delivery_id: int, *, client: httpx.Client | None = None) -> str | None:
    """POST one due delivery; return its new status (None when not claimed)."""
    delivery = claim(delivery_id)
    if delivery is None:
        return None
    subscription = delivery.subscription
    if not subscription.active:
        return _finish(
            delivery, WebhookDelivery.Status.DEAD, "the subscription was switched off", tried=False
        )
    attempt = WebhookAttempt(delivery=delivery)
    started = time.monotonic()
    own = client is None
    client = client or httpx.Client(timeout=TIMEOUT_S, headers={"User-Agent": USER_AGENT})
    try:
        response = client.post(
            subscription.target_url,
            json={"resource_url": delivery.resource_url, "resource_type": subscription.event},
        )
        attempt.status_code = response.status_code
        attempt.response_body = response.text[:2000]
        error = "" if response.is_success else f"the target answered HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
        attempt.error = error
    finally:
        attempt.duration_ms = int((time.monotonic() - started) * 1000)
        attempt.save()
        if own:
            client.close()
    if not error:
        return _finish(delivery, WebhookDelivery.Status.SENT, "", tried=True)
    log.warning(
        "webhook delivery %s to subscription %s failed: %s", delivery.pk, subscription.pk, error
    )
    if timezone.now() - delivery.created_at >= GIVE_UP_AFTER:
        return _finish(delivery, WebhookDelivery.Status.DEAD, error, tried=True)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1,
        lease_until=None,
        last_error=error,
        next_attempt_at=timezone.now() + retry_delay(delivery.attempts + 1),
    )
    return WebhookDelivery.Status.PENDING


def _finish(delivery: WebhookDelivery, status: str, error: str, *, tried: bool) -> str:
    fields = {"status": status, "lease_until": None, "last_error": error}
    if status == WebhookDelivery.Status.SENT:
        fields["sent_at"] = timezone.now()
    if tried:
        fields["attempts"] = F("attempts") + 1
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    return status


def deliver_due(*, limit: int = 500) -> dict:
    """Deliver every due webhook now; return the outbox's counts by status."""
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)[:limit]
    )
    with httpx.Client(timeout=TIMEOUT_S, headers={"User-Agent": USER_AGENT}) as client:
        for pk in due:
            try:
                deliver(pk, client=client)
            except Exception:  # one broken delivery must not stop the others
                log.exception("webhook delivery %s failed", pk)
    return counts()


def counts() -> dict:
    by_status = dict.fromkeys(("sent", "pending", "dead"), 0)
    for row in WebhookDelivery.objects.values("status").order_by().annotate(n=Count("pk")):
        by_status[row["status"]] = row["n"]
    return by_status

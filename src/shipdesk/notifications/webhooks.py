"""Webhook subscribers: who is told about new orders (ORDER_NOTIFY) and new shipments
(SHIP_NOTIFY), ShipStation's way. ITEM_ORDER_NOTIFY and ITEM_SHIP_NOTIFY are the same events
whose resource URL lists the items too: the orders (which always carry theirs), the
shipments with `includeShipmentItems=True` (SHIP_NOTIFY's say False).

The import and shipping call `orders_imported` / `shipments_created`; each records one batch
and one outbox message per subscriber in the caller's transaction (the outbox's webhook
sender then POSTs it, signed). The REST API subscribes, lists and unsubscribes.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from shipdesk.core import netguard
from shipdesk.notifications.models import WebhookBatch, WebhookSubscription
from shipdesk.outbox.models import Attempt, Message
from shipdesk.outbox.queue import queue, withdraw
from shipdesk.shipping.models import Shipment
from shipdesk.stores.models import Store

ORDER_EVENTS = (
    WebhookSubscription.Event.ORDER_NOTIFY,
    WebhookSubscription.Event.ITEM_ORDER_NOTIFY,
)
SHIP_EVENTS = (
    WebhookSubscription.Event.SHIP_NOTIFY,
    WebhookSubscription.Event.ITEM_SHIP_NOTIFY,
)


def subscribe(
    user, *, event: str, target_url: str, store=None, friendly_name: str = ""
) -> tuple[WebhookSubscription, str]:
    """Record a subscription; return it and its signing secret, which is shown only now.

    Raises netguard.Refused when the target URL is not an http(s) URL of a public address.
    """
    netguard.check_url(target_url, allow_private=settings.SHIPDESK_WEBHOOKS_ALLOW_PRIVATE)
    secret = secrets.token_urlsafe(32)
    subscription = WebhookSubscription(
        user=user, event=event, target_url=target_url, store=store, friendly_name=friendly_name
    )
    subscription.secret = secret
    subscription.save()
    return subscription, secret


def resource_url(subscription: WebhookSubscription, batch: WebhookBatch) -> str:
    # From the configured address, never a request's Host header: a client could make the
    # links point anywhere.
    base = getattr(settings, "SHIPDESK_BASE_URL", "http://127.0.0.1:8000")
    root = base.rstrip("/") + reverse("ssapi:api-root").rstrip("/")
    if batch.kind == WebhookBatch.Kind.ORDERS:
        return f"{root}/orders?importBatch={batch.uuid}"
    items = subscription.event == WebhookSubscription.Event.ITEM_SHIP_NOTIFY
    url = f"{root}/shipments?batchId={batch.pk}&includeShipmentItems={items}"
    if subscription.store_id:
        url += f"&storeId={subscription.store_id}"
    return url


def _record_batch(kind: str, store, ids: list[int], subscriptions) -> WebhookBatch:
    with transaction.atomic():
        batch = WebhookBatch.objects.create(kind=kind, store=store, object_ids=sorted(ids))
        for subscription in subscriptions:
            queue(
                Message.Kind.WEBHOOK,
                {
                    "subscription": subscription.pk,
                    "batch": batch.pk,
                    "resource_url": resource_url(subscription, batch),
                },
                key=f"webhook:{subscription.pk}:{batch.pk}",
            )
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
    store_ids = set(
        Shipment.objects.filter(pk__in=shipment_ids).values_list("order__store_id", flat=True)
    )
    subscriptions = [s for s in subscriptions if s.store_id is None or s.store_id in store_ids]
    if not subscriptions:
        return None
    store = Store.objects.get(pk=next(iter(store_ids))) if len(store_ids) == 1 else None
    return _record_batch(WebhookBatch.Kind.SHIPMENTS, store, shipment_ids, subscriptions)


def unsubscribe(subscription: WebhookSubscription) -> None:
    """Remove the subscription; what was not yet posted to it will not be."""
    with transaction.atomic():
        withdraw(
            Message.objects.filter(
                kind=Message.Kind.WEBHOOK, payload__subscription=subscription.pk
            ),
            "the subscription was removed",
        )
        subscription.delete()


def attempts_of(subscription: WebhookSubscription):
    """The POSTs made to this subscriber, newest first (the API's WebhookLogs)."""
    return Attempt.objects.filter(
        message__kind=Message.Kind.WEBHOOK, message__payload__subscription=subscription.pk
    ).order_by("-at", "-id")

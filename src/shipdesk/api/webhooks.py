"""ShipStation-style webhooks: ORDER_NOTIFY per import batch, SHIP_NOTIFY per shipment batch.

The import and shipping call `orders_imported` / `shipments_created`; each records one batch
and one outbox row per subscriber in the caller's transaction, and queues their delivery on
commit. Delivery POSTs `{"resource_url", "resource_type"}`; the subscriber then GETs the
resource URL with its API key. Each POST is recorded as an attempt; failures are retried
with backoff for 24 hours, the row (not memory) saying what is left to do.

Each POST is signed: `X-Shipdesk-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
keyed with the subscription's secret, so a receiver can tell shipdesk's POSTs from forged
ones and refuse replayed old ones. Targets must be public addresses (`core.netguard`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from shipdesk.api.models import WebhookAttempt, WebhookBatch, WebhookDelivery, WebhookSubscription
from shipdesk.core import netguard
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
LEASE = timedelta(minutes=2)
GIVE_UP_AFTER = timedelta(hours=24)
USER_AGENT = "shipdesk-webhooks"
SIGNATURE_HEADER = "X-Shipdesk-Signature"
# How much of a target's answer is read; an excerpt of it is kept with the attempt.
MAX_ANSWER_BYTES = 64 * 1024
EXCERPT_CHARS = 2000


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value for one POST body sent at `timestamp` (Unix seconds)."""
    digest = hmac.new(secret.encode(), b"%d." % timestamp + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


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


def deliver(delivery_id: int) -> str | None:
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
    body = json.dumps(
        {"resource_url": delivery.resource_url, "resource_type": subscription.event},
        separators=(",", ":"),
    ).encode()
    try:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: sign(subscription.secret, body, int(time.time())),
        }
        answer = netguard.post(
            subscription.target_url,
            body,
            headers,
            deadline_s=settings.SHIPDESK_WEBHOOKS_DEADLINE_S,
            max_bytes=MAX_ANSWER_BYTES,
            allow_private=settings.SHIPDESK_WEBHOOKS_ALLOW_PRIVATE,
        )
        attempt.status_code = answer.status_code
        attempt.response_body = answer.text[:EXCERPT_CHARS]
        success = 200 <= answer.status_code < 300
        error = "" if success else f"the target answered HTTP {answer.status_code}"
    # Failed says what went wrong without the system's words (addresses, "connection
    # refused"), which would make the webhook list a port scanner; ValueError: the secret
    # cannot be decrypted.
    except (netguard.Failed, ValueError) as exc:
        error = str(exc)
        attempt.error = error
        if exc.__cause__ is not None:
            log.info("webhook delivery %s: %r", delivery.pk, exc.__cause__)
    finally:
        attempt.duration_ms = int((time.monotonic() - started) * 1000)
        attempt.save()
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
    for pk in due:
        try:
            deliver(pk)
        except Exception:  # one broken delivery must not stop the others
            log.exception("webhook delivery %s failed", pk)
    return counts()


def counts() -> dict:
    by_status = dict.fromkeys(("sent", "pending", "dead"), 0)
    for row in WebhookDelivery.objects.values("status").order_by().annotate(n=Count("pk")):
        by_status[row["status"]] = row["n"]
    return by_status

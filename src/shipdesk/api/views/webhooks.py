"""/webhooks: subscribe, list and unsubscribe (each user sees and manages their own)."""

from __future__ import annotations

from ninja import Router, Status

from shipdesk.api import schemas, shipstation
from shipdesk.api.views import ERRORS, get_or_404
from shipdesk.notifications import webhooks
from shipdesk.notifications.models import WebhookSubscription
from shipdesk.orders.actions import OrderActionError
from shipdesk.stores.models import Store

router = Router(tags=["webhooks"])


@router.get("", response={200: schemas.WebhookList, **ERRORS}, summary="List webhooks")
def list_webhooks(request):
    mine = WebhookSubscription.objects.filter(user=request.user)
    return {"webhooks": [shipstation.webhook(w) for w in mine]}


@router.post("/subscribe", response={201: schemas.Subscribed, **ERRORS}, summary="Subscribe")
def subscribe(request, body: schemas.Subscribe):
    """POST `{"resource_url", "resource_type"}` to target_url on each event.

    ORDER_NOTIFY: once per import that brought new orders; SHIP_NOTIFY: per batch of
    shipments. The resource URL answers GET with the same HTTP Basic credentials.

    target_url must be http(s) on a public address: loopback, private, link-local, shared,
    multicast and reserved addresses are refused, here and at each delivery after resolving
    its name (unless the server sets SHIPDESK_WEBHOOKS_ALLOW_PRIVATE=1). Each delivery has
    10 s in all by default; only the first 64 KiB of the answer are read.

    The answer's `secret` (shown only here) signs every POST:
    `X-Shipdesk-Signature: t=<unix time>,v1=<hex>`, where `<hex>` is the HMAC-SHA256, keyed
    with the secret, of `<t>.<raw request body>`. Recompute it, compare in constant time and
    refuse timestamps more than a few minutes old.
    """
    store = None
    if body.store_id is not None:
        store = Store.objects.filter(pk=body.store_id).first()
        if store is None:
            raise OrderActionError(f"no store {body.store_id}; see GET /stores")
    subscription, secret = webhooks.subscribe(
        request.user,
        event=body.event,
        target_url=body.target_url,
        store=store,
        friendly_name=body.friendly_name or "",
    )
    return Status(201, {"id": subscription.pk, "secret": secret})


@router.delete("/{int:webhookId}", response={200: schemas.Success, **ERRORS}, summary="Unsubscribe")
def unsubscribe(request, webhookId: schemas.Id):
    subscription = get_or_404(
        WebhookSubscription.objects.filter(user=request.user), "webhook", webhookId
    )
    webhooks.unsubscribe(subscription)
    return {"success": True, "message": "Webhook unsubscribed."}

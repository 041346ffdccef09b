"""/webhooks: subscribe, list and unsubscribe (each user sees and manages their own)."""

from __future__ import annotations

from django.urls import reverse
from ninja import Router, Status

from shipdesk.api import schemas, shipstation
from shipdesk.api.models import WebhookSubscription
from shipdesk.api.views import ERRORS, get_or_404
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
    """
    store = None
    if body.store_id is not None:
        store = Store.objects.filter(pk=body.store_id).first()
        if store is None:
            raise OrderActionError(f"no store {body.store_id}; see GET /stores")
    subscription = WebhookSubscription.objects.create(
        user=request.user,
        event=body.event,
        target_url=body.target_url,
        store=store,
        friendly_name=body.friendly_name or "",
        api_root=request.build_absolute_uri(reverse("ssapi:api-root")),
    )
    return Status(201, {"id": subscription.pk})


@router.delete("/{int:webhookId}", response={200: schemas.Success, **ERRORS}, summary="Unsubscribe")
def unsubscribe(request, webhookId: schemas.Id):
    subscription = get_or_404(
        WebhookSubscription.objects.filter(user=request.user), "webhook", webhookId
    )
    subscription.delete()
    return {"success": True, "message": "Webhook unsubscribed."}

"""/shipments: list and void."""

from __future__ import annotations

from ninja import Query, Router

from shipdesk.api import schemas, shipstation
from shipdesk.api.views import ERRORS, date_range, get_or_404, page_of, sort
from shipdesk.notifications.models import WebhookBatch
from shipdesk.orders.actions import OrderActionError
from shipdesk.shipping.actions import void_shipment
from shipdesk.shipping.models import Shipment

router = Router(tags=["shipments"])

SORT_FIELDS = {"ShipDate": "ship_date", "CreateDate": "created_at"}


def filter_shipments(qs, q: schemas.ShipmentQuery):
    exact = {
        "order__order_number": q.orderNumber,
        "order_id": q.orderId,
        "carrier_code": q.carrierCode,
        "service_code": q.serviceCode,
        "tracking_number": q.trackingNumber,
        "order__store_id": q.storeId,
        "order__ship_to__country__iexact": q.recipientCountryCode,
        "order__ship_to__name__icontains": q.recipientName,
    }
    qs = qs.filter(**{lookup: value for lookup, value in exact.items() if value})
    if q.batchId:
        batch = WebhookBatch.objects.filter(pk=q.batchId, kind="shipments").first()
        qs = qs.filter(pk__in=batch.object_ids if batch else [])
    qs = date_range(qs, "created_at", q.createDateStart, q.createDateEnd)
    qs = date_range(qs, "ship_date", q.shipDateStart, q.shipDateEnd, as_date=True)
    return date_range(qs, "void_date", q.voidDateStart, q.voidDateEnd)


def _with_related(qs):
    return qs.select_related("order__ship_to").prefetch_related("order__items", "messages")


@router.get("", response={200: schemas.ShipmentPage, **ERRORS}, summary="List shipments")
def list_shipments(request, q: Query[schemas.ShipmentQuery]):
    """Filter, sort and page shipments (voided ones included, flagged `voided`)."""
    qs = filter_shipments(Shipment.objects.all(), q)
    qs = sort(qs, SORT_FIELDS[q.sortBy or "CreateDate"], q.sortDir)
    return page_of(
        qs,
        key="shipments",
        page=q.page,
        size=q.pageSize,
        shape=lambda s: shipstation.shipment(s, include_items=q.includeShipmentItems),
        prepare=_with_related,
    )


@router.post("/voidlabel", response={200: schemas.VoidResult, **ERRORS}, summary="Void a shipment")
def void_label(request, body: schemas.VoidLabel):
    """Void the shipment: the order awaits shipment again; a reship notifies the new tracking."""
    shipment = get_or_404(Shipment.objects.select_related("order"), "shipment", body.shipmentId)
    try:
        void_shipment(shipment, user=request.user, source="api")
    except OrderActionError as exc:
        return {"approved": False, "message": str(exc)}
    return {"approved": True, "message": "Label voided successfully."}

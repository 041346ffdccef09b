"""/shipments: list, labels without an order, void (at the carrier) and rates."""

from __future__ import annotations

from django.db.models import Q
from ninja import Query, Router
from ninja.errors import HttpError

from shipdesk.api import schemas, shipstation
from shipdesk.api.views import ERRORS, date_range, get_or_404, page_of, refuse_test_labels, sort
from shipdesk.api.views.accounts import carrier_account
from shipdesk.carriers import parcels, quotes, services
from shipdesk.notifications.models import WebhookBatch
from shipdesk.orders.actions import OrderActionError
from shipdesk.orders.models import Address
from shipdesk.shipping.models import Shipment
from shipdesk.stores.models import Warehouse

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
    }
    qs = qs.filter(**{lookup: value for lookup, value in exact.items() if value})
    # The recipient is the order's ship-to address, or an orderless label's own.
    for field, value in (
        ("country__iexact", q.recipientCountryCode),
        ("name__icontains", q.recipientName),
    ):
        if value:
            qs = qs.filter(
                Q(**{f"order__ship_to__{field}": value}) | Q(**{f"ship_to__{field}": value})
            )
    if q.batchId:
        batch = WebhookBatch.objects.filter(pk=q.batchId, kind="shipments").first()
        qs = qs.filter(pk__in=batch.object_ids if batch else [])
    qs = date_range(qs, "created_at", q.createDateStart, q.createDateEnd)
    qs = date_range(qs, "ship_date", q.shipDateStart, q.shipDateEnd, as_date=True)
    return date_range(qs, "void_date", q.voidDateStart, q.voidDateEnd)


def _with_related(qs):
    return qs.select_related("order__ship_to", "ship_to").prefetch_related(
        "order__items", "messages"
    )


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


@router.post("/createlabel", response={200: schemas.Shipment, **ERRORS}, summary="Create a label")
def create_label(request, body: schemas.CreateLabel):
    """Buy a label for a parcel that belongs to no order (a return, a replacement): the
    shipment answered as createlabelfororder's, with `orderId` and `orderNumber` null and the
    label PDF in `labelData`. Nobody is notified. Ships from `shipFrom`, else from
    advancedOptions.warehouseId, else from the default warehouse. Voided with voidlabel,
    listed by GET /shipments. 400 with the carrier's reasons when it refuses the label."""
    refuse_test_labels(body.testLabel)
    account = carrier_account(body.carrierCode, body.shippingProviderId)
    ship_from = None
    if body.shipFrom:
        ship_from = Warehouse(**_address_fields(body.shipFrom, warehouse=True))
    elif body.advancedOptions and body.advancedOptions.warehouseId:
        ship_from = get_or_404(
            Warehouse.objects.all(), "warehouse", body.advancedOptions.warehouseId
        )
    result = parcels.buy_parcel_label(
        account,
        body.serviceCode,
        ship_to=Address(**_address_fields(body.shipTo)),
        ship_from=ship_from,
        parcel=parcels.Parcel(
            weight_grams=body.weight.grams(),
            dimensions_cm=body.dimensions.sides() if body.dimensions else None,
            package=body.packageCode or "",
            confirmation=body.confirmation or "",
        ),
        user=request.user,
    )
    if not result.ok:
        reasons = "; ".join(str(m) for m in result.messages) or "no label in its answer"
        raise HttpError(400, f"{account.name} refused the label: {reasons}")
    shipment = Shipment.objects.select_related("ship_to").get(pk=result.shipment.pk)
    return shipstation.labelled_shipment(shipment)


def _address_fields(given: schemas.AddressIn, *, warehouse: bool = False) -> dict:
    """A ShipStation address as shipdesk's Address (or ship-from Warehouse) fields."""
    fields = {
        "name": given.name,
        "company": given.company or "",
        "street1": given.street1,
        "street2": given.street2 or "",
        "city": given.city,
        "postal_code": given.postalCode,
        "country": given.country.upper(),
        "phone": given.phone or "",
    }
    if warehouse:
        # The carrier names the sender by its company, else by the person.
        return {**fields, "company": fields["company"] or given.name}
    return {
        **fields,
        "street3": given.street3 or "",
        "state": given.state or "",
        "residential": given.residential,
    }


@router.post("/voidlabel", response={200: schemas.VoidResult, **ERRORS}, summary="Void a label")
def void_label(request, body: schemas.VoidLabel):
    """Cancel the shipment's label at the carrier when shipdesk bought it, then void the
    shipment: the order awaits shipment again, and a reship notifies the new tracking. When
    the carrier refuses, nothing changes: `approved` is false and `message` says why."""
    shipment = get_or_404(Shipment.objects.select_related("order"), "shipment", body.shipmentId)
    try:
        outcome = services.void_label(shipment, user=request.user, source="api")
    except OrderActionError as exc:
        return {"approved": False, "message": str(exc)}
    if not outcome.approved:
        return {"approved": False, "message": outcome.message}
    return {"approved": True, "message": f"Label voided successfully: {outcome.message}."}


@router.post("/getrates", response={200: list[schemas.Rate], **ERRORS}, summary="Get rates")
def get_rates(request, body: schemas.GetRates):
    """The carrier account's services and prices for a parcel, cheapest first: from the
    default warehouse (or fromWarehouseId; fromPostalCode replaces its postal code) to
    toCountry / toPostalCode. 400 with the carrier's reasons when it gives no rate."""
    account = carrier_account(body.carrierCode, body.shippingProviderId)
    warehouse = None
    if body.fromWarehouseId:
        warehouse = get_or_404(Warehouse.objects.all(), "warehouse", body.fromWarehouseId)
    result = quotes.parcel_rates(
        account,
        to=quotes.Destination(
            country=body.toCountry,
            postal_code=body.toPostalCode,
            city=body.toCity or "",
            state=body.toState or "",
            residential=body.residential,
        ),
        weight_grams=body.weight.grams(),
        dimensions_cm=body.dimensions.sides() if body.dimensions else None,
        from_postal_code=body.fromPostalCode or "",
        warehouse=warehouse,
    )
    if not result.rates and result.messages:
        reasons = "; ".join(str(m) for m in result.messages)
        raise HttpError(400, f"{account.name} gave no rates: {reasons}")
    return [
        shipstation.rate(rate, account.carrier)
        for rate in result.rates
        if body.serviceCode in (None, rate.service)
    ]

"""/fulfillments: orders marked shipped without a label bought in shipdesk, in ShipStation's
fulfillment shape.

Two kinds: a shipment recorded with a tracking number typed or sent (markasshipped, the
order page's Ship) rather than a label bought from a carrier account (voided ones included,
flagged `voided`); and an order Back Market says was shipped while shipdesk recorded no
shipment (`externallyFulfilled` on the order), whose tracking is Back Market's. The first
kind's fulfillmentId is the shipment's id; the second's, which has no shipment, is the
order's id negated.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal

from django.db.models import DateTimeField, Exists, F, Func, IntegerField, OuterRef, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils.dateparse import parse_datetime
from ninja import Field, Query, Router, Schema

from shipdesk.api import dates, schemas, shipstation
from shipdesk.api.views import ERRORS, date_range
from shipdesk.orders.models import Order
from shipdesk.orders.quantities import MAX_ID
from shipdesk.orders.status import SHIPPED
from shipdesk.shipping.models import Shipment

router = Router(tags=["fulfillments"])

SHIPMENT, ORDER = 1, 2
SORT_FIELDS = {"ShipDate": "ship_key", "CreateDate": "create_key"}


class Fulfillment(Schema):
    fulfillmentId: int = Field(description="the shipment's id; an order's negated (see above)")
    orderId: int
    orderNumber: str
    userId: str | None
    customerEmail: str | None
    trackingNumber: str | None
    createDate: str | None
    shipDate: str | None
    voidDate: str | None
    deliveryDate: str | None
    carrierCode: str | None
    fulfillmentProviderCode: str | None
    fulfillmentServiceCode: str | None
    fulfillmentFee: float
    voidRequested: bool
    voided: bool
    marketplaceNotified: bool
    notifyErrorMessage: str | None
    shipTo: schemas.Address


class FulfillmentPage(Schema):
    fulfillments: list[Fulfillment]
    total: int
    page: int
    pages: int


class FulfillmentQuery(Schema):
    fulfillmentId: Annotated[int, Field(ge=-MAX_ID, le=MAX_ID)] | None = None
    orderId: schemas.Id | None = None
    orderNumber: schemas.text(50) | None = None
    trackingNumber: schemas.text(200) | None = None
    recipientName: schemas.text(200) | None = None
    createDateStart: schemas.DateText | None = None
    createDateEnd: schemas.DateText | None = None
    shipDateStart: schemas.DateText | None = None
    shipDateEnd: schemas.DateText | None = None
    sortBy: Literal["ShipDate", "CreateDate"] | None = Field(
        None, description="by default the order fulfillments were recorded in"
    )
    sortDir: schemas.SortDir = "ASC"
    page: schemas.Page = 1
    pageSize: schemas.PageSize = 100


def _matching(qs, q: FulfillmentQuery, exact: dict, *, recipient: str):
    """The filters both kinds read alike: exact values given, the recipient, created when."""
    qs = qs.filter(**{lookup: value for lookup, value in exact.items() if value is not None})
    if q.recipientName:
        qs = qs.filter(**{f"{recipient}__icontains": q.recipientName})
    return date_range(qs, "created_at", q.createDateStart, q.createDateEnd)


def _recorded(q: FulfillmentQuery):
    """Shipments of an order whose label shipdesk did not buy."""
    qs = Shipment.objects.filter(order__isnull=False, order__deleted=False).exclude(
        carrier_shipment__label_bought=True
    )
    exact = {
        "pk": q.fulfillmentId,
        "order_id": q.orderId,
        "order__order_number": q.orderNumber,
        "tracking_number": q.trackingNumber,
    }
    qs = _matching(qs, q, exact, recipient="order__ship_to__name")
    qs = date_range(qs, "ship_date", q.shipDateStart, q.shipDateEnd, as_date=True)
    return qs.annotate(ship_key=Cast("ship_date", DateTimeField()))


def _external(q: FulfillmentQuery):
    """Orders Back Market says shipped, with no live shipment in shipdesk."""
    qs = Order.objects.filter(deleted=False, status=SHIPPED).filter(
        ~Exists(Shipment.objects.filter(order=OuterRef("pk"), voided=False))
    )
    exact = {
        "pk": -q.fulfillmentId if q.fulfillmentId is not None else None,
        "pk__in": [q.orderId] if q.orderId is not None else None,
        "order_number": q.orderNumber,
        "channel_payload__tracking_number": q.trackingNumber,
    }
    qs = _matching(qs, q, exact, recipient="ship_to__name")
    qs = qs.annotate(ship_key=PayloadTime(KeyTextTransform("date_shipping", "channel_payload")))
    # Whole days in the API's time zone, as the shipments' ship dates are compared.
    if q.shipDateStart:
        qs = qs.filter(ship_key__gte=_midnight(dates.parse_date(q.shipDateStart)))
    if q.shipDateEnd:
        qs = qs.filter(ship_key__lt=_midnight(dates.parse_date(q.shipDateEnd) + timedelta(days=1)))
    return qs


class PayloadTime(Func):
    """Back Market's date-time text (with its offset) as a date-time: SQLite's datetime()
    gives it in UTC as Django stores them; other databases cast it."""

    output_field = DateTimeField()
    template = "CAST(%(expressions)s AS timestamp with time zone)"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="datetime(%(expressions)s)", **extra)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=dates.api_zone())


def _keys(qs, kind: int):
    # Without the models' default ordering: a compound statement's parts may have none.
    return (
        qs.order_by()
        .annotate(kind=Value(kind, output_field=IntegerField()), create_key=F("created_at"))
        .values_list("kind", "pk", "ship_key", "create_key")
    )


def _from_shipment(s: Shipment) -> dict:
    order = s.order
    return {
        "fulfillmentId": s.pk,
        "orderId": order.pk,
        "orderNumber": order.order_number,
        "userId": str(s.created_by_id) if s.created_by_id else None,
        "customerEmail": order.customer_email or None,
        "trackingNumber": s.tracking_number or None,
        "createDate": shipstation.ss_datetime(s.created_at),
        "shipDate": shipstation.ss_datetime(s.ship_date),
        "voidDate": shipstation.ss_datetime(s.void_date),
        "deliveryDate": shipstation.ss_datetime(s.delivered_at),
        "carrierCode": s.carrier_code or None,
        "fulfillmentProviderCode": None,
        "fulfillmentServiceCode": s.service_code or None,
        "fulfillmentFee": shipstation.money(s.shipment_cost) or 0.0,
        "voidRequested": s.voided,
        "voided": s.voided,
        **shipstation.marketplace_notice(s),
        "shipTo": shipstation.address(order.ship_to),
    }


def _from_order(o: Order) -> dict:
    payload = o.channel_payload if isinstance(o.channel_payload, dict) else {}
    shipped = parse_datetime(str(payload.get("date_shipping") or ""))
    return {
        "fulfillmentId": -o.pk,
        "orderId": o.pk,
        "orderNumber": o.order_number,
        "userId": None,
        "customerEmail": o.customer_email or None,
        "trackingNumber": str(payload.get("tracking_number") or "") or None,
        "createDate": shipstation.ss_datetime(o.created_at),
        "shipDate": shipstation.ss_datetime(shipped),
        "voidDate": None,
        "deliveryDate": None,
        "carrierCode": str(payload.get("shipper") or "") or None,
        "fulfillmentProviderCode": None,
        "fulfillmentServiceCode": None,
        "fulfillmentFee": 0.0,
        "voidRequested": False,
        "voided": False,
        # Back Market told shipdesk it was shipped.
        "marketplaceNotified": True,
        "notifyErrorMessage": None,
        "shipTo": shipstation.address(o.ship_to),
    }


@router.get("", response={200: FulfillmentPage, **ERRORS}, summary="List fulfillments")
def list_fulfillments(request, q: Query[FulfillmentQuery]):
    """Orders marked shipped without a label bought in shipdesk: shipments recorded with a
    typed tracking number (fulfillmentId: the shipment's id) and orders Back Market says
    were shipped outside shipdesk (fulfillmentId: the order's id negated). Filtered, sorted
    (sortBy ShipDate or CreateDate; by default the order they were recorded in) and paged
    as ShipStation does."""
    recorded, external = _recorded(q), _external(q)
    total = recorded.count() + external.count()
    prefix = "-" if q.sortDir == "DESC" else ""
    first = [SORT_FIELDS[q.sortBy]] if q.sortBy else []
    keys = (
        _keys(recorded, SHIPMENT)
        .union(_keys(external, ORDER), all=True)
        .order_by(*(f"{prefix}{k}" for k in [*first, "create_key", "kind", "pk"]))
    )
    rows = list(keys[(q.page - 1) * q.pageSize : q.page * q.pageSize])
    wanted = {kind: [pk for k, pk, *_ in rows if k == kind] for kind in (SHIPMENT, ORDER)}
    shipments = Shipment.objects.select_related("order__ship_to").prefetch_related("messages")
    found = {
        SHIPMENT: {s.pk: _from_shipment(s) for s in shipments.filter(pk__in=wanted[SHIPMENT])},
        ORDER: {
            o.pk: _from_order(o)
            for o in Order.objects.select_related("ship_to").filter(pk__in=wanted[ORDER])
        },
    }
    return {
        "fulfillments": [found[kind][pk] for kind, pk, *_ in rows],
        "total": total,
        "page": q.page,
        "pages": math.ceil(total / q.pageSize),
    }

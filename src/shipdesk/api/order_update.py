"""POST /orders/createorder: ShipStation's payload to domain actions, on an existing order
or a new manual one (`save`).

A field present in the payload sets the seller-owned value (null clears it); a field left out
keeps it. Back Market-owned fields are read-only and ignored, so posting back an order as GET
returned it changes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.http import Http404

from shipdesk.api.schemas import CreateOrder, OrderItemIn, WeightIn, parse_date, parse_datetime
from shipdesk.orders import actions, manual
from shipdesk.orders.actions import OrderActionError, hold, release, set_notes
from shipdesk.orders.manual import ManualItem, ManualOrder
from shipdesk.orders.models import Order, OrderItem, Tag
from shipdesk.orders.status import AWAITING_PAYMENT, AWAITING_SHIPMENT, ON_HOLD
from shipdesk.shipping.carriers import CARRIERS, get_carrier
from shipdesk.stores.models import Warehouse


def grams(weight: WeightIn | None) -> int | None:
    return None if weight is None else weight.grams()


def find_item(order: Order, ref: OrderItemIn) -> OrderItem:
    items = list(order.items.all())
    if ref.orderItemId is not None:
        match = [i for i in items if i.pk == ref.orderItemId]
    elif ref.lineItemKey:
        match = [i for i in items if str(i.channel_line_id) == ref.lineItemKey]
    elif ref.sku:
        match = [i for i in items if i.sku == ref.sku]
    else:
        raise OrderActionError("each item needs its orderItemId, lineItemKey or sku")
    if len(match) != 1:
        which = ref.orderItemId or ref.lineItemKey or ref.sku
        raise OrderActionError(
            f"order {order.order_number} has no single item {which!r}; "
            "its items come from Back Market and cannot be added"
        )
    return match[0]


def _order_values(order: Order, body: CreateOrder) -> dict:
    sent = body.model_fields_set
    values: dict = {}
    for field, name in (("customerNotes", "customer_notes"), ("giftMessage", "gift_message")):
        if field in sent:
            values[name] = getattr(body, field) or ""
    if "gift" in sent:
        values["gift"] = bool(body.gift)
    if "carrierCode" in sent:
        if body.carrierCode and body.carrierCode not in CARRIERS:
            try:
                get_carrier(body.carrierCode)
            except ValueError as exc:  # its message lists the known carriers
                raise OrderActionError(str(exc)) from None
        values["carrier_code"] = body.carrierCode or ""
    for field, name in (
        ("serviceCode", "service_code"),
        ("packageCode", "package_code"),
        ("confirmation", "confirmation"),
    ):
        if field in sent:
            values[name] = getattr(body, field) or ""
    if "weight" in sent:
        wanted = grams(body.weight)
        # GET shows the items' total when no override is set: posting it back sets nothing.
        if wanted is None or wanted != order.total_weight_grams:
            values["weight_grams"] = wanted
    if "dimensions" in sent:
        sides = body.dimensions.centimetres() if body.dimensions else {}
        for side in ("length", "width", "height"):
            values[f"{side}_cm"] = sides.get(side)
    options = body.advancedOptions
    if "advancedOptions" in sent and options is not None:
        given = options.model_fields_set
        if "warehouseId" in given:
            warehouse = None
            if options.warehouseId is not None:
                warehouse = Warehouse.objects.filter(pk=options.warehouseId).first()
                if warehouse is None:
                    raise OrderActionError(
                        f"no warehouse {options.warehouseId}; see GET /warehouses"
                    )
            values["warehouse"] = warehouse
        for n in (1, 2, 3):
            if f"customField{n}" in given:
                values[f"custom_field{n}"] = getattr(options, f"customField{n}") or ""
    return values


def _status(order: Order, body: CreateOrder, *, user) -> None:
    sent = body.model_fields_set
    if not {"orderStatus", "holdUntilDate"} & sent:
        return
    wanted = body.orderStatus or order.status
    until = parse_date(body.holdUntilDate) if body.holdUntilDate else None
    if wanted == order.status:
        if wanted == ON_HOLD and "holdUntilDate" in sent and until != order.hold_until_date:
            hold(order, until=until, user=user, source="api")
    elif wanted == ON_HOLD:
        hold(order, until=until, user=user, source="api")
    elif wanted == AWAITING_SHIPMENT and order.status == ON_HOLD:
        release(order, user=user, source="api")
    else:
        raise OrderActionError(
            f"orderStatus cannot go from {order.status} to {wanted} through createorder: "
            "ship with /orders/markasshipped; cancellations come from Back Market"
        )


def apply(order: Order, body: CreateOrder, *, user) -> Order:
    """Apply the payload's seller-owned fields to the order (call inside a transaction)."""
    actions.check_open(order)
    sent = body.model_fields_set
    actions.update_seller_fields(order, user=user, source="api", **_order_values(order, body))
    if "internalNotes" in sent:
        set_notes(order, internal=body.internalNotes or "", user=user, source="api")
    if "tagIds" in sent:
        ids = sorted(set(body.tagIds or []))
        tags = list(Tag.objects.filter(pk__in=ids))
        unknown = sorted(set(ids) - {t.pk for t in tags})
        if unknown:
            raise OrderActionError(
                f"no tag {', '.join(map(str, unknown))}; see GET /accounts/listtags"
            )
        actions.set_tags(order, tags, user=user, source="api")
    for ref in body.items or []:
        item = find_item(order, ref)
        values = {}
        if "warehouseLocation" in ref.model_fields_set:
            values["warehouse_location"] = ref.warehouseLocation or ""
        if "weight" in ref.model_fields_set:
            values["weight_grams"] = grams(ref.weight)
        actions.update_item_seller_fields(item, user=user, source="api", **values)
    _status(order, body, user=user)
    return order


# ----- createorder's create path: manual orders -----

# What ShipStation requires of a new order (shipdesk adds its items: a parcel has some).
REQUIRED = ("orderNumber", "orderDate", "orderStatus", "billTo", "shipTo", "items")
SHIP_TO = ("name", "street1", "city", "postalCode", "country")
NEW_STATUSES = (AWAITING_PAYMENT, AWAITING_SHIPMENT, ON_HOLD)


def find_order(body: CreateOrder) -> Order | None:
    """The order createorder updates: by orderKey, else by orderId (404 when unknown);
    None when it creates one (an orderKey shipdesk does not know, or neither given)."""
    live = Order.objects.filter(deleted=False)
    if body.orderKey:
        order = live.filter(order_key=body.orderKey).first()
        if order is not None and body.orderId is not None and body.orderId != order.pk:
            raise OrderActionError(
                f"orderId {body.orderId} is not the order with orderKey {body.orderKey!r}"
            )
        if order is None and Order.objects.filter(order_key=body.orderKey).exists():
            raise OrderActionError(
                f"the order with orderKey {body.orderKey!r} was deleted; "
                "give another orderKey to create a new order"
            )
        return order
    if body.orderId is not None:
        order = live.filter(pk=body.orderId).first()
        if order is None:
            raise Http404(f"order {body.orderId} not found")
        return order
    return None


def _missing(body: CreateOrder) -> list[str]:
    sent = body.model_dump(exclude_unset=False)
    missing = [f"{name}: required to create an order" for name in REQUIRED if not sent.get(name)]
    if body.shipTo is not None:
        missing += [
            f"shipTo.{name}: required to create an order"
            for name in SHIP_TO
            if not (getattr(body.shipTo, name) or "").strip()
        ]
    for n, item in enumerate(body.items or []):
        missing += [
            f"items.{n}.{name}: required to create an order"
            for name in ("sku", "name")
            if not (getattr(item, name) or "").strip()
        ]
        if item.quantity == 0:
            missing.append(f"items.{n}.quantity: at least 1")
    if body.orderStatus and body.orderStatus not in NEW_STATUSES:
        missing.append(
            f"orderStatus: a new order is {', '.join(NEW_STATUSES)}, not {body.orderStatus} "
            "(ship it afterwards with /orders/markasshipped or a label)"
        )
    return missing


def _address(address) -> dict:
    if address is None:
        return {}
    values = address.model_dump()
    return {
        "name": values["name"],
        "company": values["company"],
        "street1": values["street1"],
        "street2": values["street2"],
        "street3": values["street3"],
        "city": values["city"],
        "state": values["state"],
        "postal_code": values["postalCode"],
        "country": values["country"],
        "phone": values["phone"],
        "residential": values["residential"],
    }


# A manual order's dates: any a shop writes, none the database cannot store.
YEARS = (2000, 2100)


def _date(value: str | None, field: str):
    if not value:
        return None
    parsed = parse_datetime(value)
    if not YEARS[0] <= parsed.year <= YEARS[1]:
        raise OrderActionError(
            f"invalid request: {field}: {value!r} is not between the years {YEARS[0]} and "
            f"{YEARS[1]}"
        )
    return parsed


def manual_order(body: CreateOrder) -> ManualOrder:
    """The new order's data, or OrderActionError naming each missing or wrong field."""
    missing = _missing(body)
    if missing:
        raise OrderActionError("invalid request: " + "; ".join(missing))
    status = AWAITING_SHIPMENT if body.orderStatus == ON_HOLD else body.orderStatus
    return ManualOrder(
        order_number=body.orderNumber,
        ship_to=_address(body.shipTo),
        bill_to=_address(body.billTo),
        items=[
            ManualItem(
                sku=item.sku,
                name=item.name,
                quantity=item.quantity or 1,
                unit_price=item.unitPrice or Decimal(0),
                tax_amount=item.taxAmount or Decimal(0),
                shipping_amount=item.shippingAmount or Decimal(0),
                weight_grams=grams(item.weight),
                warehouse_location=item.warehouseLocation,
                upc=item.upc or "",
            )
            for item in body.items
        ],
        order_date=_date(body.orderDate, "orderDate"),
        payment_date=_date(body.paymentDate, "paymentDate"),
        ship_by_date=_date(body.shipByDate, "shipByDate"),
        status=status,
        customer_email=body.customerEmail or "",
        customer_username=body.customerUsername or "",
        requested_shipping_service=body.requestedShippingService or "",
        payment_method=body.paymentMethod or "",
        amount_paid=body.amountPaid,
        tax_amount=body.taxAmount or Decimal(0),
        shipping_amount=body.shippingAmount or Decimal(0),
    )


def save(body: CreateOrder, *, user) -> Order:
    """createorder: update the order the body names, or create a manual order; one
    transaction either way (a refusal leaves nothing behind)."""
    order = find_order(body)
    with transaction.atomic():
        if order is None:
            order = manual.create_manual_order(
                manual_order(body), order_key=body.orderKey or "", user=user, source="api"
            )
            return apply(order, body.model_copy(update={"items": None}), user=user)
        order = Order.objects.select_for_update().get(pk=order.pk)
        if manual.is_manual(order) and {"shipTo", "items"} <= body.model_fields_set:
            # A manual order is the seller's own: sent whole again, it is replaced.
            manual.update_manual_order(order, manual_order(body), user=user, source="api")
            return apply(order, body.model_copy(update={"items": None}), user=user)
        return apply(order, body, user=user)

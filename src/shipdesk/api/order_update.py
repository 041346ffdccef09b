"""POST /orders/createorder on an existing order: ShipStation's payload to domain actions.

A field present in the payload sets the seller-owned value (null clears it); a field left out
keeps it. Back Market-owned fields are read-only and ignored, so posting back an order as GET
returned it changes nothing.
"""

from __future__ import annotations

from shipdesk.api.schemas import CreateOrder, OrderItemIn, WeightIn, parse_date
from shipdesk.orders import actions
from shipdesk.orders.actions import OrderActionError, hold, release, set_notes
from shipdesk.orders.models import Order, OrderItem, Tag
from shipdesk.orders.status import AWAITING_SHIPMENT, ON_HOLD
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

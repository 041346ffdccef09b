"""Manual orders: orders the seller enters (a replacement phone, a warranty return, a sale
made elsewhere), kept in the account's "Manual orders" store.

They are shipped, labelled, packed and IMEI-checked like Back Market's, and Back Market is
never told about them: their store is not a Back Market store (`Store.is_backmarket`), which
`backmarket_updates.queue_update` and the import check. Everything on them is the seller's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shipdesk.orders.actions import OrderActionError, lock
from shipdesk.orders.history import record
from shipdesk.orders.models import Address, ItemUnit, Order, OrderItem, Product
from shipdesk.orders.status import AWAITING_PAYMENT, AWAITING_SHIPMENT, SHIPPED
from shipdesk.stores.models import MANUAL, Store

STORE_NAME = "Manual orders"
# The statuses a manual order is created in; on hold is a hold placed afterwards.
CREATED_STATUSES = (AWAITING_PAYMENT, AWAITING_SHIPMENT)
# An order's pieces (one unit row each, for its IMEI): a parcel's worth, not a warehouse's.
MAX_QUANTITY = 1000
# What a label needs of the ship-to address.
REQUIRED_SHIP_TO = ("name", "street1", "city", "postal_code", "country")
ADDRESS_FIELDS = tuple(f.name for f in Address._meta.concrete_fields if f.name != "id")


@dataclass
class ManualItem:
    sku: str
    name: str
    quantity: int = 1
    unit_price: Decimal = Decimal(0)
    tax_amount: Decimal = Decimal(0)
    shipping_amount: Decimal = Decimal(0)
    weight_grams: int | None = None  # None: the product's
    warehouse_location: str | None = None  # None: the product's
    upc: str = ""


@dataclass
class ManualOrder:
    """What the seller says of a manual order; addresses as Address fields."""

    order_number: str
    ship_to: dict
    items: list[ManualItem]
    bill_to: dict = field(default_factory=dict)  # empty: the ship-to address
    order_date: datetime | None = None  # None: now
    payment_date: datetime | None = None
    ship_by_date: datetime | None = None
    status: str = AWAITING_SHIPMENT
    customer_email: str = ""
    customer_username: str = ""
    requested_shipping_service: str = ""
    payment_method: str = ""
    currency: str = "EUR"
    amount_paid: Decimal | None = None  # None: the order's total
    tax_amount: Decimal = Decimal(0)
    shipping_amount: Decimal = Decimal(0)
    internal_notes: str = ""
    weight_grams: int | None = None  # None: the items'


def manual_store() -> Store:
    """The account's "Manual orders" store, created on first need (no token, no import)."""
    store = Store.objects.filter(channel=MANUAL).order_by("pk").first()
    if store is not None:
        return store
    name = STORE_NAME
    if Store.objects.filter(name=name).exists():  # a Back Market store took the name
        name = f"{STORE_NAME} (shipdesk)"
    try:
        with transaction.atomic():
            store = Store(name=name, auto_import=False, first_import_days=0)
            store.channel = MANUAL  # not editable in forms: set here, once
            store.save()
            return store
    except IntegrityError:  # created meanwhile by another request
        return Store.objects.filter(channel=MANUAL).order_by("pk").get()


def is_manual(order: Order) -> bool:
    return not order.store.is_backmarket


def can_edit(order: Order) -> bool:
    """A manual order is the seller's to change until it ships."""
    return (
        is_manual(order)
        and order.status != SHIPPED
        and not order.shipments.filter(voided=False).exists()
    )


def _check(data: ManualOrder) -> None:
    """Refuse, saying what to fix, what a manual order cannot be."""
    if not data.order_number.strip():
        raise OrderActionError(_("give the order number"))
    if data.status not in CREATED_STATUSES:
        raise OrderActionError(
            _(
                "a new order is awaiting payment or awaiting shipment (hold it afterwards), not %(status)s"
            )
            % {"status": data.status}
        )
    missing = [name for name in REQUIRED_SHIP_TO if not str(data.ship_to.get(name) or "").strip()]
    if missing:
        raise OrderActionError(
            _("the ship-to address needs its %(fields)s") % {"fields": ", ".join(missing)}
        )
    country = str(data.ship_to.get("country") or "").strip()
    if len(country) != 2 or not country.isalpha():
        raise OrderActionError(
            _("the ship-to country is a 2-letter code (FR, DE), not %(value)r") % {"value": country}
        )
    if not data.items:
        raise OrderActionError(_("give the order's items (SKU, name and quantity)"))
    for item in data.items:
        if not item.sku.strip() or not item.name.strip():
            raise OrderActionError(_("each item needs its SKU and its name"))
        if not 1 <= item.quantity <= MAX_QUANTITY:
            raise OrderActionError(
                _("the quantity of %(sku)s must be from 1 to %(max)s")
                % {"sku": item.sku, "max": MAX_QUANTITY}
            )
    if sum(item.quantity for item in data.items) > MAX_QUANTITY:
        raise OrderActionError(
            _("an order has at most %(max)s pieces in all") % {"max": MAX_QUANTITY}
        )


def _address(values: dict) -> dict:
    address = {name: values.get(name) for name in ADDRESS_FIELDS}
    for name, value in address.items():
        if name != "residential":
            address[name] = (value or "").strip()
    address["country"] = address["country"].upper()
    return address


def _next_number(store: Store) -> int:
    """Manual orders are numbered in their store like Back Market's by their id."""
    return (store.orders.aggregate(n=Max("channel_order_id"))["n"] or 0) + 1


def _write_items(order: Order, items: list[ManualItem]) -> None:
    products = {p.sku: p for p in Product.objects.filter(sku__in={i.sku for i in items})}
    for line in items:
        product = products.get(line.sku)
        item = OrderItem.objects.create(
            order=order,
            sku=line.sku.strip(),
            name=line.name.strip(),
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_price=line.unit_price * line.quantity,
            tax_amount=line.tax_amount,
            shipping_amount=line.shipping_amount,
            upc=line.upc,
            weight_grams=(
                line.weight_grams
                if line.weight_grams is not None
                else (product.weight_grams if product else None)
            ),
            warehouse_location=(
                line.warehouse_location
                if line.warehouse_location is not None
                else (product.warehouse_location if product else "")
            ),
        )
        ItemUnit.objects.bulk_create(
            [ItemUnit(item=item, index=index) for index in range(line.quantity)]
        )


def _amounts(data: ManualOrder) -> dict:
    items_total = sum((i.unit_price * i.quantity for i in data.items), Decimal(0))
    total = items_total + data.tax_amount + data.shipping_amount
    return {
        "order_total": total,
        "amount_paid": total if data.amount_paid is None else data.amount_paid,
        "tax_amount": data.tax_amount,
        "shipping_amount": data.shipping_amount,
    }


def _order_fields(data: ManualOrder) -> dict:
    status = data.status
    return {
        "order_number": data.order_number.strip(),
        "status": status,
        "order_date": data.order_date or timezone.now(),
        "payment_date": data.payment_date
        or (timezone.now() if status == AWAITING_SHIPMENT else None),
        "ship_by_date": data.ship_by_date,
        "customer_email": data.customer_email.strip(),
        "customer_username": data.customer_username.strip(),
        "requested_shipping_service": data.requested_shipping_service,
        "payment_method": data.payment_method,
        "currency": data.currency,
        "channel_modified_at": timezone.now(),
        "internal_notes": data.internal_notes,
        "weight_grams": data.weight_grams,
        **_amounts(data),
    }


def create_manual_order(
    data: ManualOrder, *, order_key: str = "", user=None, source: str = "user"
) -> Order:
    """A new order in the "Manual orders" store, with its items and one unit per piece (for
    their IMEIs); refused (OrderActionError, saying what to fix) when incomplete.
    Call inside a transaction to add more to it."""
    _check(data)
    store = manual_store()
    ship_to = _address(data.ship_to)
    bill_to = _address(data.bill_to) if any(data.bill_to.values()) else dict(ship_to)
    key = order_key or f"manual-{uuid.uuid4().hex}"
    for _attempt in range(3):
        try:
            with transaction.atomic():
                order = Order.objects.create(
                    store=store,
                    channel_order_id=_next_number(store),
                    order_key=key,
                    channel_state=0,
                    ship_to=Address.objects.create(**ship_to),
                    bill_to=Address.objects.create(**bill_to),
                    **_order_fields(data),
                )
                _write_items(order, data.items)
                record(order, "manual_created", source=source, user=user, number=order.order_number)
            return order
        except IntegrityError:
            if Order.objects.filter(order_key=key).exists():
                raise OrderActionError(
                    _("an order with the key %(key)s exists already") % {"key": key}
                ) from None
            # Another manual order took this number meanwhile: take the next one.
    raise OrderActionError(_("too many orders created at once; try again"))


def update_manual_order(order: Order, data: ManualOrder, *, user=None, source: str = "user"):
    """Replace what the seller said of a manual order not shipped yet: items, addresses,
    dates, amounts (its status changes by holding, releasing, shipping). Items that changed
    are written again, their IMEIs to be entered again."""
    if not is_manual(order):
        raise OrderActionError(
            _("order %(number)s comes from Back Market: its items and addresses are Back Market's")
            % {"number": order.order_number}
        )
    with transaction.atomic():
        lock(order)
        if not can_edit(order):
            raise OrderActionError(
                _("order %(number)s is shipped: it can no longer be edited")
                % {"number": order.order_number}
            )
        data.status = AWAITING_SHIPMENT if order.payment_date else AWAITING_PAYMENT
        _check(data)
        bill_to = data.bill_to if any(data.bill_to.values()) else data.ship_to
        Address.objects.filter(pk=order.ship_to_id).update(**_address(data.ship_to))
        Address.objects.filter(pk=order.bill_to_id).update(**_address(bill_to))
        fields = _order_fields(data)
        del fields["status"]
        Order.objects.filter(pk=order.pk).update(modified_at=timezone.now(), **fields)
        if _items_changed(order, data.items):
            order.items.all().delete()
            _write_items(order, data.items)
        order.refresh_from_db()
        record(order, "manual_edited", source=source, user=user, number=order.order_number)
    return order


def _items_changed(order: Order, items: list[ManualItem]) -> bool:
    def key(i):
        return (i.sku.strip(), i.name.strip(), i.quantity, Decimal(i.unit_price), i.weight_grams)

    return [key(i) for i in order.items.all()] != [key(i) for i in items]

"""Orders for API tests, and the JSON the API must answer for them."""

import httpx

from shipdesk.api import shipstation
from shipdesk.orders.models import Order
from shipdesk.sync.importer import import_orders
from tests.factories import IMEI, OTHER_IMEI, OTHER_PHONE, sandbox_order

__all__ = [
    "IMEI",
    "OTHER_IMEI",
    "imported_phone_order",
    "imported_phone_orders",
    "order_json",
    "sandbox_ship_updates",
]


def order_json(order: Order) -> dict:
    return shipstation.order(shipstation.with_related(Order.objects.filter(pk=order.pk)).get())


def imported_phone_orders(store) -> list[Order]:
    """The sandbox's orders imported, and two accepted one-phone orders awaiting shipment
    (not BackShip) that Back Market knows."""
    import_orders(store)
    return [sandbox_order(store), sandbox_order(store, lines=(OTHER_PHONE,))]


def imported_phone_order(store) -> Order:
    return imported_phone_orders(store)[0]


def sandbox_ship_updates(sandbox, order: Order) -> list[dict]:
    updates = httpx.get(f"{sandbox.url}/_sandbox/updates", timeout=5).json()["updates"]
    return [
        u
        for u in updates
        if u["path"] == f"/ws/orders/{order.channel_order_id}" and u["body"].get("new_state") == 3
    ]
